"""Append-only: the history and the security log can be added to, never changed or emptied."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from factcheck.audit.verification import verify_and_record
from factcheck.claims.models import Tag
from factcheck.security import events
from factcheck.security.models import SecurityEventKind
from tests.audit.helpers import count

APPEND_ONLY = ["audit_changesets", "audit_changes", "security_events", "audit_verifications"]
# A column of each that can be set to a text value.
TEXT_COLUMN = {
    "audit_changesets": "actor_name",
    "audit_changes": "table_name",
    "security_events": "email",
    "audit_verifications": "problem",
}


@pytest.fixture
def populated(db_session: Session, connection: Connection) -> None:
    """At least one row in each append-only table."""
    db_session.add(Tag(name="append-only"))
    events.record(db_session, SecurityEventKind.USER_CREATED, email="someone@example.org")
    db_session.commit()
    verify_and_record(connection)
    assert all(count(connection, text(table)) for table in APPEND_ONLY)


def snapshot(connection: Connection, table: str) -> list[tuple]:
    return [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]  # noqa: S608


def refused(connection: Connection, sql: str) -> str:
    with pytest.raises(DBAPIError) as refusal, connection.begin_nested():
        connection.execute(text(sql))
    return str(refusal.value.orig)


@pytest.mark.usefixtures("populated")
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_update_is_refused(connection: Connection, table: str) -> None:
    before = snapshot(connection, table)
    message = refused(connection, f"UPDATE {table} SET {TEXT_COLUMN[table]} = 'rewritten'")  # noqa: S608

    assert "append-only" in message
    assert snapshot(connection, table) == before


@pytest.mark.usefixtures("populated")
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_delete_is_refused(connection: Connection, table: str) -> None:
    before = snapshot(connection, table)
    message = refused(connection, f"DELETE FROM {table}")  # noqa: S608

    assert "append-only" in message
    assert snapshot(connection, table) == before


@pytest.mark.usefixtures("populated")
@pytest.mark.parametrize("table", [*APPEND_ONLY, "tags"])
def test_truncate_is_refused(connection: Connection, table: str) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE without WHERE fires the refusing triggers)")
    # Check the deferred foreign keys of this transaction's own inserts now: PostgreSQL
    # refuses to truncate a table with pending trigger events before any trigger runs.
    connection.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    before = snapshot(connection, table)
    # CASCADE, so the refusal comes from the trigger and not from a foreign key.
    message = refused(connection, f"TRUNCATE {table} CASCADE")

    expected = "audited table" if table == "tags" else "append-only"
    assert "TRUNCATE" in message
    assert expected in message
    assert snapshot(connection, table) == before
