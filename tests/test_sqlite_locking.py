"""SQLite: a web write that cannot get the write lock in time answers 503 with Retry-After,
never a 500 "database is locked"; readers never wait for it (issue 13, item 2).

A second connection holds the write lock (as ``factcheck import claimreview`` does while it
writes) while the web app serves requests on the same file.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy.engine import make_url

from factcheck import create_app, migrate
from factcheck.db import make_engine
from tests.conftest import config_for_tests


@pytest.fixture
def sqlite_file(database_server, tmp_path):
    if database_server.dialect != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL locks rows")
    url = f"sqlite:///{tmp_path}/locked.sqlite"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def test_a_web_write_waits_briefly_then_answers_503_while_reads_go_on(sqlite_file, tmp_path):
    app = create_app(config_for_tests(tmp_path, sqlite_file, SQLITE_BUSY_TIMEOUT_MS=300))
    client = app.test_client()
    holder = sqlite3.connect(make_url(sqlite_file).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the import's long write transaction
    try:
        started = time.monotonic()
        write = client.post("/login", data={"email": "ed@example.org", "password": "some long password"})
        waited = time.monotonic() - started

        assert write.status_code == 503
        assert int(write.headers["Retry-After"]) > 0
        assert "Nothing you sent was saved" in write.get_data(as_text=True)
        assert waited < 5

        # Readers use deferred transactions on the WAL: they never queue behind the writer.
        assert client.get("/login").status_code == 200
        assert client.get("/checks/").status_code == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    # Once the lock is free the same write goes through (a wrong password: 422, not 503).
    assert (
        client.post("/login", data={"email": "ed@example.org", "password": "some long password"}).status_code
        == 422
    )
