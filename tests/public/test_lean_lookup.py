"""Database.lookup, the lean path's one query: outside any session, and safe when the server went away."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import bindparam, event, literal, select, text
from sqlalchemy.exc import DBAPIError

from factcheck.db import Database, make_engine
from factcheck.public import fastpath


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    # A real Database, not routed through the tests' savepoint sessions.
    database = Database(make_engine(database_url))
    yield database
    if database._lookup_engine is not None:
        database._lookup_engine.dispose()
    database.engine.dispose()


ANSWER = select(literal(41).label("answer") + bindparam("add"))


def test_a_lookup_reads_one_row(database: Database) -> None:
    assert database.lookup(ANSWER, {"add": 1}) == (42,)
    assert database.lookup(ANSWER.where(literal(False)), {"add": 1}) is None


def test_on_postgresql_a_lookup_is_one_statement_without_ping_or_transaction(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's round trips")
    database.lookup(ANSWER, {"add": 1})  # connect first: the connection's own setup is not counted
    seen: list[str] = []
    engine = database._lookup_engine
    assert engine is not None
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    database.lookup(ANSWER, {"add": 1})
    assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT")


def test_on_postgresql_a_dropped_connection_fails_once_then_lookups_recover(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a server-side disconnect")
    pid = database.lookup(select(text("pg_backend_pid()")), {})[0]
    with database.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(DBAPIError):
        database.lookup(ANSWER, {"add": 1})
    assert database.lookup(ANSWER, {"add": 1}) == (42,)


def test_the_lean_path_hands_over_to_the_app_when_the_lookup_fails(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: object) -> None:
        raise DBAPIError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(Database, "lookup", unreachable)
    layer = fastpath.StoredPages(app, lambda environ, start_response: [b"the app"])
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/checks/some-check", "wsgi.url_scheme": "http"}
    assert list(layer(environ, lambda *args: None)) == [b"the app"]
