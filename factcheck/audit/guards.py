"""The guards themselves: every audit trigger present, unchanged and enabled.

The replay finds what a missing trigger let through; this says that the
trigger is missing (or disabled, or rewritten) before anything slipped past.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from factcheck.audit import triggers

# pg_trigger.tgenabled: O fires in normal sessions, A always; D is disabled and R fires
# only under session_replication_role = replica (that is, not for the app).
_PG_ENABLED = {"O", "A"}


def check(connection: Connection) -> list[str]:
    """What is wrong with the audit triggers (and, on PostgreSQL, their functions); empty if nothing."""
    if connection.dialect.name == "postgresql":
        return _check_postgresql(connection)
    return _check_sqlite(connection)


def _check_sqlite(connection: Connection) -> list[str]:
    present = {
        (table, name): sql
        for table, name, sql in connection.execute(
            text("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
        )
    }
    problems = []
    for expected in triggers.expected_triggers(connection):
        sql = present.get((expected.table, expected.name))
        if sql is None:
            problems.append(f"table {expected.table} lacks its audit trigger {expected.name} (dropped)")
        elif sql != expected.ddl:
            problems.append(f"table {expected.table}: audit trigger {expected.name} was altered")
    return problems


def _check_postgresql(connection: Connection) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT c.relname, t.tgname, t.tgenabled, p.proname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )
    )
    present = {(table, name): (enabled, function) for table, name, enabled, function in rows}
    problems = []
    for expected in triggers.expected_triggers(connection):
        found = present.get((expected.table, expected.name))
        if found is None:
            problems.append(f"table {expected.table} lacks its audit trigger {expected.name} (dropped)")
            continue
        enabled, function = found
        if enabled not in _PG_ENABLED:
            problems.append(f"table {expected.table}: audit trigger {expected.name} is disabled")
        if function != expected.function:
            problems.append(
                f"table {expected.table}: audit trigger {expected.name} runs {function}(), "
                f"not {expected.function}()"
            )
    bodies = dict(
        connection.execute(
            text(
                "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE :pattern "
                "AND pronamespace = current_schema()::regnamespace"
            ),
            {"pattern": triggers.PREFIX + "%"},
        ).all()
    )
    for name, body in triggers.postgresql_function_bodies().items():
        if name not in bodies:
            problems.append(f"audit function {name}() is missing")
        elif bodies[name] != body:
            problems.append(f"audit function {name}() was replaced by another body")
    return problems
