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


def test_web_writes_beside_a_long_import_never_fail_with_database_is_locked(sqlite_file, tmp_path):
    """The attack test's import: 12 web writes failed with 500 "database is locked". The import
    now commits in short batches and lets waiting writers in between them."""
    import csv
    import io
    import threading

    from sqlalchemy import func, select

    from factcheck.accounts import operations as accounts
    from factcheck.accounts.models import Role
    from factcheck.audit.changesets import Actor, set_actor
    from factcheck.audit.models import AuditChangeset
    from factcheck.claims.models import Claim
    from factcheck.db import session_scope
    from factcheck.imports.claims_csv import CLAIM_COLUMNS
    from tests.conftest import PASSWORD

    web = create_app(config_for_tests(tmp_path, sqlite_file))
    importer = create_app(config_for_tests(tmp_path, sqlite_file))  # its own engine, like another process
    with web.app_context(), session_scope(web) as session:
        set_actor(session, Actor.system("test setup", "test"))
        accounts.create_user(
            session, email="rita@example.org", name="Rita", password=PASSWORD, role=Role.REVIEWER
        )

    rows = 1000
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[column.header for column in CLAIM_COLUMNS])
    writer.writeheader()
    for n in range(rows):
        writer.writerow(
            {"Claim": f"The dam at site {n} holds {n * 7} cubic metres.", "Claimant": f"Agency {n % 13}"}
        )
    path = tmp_path / "claims.csv"
    path.write_text(buffer.getvalue(), "utf-8")

    outcome: dict[str, object] = {}

    def run_import() -> None:
        outcome["result"] = importer.test_cli_runner().invoke(args=["import", "claims", str(path)])

    client = web.test_client()
    assert client.post("/login", data={"email": "rita@example.org", "password": PASSWORD}).status_code == 302
    thread = threading.Thread(target=run_import)
    thread.start()
    statuses: list[int] = []
    n = 0
    while thread.is_alive() or n < 5:
        response = client.post(
            "/claims/capture",
            data={"url": f"https://news.example.org/{n}", "text": f"Web claim {n}", "claimant": "Someone"},
        )
        statuses.append(response.status_code)
        if response.status_code == 503:
            assert int(response.headers["Retry-After"]) > 0
        n += 1
    thread.join(timeout=300)

    result = outcome["result"]
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert f"Created {rows}, updated 0, skipped 0" in result.output  # type: ignore[attr-defined]
    print("web writes beside the import:", len(statuses), "statuses", sorted(set(statuses)))
    assert 500 not in statuses
    assert set(statuses) <= {302, 503}
    assert statuses.count(302) >= len(statuses) - 1, statuses
    with web.app_context(), session_scope(web) as session:
        web_claims = session.scalar(
            select(func.count()).select_from(Claim).where(Claim.text.like("Web claim %"))
        )
        assert web_claims == statuses.count(302)
        assert (
            session.scalar(
                select(func.count()).select_from(Claim).where(Claim.text.like("The dam at site %"))
            )
            == rows
        )
        # Each batch is a changeset of its own, with the import's reason.
        batches = session.scalar(
            select(func.count())
            .select_from(AuditChangeset)
            .where(AuditChangeset.reason == f"Imported from {path}")
        )
        assert batches >= rows // 200
    verify = web.test_cli_runner().invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output
