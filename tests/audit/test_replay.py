"""The replay of the history against the live rows, and what migrations add to the history.

A column a migration adds, or a table it creates, holds values no trigger
saw. The migration run records them (migrations/env.py), so that a later
change to them behind the audit's back is still found.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from factcheck.audit import triggers, verification
from factcheck.audit.changesets import Actor, connection_changeset
from tests.audit.helpers import changes, head_seq

MIGRATION = Actor.system("a migration in a test", "migration")


def findings(connection: Connection) -> list[str]:
    return [str(finding) for finding in verification.verify(connection, directory=None).findings]


def owner_update(connection: Connection, table: str, sql: str) -> None:
    """A change with the table's audit triggers out of the way (PostgreSQL: replica mode)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.exec_driver_sql(sql)
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    saved = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{table}'"  # noqa: S608
    ).all()
    for name, _sql in saved:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    connection.exec_driver_sql(sql)
    for _name, ddl in saved:
        connection.exec_driver_sql(ddl)


def migrate(connection: Connection, *ddl: str) -> None:
    """What migrations/env.py does around a migration run."""
    covered = triggers.covered_columns(connection)
    for statement in ddl:
        connection.exec_driver_sql(statement)
    triggers.sync(connection)
    with connection_changeset(connection, MIGRATION) as opened:
        triggers.record_schema_changes(connection, opened.seq, covered)


def test_a_new_columns_values_enter_the_history_and_a_later_change_to_them_shows(
    connection: Connection,
) -> None:
    with connection_changeset(connection, MIGRATION):
        connection.execute(text("INSERT INTO tags (name) VALUES ('economy'), ('health')"))
    migrate(connection, "ALTER TABLE tags ADD COLUMN colour VARCHAR(20) DEFAULT 'red'")

    recorded = [change for change in changes(connection, head_seq(connection)) if change.table_name == "tags"]
    assert {change.operation for change in recorded} == {"UPDATE"}
    assert all(change.changes == {"colour": [None, "red"]} for change in recorded)
    assert findings(connection) == []

    owner_update(connection, "tags", "UPDATE tags SET colour = 'blue' WHERE name = 'health'")

    (found,) = findings(connection)
    assert found.startswith("data: tags ")
    assert 'field colour is "blue", the history says "red" (changed unrecorded)' in found


def test_a_new_tables_rows_enter_the_history(connection: Connection) -> None:
    migrate(
        connection,
        "CREATE TABLE colours (id INTEGER PRIMARY KEY, name VARCHAR(20))",
        "INSERT INTO colours (id, name) VALUES (1, 'red'), (2, 'blue')",
    )

    inserted = [
        change for change in changes(connection, head_seq(connection)) if change.table_name == "colours"
    ]
    assert [change.changes["name"] for change in inserted] == [[None, "red"], [None, "blue"]]
    assert findings(connection) == []

    owner_update(connection, "colours", "DELETE FROM colours WHERE id = 2")

    (found,) = findings(connection)
    assert "colours" in found and "in the history, but missing from the table (deleted unrecorded)" in found


def test_a_value_in_a_field_the_history_never_mentions_shows(connection: Connection) -> None:
    """A column added outside the migrations, then filled behind the audit's back."""
    with connection_changeset(connection, MIGRATION):
        connection.execute(text("INSERT INTO tags (name) VALUES ('economy')"))
    connection.exec_driver_sql("ALTER TABLE tags ADD COLUMN colour VARCHAR(20)")
    triggers.sync(connection)
    assert findings(connection) == []

    owner_update(connection, "tags", "UPDATE tags SET colour = 'blue'")

    (found,) = findings(connection)
    assert 'field colour is "blue", which the history never recorded (changed unrecorded)' in found
