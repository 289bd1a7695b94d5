"""PostgreSQL roles: the owner migrates and owns everything; the app's role gets only what it needs.

The owner runs the migrations, so it owns the tables, the sequences and the audit
functions; an owner can always drop a trigger, and the history would not stop it.
The app connects as another role, which may:

- read and write the working tables (the audited domain tables, login sessions);
- only read ``audit_changesets`` and ``audit_changes``: their rows are written by
  ``fc_audit_row()`` and ``fc_audit_seal()``, which run with the owner's rights
  (SECURITY DEFINER, triggers.py);
- only read and insert into the other append-only tables (the security log,
  verifications, checkpoints), whose triggers refuse UPDATE and DELETE anyway;
- read ``alembic_version``, and call ``fc_audit_open()`` and ``fc_audit_seal()``.

It may not truncate, reference or put triggers on any table, create anything in
the schema (a table or function of its own could stand in for ours), or own
anything: DROP TRIGGER, ALTER TABLE ... DISABLE TRIGGER and CREATE OR REPLACE
FUNCTION need ownership. :func:`grant_app_role` makes the grants exactly so (it
revokes whatever the role had first), and is run again after every migration
when ``DATABASE_APP_ROLE`` is set (migrations/env.py), so new tables are covered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text

from factcheck.audit import triggers
from factcheck.audit.triggers import quote

READ_WRITE = "SELECT, INSERT, UPDATE, DELETE"
READ_INSERT = "SELECT, INSERT"
READ_ONLY = "SELECT"

# Written only by the SECURITY DEFINER functions.
_READ_ONLY_TABLES = frozenset({*triggers.AUDIT_TABLES, "alembic_version"})
# Append-only by trigger; the app adds rows itself.
_READ_INSERT_TABLES = frozenset(triggers.APPEND_ONLY) - _READ_ONLY_TABLES
# SQLite's trigger context; PostgreSQL uses a transaction-local setting instead.
_NO_ACCESS_TABLES = frozenset({"audit_context"})

# The audit functions the app calls itself; the row trigger's function is not among
# them: PostgreSQL checks EXECUTE on a trigger function when the trigger is created
# (by the owner), not when it fires.
APP_FUNCTIONS = ("fc_audit_open", "fc_audit_seal")


class RoleError(RuntimeError):
    """The grants cannot be made safely (SQLite, no such role, a role that could undo them)."""


@dataclass(frozen=True)
class Grants:
    """What the app's role was given, for the command to report."""

    role: str
    tables: dict[str, str]
    sequences: list[str]
    functions: list[str]

    def describe(self) -> str:
        counts: dict[str, int] = {}
        for privileges in self.tables.values():
            counts[privileges] = counts.get(privileges, 0) + 1
        tables = "; ".join(
            f"{privileges} on {number} tables" for privileges, number in sorted(counts.items())
        )
        return (
            f"{self.role}: {tables}; USAGE, SELECT on {len(self.sequences)} sequences; "
            f"EXECUTE on {', '.join(self.functions)}; nothing else"
        )


def table_privileges(tables: Iterable[str]) -> dict[str, str]:
    """Table -> the privileges the app's role gets on it (tables absent here get none)."""
    granted = {}
    for table in sorted(tables):
        if table in _NO_ACCESS_TABLES:
            continue
        if table in _READ_ONLY_TABLES:
            granted[table] = READ_ONLY
        elif table in _READ_INSERT_TABLES:
            granted[table] = READ_INSERT
        else:
            # The domain tables (audited by trigger) and working tables like login_sessions.
            granted[table] = READ_WRITE
    return granted


