"""Complete: no write to an audited table escapes the history, whoever sends it.

The database refuses writes outside a changeset (raw SQL, Core statements,
another program); the session refuses ORM writes it cannot attribute; and a
made-up changeset number does not survive the commit.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine, delete, insert, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from factcheck.audit.changesets import AuditError
from factcheck.audit.models import AuditChange
from factcheck.audit.triggers import CHANGESET_SETTING
from factcheck.claims.models import Tag
from tests.audit.helpers import audited_session, changes, count, head_seq, observe, tag_names

OUTSIDE = "outside an audit changeset"


@pytest.fixture
def tags(db_session: Session) -> list[Tag]:
    """Three tags, committed (audited) in the test's transaction."""
    made = [Tag(name=name) for name in ("alpha", "beta", "gamma")]
    db_session.add_all(made)
    db_session.commit()
    return made


def refused(connection: Connection, statement: object) -> str:
    """Run a statement in a savepoint; return the database's refusal message."""
    with pytest.raises(DBAPIError) as refusal, connection.begin_nested():
        connection.execute(statement)  # type: ignore[call-overload]
    return str(refusal.value.orig)


# --- the database itself ------------------------------------------------------------


RAW_SQL = {
    "insert": "INSERT INTO tags (name) VALUES ('smuggled in')",
    "update": "UPDATE tags SET name = 'renamed quietly' WHERE name = 'alpha'",
    "delete": "DELETE FROM tags WHERE name = 'alpha'",
}


@pytest.mark.parametrize("operation", RAW_SQL)
def test_raw_sql_outside_a_changeset_is_refused(
    connection: Connection, tags: list[Tag], operation: str
) -> None:
    before = changes(connection)
    message = refused(connection, text(RAW_SQL[operation]))

    assert OUTSIDE in message
    assert operation.upper() in message
    assert tag_names(connection) == {"alpha", "beta", "gamma"}
    assert changes(connection) == before


BULK_STATEMENTS: dict[str, Callable[[], object]] = {
    "insert": lambda: insert(Tag).values(name="bulk inserted"),
    "update": lambda: update(Tag).where(Tag.name.in_(["alpha", "beta"])).values(name=Tag.name + "!"),
    "delete": lambda: delete(Tag).where(Tag.name == "gamma"),
}


@pytest.mark.parametrize("operation", BULK_STATEMENTS)
def test_orm_bulk_statement_sent_through_the_connection_is_refused(
    connection: Connection, tags: list[Tag], operation: str
) -> None:
    message = refused(connection, BULK_STATEMENTS[operation]())

    assert OUTSIDE in message
    assert tag_names(connection) == {"alpha", "beta", "gamma"}


# --- the session ------------------------------------------------------------------


@pytest.mark.parametrize("operation", BULK_STATEMENTS)
def test_orm_bulk_statement_in_a_session_without_actor_is_refused(
    session_factory: sessionmaker[Session], connection: Connection, tags: list[Tag], operation: str
) -> None:
    anonymous = session_factory()
    try:
        with pytest.raises(AuditError, match="without an actor"):
            anonymous.execute(BULK_STATEMENTS[operation]())
    finally:
        anonymous.close()
    assert tag_names(connection) == {"alpha", "beta", "gamma"}


def test_orm_flush_in_a_session_without_actor_is_refused(
    session_factory: sessionmaker[Session], connection: Connection
) -> None:
    anonymous = session_factory()
    try:
        anonymous.add(Tag(name="nobody's"))
        with pytest.raises(AuditError, match="without an actor"):
            anonymous.flush()
    finally:
        anonymous.close()
    assert "nobody's" not in tag_names(connection)


def test_bulk_update_with_an_actor_records_one_change_per_row(db_session: Session, tags: list[Tag]) -> None:
    start = head_seq(db_session)
    db_session.execute(update(Tag).where(Tag.name.in_(["alpha", "beta"])).values(name=Tag.name + "!"))
    db_session.commit()

    assert head_seq(db_session) == start + 1
    recorded = {row.row_key["id"]: (row.operation, row.changes) for row in changes(db_session, start + 1)}
    assert recorded == {
        tags[0].id: ("UPDATE", {"name": ["alpha", "alpha!"]}),
        tags[1].id: ("UPDATE", {"name": ["beta", "beta!"]}),
    }


# --- a changeset number made up, without its changeset -----------------------------


def forge_context(connection: Connection, seq: int) -> None:
    """Tell the triggers a changeset is open, as the application would, but never seal it."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": CHANGESET_SETTING, "value": str(seq)}
        )
    else:
        connection.execute(text("INSERT INTO audit_context (id, seq) VALUES (1, :seq)"), {"seq": seq})


def test_writes_under_a_made_up_changeset_fail_at_commit(
    committed_engine: Engine, owner_engine: Engine
) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
        changes_before = count(observer, AuditChange)
    with committed_engine.connect() as connection:
        connection.begin()
        forge_context(connection, start + 1)
        # The triggers accept the write and record it under the made-up number ...
        connection.execute(text("INSERT INTO tags (name) VALUES ('forged context')"))
        assert [row.table_name for row in changes(connection, start + 1)] == ["tags"]
        # ... but the change refers to a changeset that does not exist.
        with pytest.raises(IntegrityError):
            connection.commit()
        connection.rollback()

    with observe(committed_engine) as observer:
        assert "forged context" not in tag_names(observer)
        assert count(observer, AuditChange) == changes_before
        assert head_seq(observer) == start
    # SQLite's trigger context; on PostgreSQL only the owner may even read the (unused) table.
    with observe(owner_engine) as observer:
        assert count(observer, text("audit_context")) == 0
    # Nothing is left behind that would block the next honest write.
    with audited_session(committed_engine) as session:
        session.add(Tag(name="honest after forgery"))
        session.commit()
    with observe(committed_engine) as observer:
        assert head_seq(observer) == start + 1


def test_a_change_inserted_by_hand_without_its_changeset_fails_at_commit(
    committed_engine: Engine, owner_engine: Engine
) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
        changes_before = count(observer, AuditChange)
    # As the owner: the app's role may not insert into audit_changes at all (test_roles.py).
    with owner_engine.connect() as connection:
        connection.begin()
        connection.execute(
            insert(AuditChange).values(
                changeset_seq=start + 1,
                table_name="tags",
                row_key={"id": 1},
                operation="UPDATE",
                changes={"name": ["a", "b"]},
            )
        )
        with pytest.raises(IntegrityError):
            connection.commit()
        connection.rollback()

    with observe(committed_engine) as observer:
        assert count(observer, AuditChange) == changes_before
