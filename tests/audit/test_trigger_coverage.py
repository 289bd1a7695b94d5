"""Survives migrations: the triggers cover every audited table and column, whatever the schema became."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from factcheck import migrate
from factcheck.audit import chain, triggers
from factcheck.audit.changesets import connection_changeset
from factcheck.claims.models import Tag
from factcheck.db import make_engine
from tests.audit.helpers import TEST_ACTOR, audited_session, changes, head_seq

# Tables that must be audited whatever else the schema holds.
KNOWN_AUDITED = {"users", "claims", "claim_tags", "tags", "sources", "ratings", "verdicts", "publications"}


def columns(connection: Connection, table: str) -> list[str]:
    return [column["name"] for column in inspect(connection).get_columns(table)]


def assert_covered(connection: Connection, table: str) -> None:
    """The table's INSERT, UPDATE and DELETE are recorded with all its current columns."""
    if connection.dialect.name == "postgresql":
        definitions = triggers.trigger_sql(connection)
        row = definitions.get((table, "fc_audit_row"))
        assert row is not None, f"{table} has no row trigger"
        assert "AFTER INSERT OR DELETE OR UPDATE" in row
        assert "FOR EACH ROW EXECUTE FUNCTION fc_audit_row(" in row
        # The function records to_jsonb(NEW/OLD): every column, whatever they are.
        assert (table, "fc_audit_truncate") in definitions
        for key in inspect(connection).get_pk_constraint(table)["constrained_columns"]:
            assert f"'{key}'" in row
        return
    sql = triggers.trigger_sql(connection)
    for operation in ("insert", "update", "delete"):
        trigger = sql.get((table, f"fc_audit_{table}_{operation}"))
        assert trigger is not None, f"{table} has no {operation} trigger"
        for column in columns(connection, table):
            assert f"'{column}'" in trigger and f'"{column}"' in trigger, (table, operation, column)


def test_every_audited_table_is_covered_column_by_column(connection: Connection) -> None:
    audited = triggers.audited_tables(connection)
    assert set(audited) >= KNOWN_AUDITED | {"security_events"}
    assert not set(audited) & {"audit_changes", "audit_changesets", "audit_checkpoints", "alembic_version"}
    for table in audited:
        assert_covered(connection, table)


def test_a_column_added_later_is_recorded_after_sync(connection: Connection) -> None:
    connection.execute(text("ALTER TABLE tags ADD COLUMN colour VARCHAR(20)"))
    triggers.sync(connection)
    assert_covered(connection, "tags")

    with connection_changeset(connection, TEST_ACTOR) as opened:
        connection.execute(text("INSERT INTO tags (name) VALUES ('colourful')"))
        connection.execute(text("UPDATE tags SET colour = 'red' WHERE name = 'colourful'"))

    inserted, updated = changes(connection, opened.seq)
    assert inserted.changes["colour"] == [None, None]
    assert (updated.operation, updated.changes) == ("UPDATE", {"colour": [None, "red"]})


def test_a_batch_mode_table_recreate_is_covered_again_after_sync(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        pytest.skip("batch mode (copy and recreate the table) is how migrations alter tables on SQLite only")
    with connection_changeset(connection, TEST_ACTOR):
        connection.execute(text("INSERT INTO tags (name) VALUES ('before the recreate')"))
    operations = Operations(MigrationContext.configure(connection))
    with operations.batch_alter_table("tags", recreate="always") as batch:
        batch.add_column(sa.Column("colour", sa.String(20)))
    # Recreating the table took its triggers with it; sync (run by env.py after every
    # migration) puts them back, covering the new column too.
    assert "tags" not in {table for table, _name in triggers.existing_triggers(connection)}
    triggers.sync(connection)
    assert_covered(connection, "tags")

    with connection_changeset(connection, TEST_ACTOR) as opened:
        connection.execute(text("UPDATE tags SET colour = 'blue' WHERE name = 'before the recreate'"))
    (updated,) = changes(connection, opened.seq)
    assert updated.changes == {"colour": [None, "blue"]}
    with pytest.raises(sa.exc.DBAPIError, match="outside an audit changeset"), connection.begin_nested():
        connection.execute(text("DELETE FROM tags"))


@pytest.fixture
def empty_engine(empty_database: str) -> Iterator[Engine]:
    engine = make_engine(empty_database)
    yield engine
    engine.dispose()


def test_down_to_base_and_up_again_restores_the_triggers_and_auditing(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        installed = triggers.existing_triggers(connection)
    assert installed

    migrate.downgrade(empty_engine, "base")
    with empty_engine.connect() as connection:
        assert triggers.existing_triggers(connection) == []
    migrate.upgrade(empty_engine)

    with empty_engine.connect() as connection:
        assert triggers.existing_triggers(connection) == installed
        for table in triggers.audited_tables(connection):
            assert_covered(connection, table)
        start = head_seq(connection)
    with audited_session(empty_engine) as session:
        session.add(Tag(name="after the round trip"))
        session.commit()
    with empty_engine.connect() as connection:
        assert [(row.table_name, row.operation) for row in changes(connection, start + 1)] == [
            ("tags", "INSERT")
        ]
        assert chain.verify(connection).ok
    with (
        pytest.raises(sa.exc.DBAPIError, match="outside an audit changeset"),
        empty_engine.begin() as connection,
    ):
        connection.execute(text("DELETE FROM tags"))