def grant_app_role(connection: Connection, role: str) -> Grants:
    """As the owner, on a migrated database: give ``role`` exactly the app's rights.

    Idempotent. Raises :class:`RoleError` on SQLite, for a role that does not exist,
    and for one that could undo the grants (the current user, a superuser, a role
    that may create roles, a member of the current user, the owner of anything here).
    """
    if connection.dialect.name != "postgresql":
        raise RoleError("database roles exist on PostgreSQL only; on SQLite there is nothing to grant")
    existing = inspect(connection).get_table_names()
    if "alembic_version" not in existing:
        raise RoleError("the database has no schema yet: run factcheck db upgrade first")
    _check_role(connection, role)

    schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    grantee, in_schema = quote(role), quote(schema)

    def run(statement: str) -> None:
        connection.exec_driver_sql(statement)

    run(f"GRANT CONNECT ON DATABASE {quote(database)} TO {grantee}")
    # Nobody but the owner creates objects here: a table or function of the same name
    # earlier on someone's search path could stand in for ours.
    run(f"REVOKE CREATE ON SCHEMA {in_schema} FROM PUBLIC, {grantee}")
    run(f"GRANT USAGE ON SCHEMA {in_schema} TO {grantee}")

    # Start from nothing, so a second run takes away what the first one (or anyone) gave too much.
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {in_schema} FROM {grantee}")
    run(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {in_schema} FROM {grantee}")
    run(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {in_schema} FROM PUBLIC")
    tables = table_privileges(existing)
    for table, privileges in tables.items():
        run(f"GRANT {privileges} ON TABLE {quote(table)} TO {grantee}")
    sequences = _sequences_of(
        connection, [table for table, privileges in tables.items() if "INSERT" in privileges]
    )
    for sequence in sequences:
        run(f"GRANT USAGE, SELECT ON SEQUENCE {quote(sequence)} TO {grantee}")

    functions = _audit_functions(connection)
    for signature in functions.values():
        # Functions are executable by PUBLIC unless revoked; the audit ones by the app only.
        run(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC, {grantee}")
    called = [name for name in APP_FUNCTIONS if name in functions]
    for name in called:
        run(f"GRANT EXECUTE ON FUNCTION {functions[name]} TO {grantee}")

    # Tables a later migration creates get the working tables' rights until this runs
    # again after it (migrations/env.py) and narrows them where needed.
    run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {in_schema} GRANT {READ_WRITE} ON TABLES TO {grantee}")
    run(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {in_schema} GRANT USAGE, SELECT ON SEQUENCES TO {grantee}")
    return Grants(role, tables, sequences, called)


def _check_role(connection: Connection, role: str) -> None:
    found = connection.execute(
        text(
            "SELECT r.rolname = current_user, r.rolsuper, r.rolcreaterole, "
            "pg_has_role(r.oid, current_user, 'MEMBER') "
            "FROM pg_roles r WHERE r.rolname = :role"
        ),
        {"role": role},
    ).first()
    if found is None:
        raise RoleError(f"no database role named {role}: create it first (docs/audit.md, PostgreSQL roles)")
    is_current, superuser, createrole, member = found
    if is_current:
        raise RoleError(
            f"{role} is the role running this command (the owner); the app needs a role of its own"
        )
    if superuser:
        raise RoleError(f"{role} is a superuser: it could drop or disable the audit triggers")
    if createrole:
        raise RoleError(f"{role} may create roles (CREATEROLE), and so grant itself the owner's rights")
    if member:
        raise RoleError(f"{role} is a member of the owner role and has its rights: revoke the membership")
    owned = owned_by(connection, role)
    if owned:
        raise RoleError(
            f"{role} owns {', '.join(owned[:3])}{' and more' if len(owned) > 3 else ''}; "
            "the owner role must own everything (ALTER ... OWNER TO)"
        )


def owned_by(connection: Connection, role: str) -> list[str]:
    """What ``role`` owns here: the database, the schema, or anything in it."""
    rows = connection.execute(
        text(
            "SELECT 'database ' || datname FROM pg_database "
            "WHERE datname = current_database() AND datdba = (SELECT oid FROM pg_roles WHERE rolname = :role) "
            "UNION ALL SELECT 'schema ' || nspname FROM pg_namespace "
            "WHERE nspname = current_schema() AND nspowner = (SELECT oid FROM pg_roles WHERE rolname = :role) "
            "UNION ALL SELECT 'relation ' || relname FROM pg_class "
            "WHERE relnamespace = current_schema()::regnamespace "
            "AND relowner = (SELECT oid FROM pg_roles WHERE rolname = :role) "
            "UNION ALL SELECT 'function ' || proname FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace "
            "AND proowner = (SELECT oid FROM pg_roles WHERE rolname = :role) "
            "ORDER BY 1"
        ),
        {"role": role},
    )
    return list(rows.scalars())


def _sequences_of(connection: Connection, tables: list[str]) -> list[str]:
    """The sequences that number these tables' rows (serial and identity columns)."""
    if not tables:
        return []
    rows = connection.execute(
        text(
            "SELECT DISTINCT s.relname FROM pg_class s "
            "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
            "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace "
            "AND t.relname = ANY(:tables) ORDER BY 1"
        ),
        {"tables": tables},
    )
    return list(rows.scalars())


def _audit_functions(connection: Connection) -> dict[str, str]:
    """Name -> signature (``fc_audit_open(bigint)``) of each audit function present."""
    rows = connection.execute(
        text(
            "SELECT proname, oid::regprocedure::text FROM pg_proc "
            "WHERE pronamespace = current_schema()::regnamespace AND proname = ANY(:names)"
        ),
        {"names": list(triggers.PG_FUNCTIONS)},
    )
    return {name: signature for name, signature in rows}
