"""Rate limits that hold across processes (issue 13, item 3).

With ``memory://`` each gunicorn worker counted on its own: 4 workers let 20 wrong passwords
through instead of 5. Here two app instances stand for two workers: each builds its own
limiter storage, as a separate process would. With Redis they share the count; with memory
they do not (which is why production refuses memory:// unless told it is one process).

Runs against the Redis on this machine (redis://127.0.0.1:6379); skipped only when it is
unreachable outside CI. Keys are made unique per test, and the storage is never reset
(a reset would clear every counter on the server).
"""

from __future__ import annotations

import os
import socket
import uuid

import pytest

from factcheck import create_app
from factcheck.db import get_database
from tests.conftest import config_for_tests

REDIS_URI = os.environ.get("FACTCHECK_TEST_REDIS_URL", "redis://127.0.0.1:6379")
WRONG = "wrong password, wrong"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def worker(tmp_path, database_url, session_factory, storage: str):
    """One app instance: what one gunicorn worker builds."""
    app = create_app(
        config_for_tests(tmp_path, database_url, RATELIMIT_STORAGE_URI=storage, LOGIN_THROTTLE="3 per minute")
    )
    get_database(app).use_sessions(session_factory)
    return app.test_client()


def fail_once(client, email: str, address: str) -> int:
    response = client.post(
        "/login", data={"email": email, "password": WRONG}, environ_base={"REMOTE_ADDR": address}
    )
    return response.status_code


def unique_address() -> str:
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


@pytest.mark.skipif(not redis_reachable() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_two_workers_with_redis_share_the_sign_in_count(tmp_path, database_url, session_factory):
    email, address = f"{uuid.uuid4().hex}@example.org", unique_address()

    first = worker(tmp_path, database_url, session_factory, REDIS_URI)
    assert [fail_once(first, email, address) for _ in range(2)] == [422, 422]
    second = worker(tmp_path, database_url, session_factory, REDIS_URI)
    assert fail_once(second, email, address) == 422

    # The fourth attempt, at either worker, is over the limit of 3.
    assert fail_once(second, email, address) == 429
    assert fail_once(first, email, address) == 429


def test_workers_with_memory_storage_each_count_alone(tmp_path, database_url, session_factory):
    email, address = f"{uuid.uuid4().hex}@example.org", unique_address()
    first = worker(tmp_path, database_url, session_factory, "memory://")
    assert [fail_once(first, email, address) for _ in range(3)] == [422] * 3
    assert fail_once(first, email, address) == 429

    second = worker(tmp_path, database_url, session_factory, "memory://")
    # The problem the attack test found: another worker lets the guesser go on.
    assert fail_once(second, email, address) == 422
