"""Database triggers that make the audit history complete by construction.

For every audited table (every table but the ones in ``NOT_AUDITED``):

- each INSERT, UPDATE and DELETE writes a row to ``audit_changes`` with the
  changed fields' old and new values, in the same statement, so the change and
  its record commit or roll back together;
- a write outside an open changeset is refused by the database, whoever sends
  it (ORM, bulk ``update()``, raw SQL, another program);
- on PostgreSQL, TRUNCATE is refused.

The audit tables themselves refuse UPDATE, DELETE and TRUNCATE, and a new
changeset must extend the hash chain by exactly one (gap-free, no forks).

Triggers are generated from the *live* schema, not from the models, so they
fit whatever revision the database is at. ``migrations/env.py`` calls
:func:`sync` after every migration run: SQLite batch mode recreates tables and
loses their triggers, and a new column must be covered at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, inspect, text

PREFIX = "fc_audit"
GENESIS_HASH = "0" * 64
CHANGESET_SETTING = "factcheck.changeset"

AUDIT_TABLES = ("audit_changesets", "audit_changes")
# Append-only: rows may be inserted, never changed or removed.
APPEND_ONLY = (*AUDIT_TABLES, "audit_verifications", "security_events")
NOT_AUDITED = frozenset(
    {
        "alembic_version",
        "audit_context",
        *APPEND_ONLY,
        # Logins are recorded in the security log, not the field-level history.
        "login_sessions",
    }
)


# Derived data rebuilt from audited tables (full-text indexes and their shadow tables).
NOT_AUDITED_PREFIX = "search_"


def is_audited(table: str) -> bool:
    return table not in NOT_AUDITED and not table.startswith(NOT_AUDITED_PREFIX)


def audited_tables(connection: Connection) -> list[str]:
    names = inspect(connection).get_table_names()
    return sorted(name for name in names if is_audited(name))


def audit_installed(connection: Connection) -> bool:
    return "audit_changes" in inspect(connection).get_table_names()


def sync(connection: Connection) -> None:
    """Drop every audit trigger and create the ones the current schema needs."""
    remove(connection)
    if not audit_installed(connection):
        return
    if connection.dialect.name == "postgresql":
        _create_postgresql(connection)
    else:
        _create_sqlite(connection)


def remove(connection: Connection) -> None:
    for table, trigger in existing_triggers(connection):
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
        else:
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{trigger}"')


def existing_triggers(connection: Connection) -> list[tuple[str, str]]:
    """(table, trigger name) of every audit trigger in the database."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE :pattern ORDER BY 1, 2"
            ),
            {"pattern": PREFIX + "%"},
        )
    else:
        rows = connection.execute(
            text(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE :pattern ORDER BY 1, 2"
            ),
            {"pattern": PREFIX + "%"},
        )
    return [(table, name) for table, name in rows]


def trigger_sql(connection: Connection) -> dict[tuple[str, str], str]:
    """(table, trigger name) -> its SQL (SQLite) or definition (PostgreSQL); for tests and debugging.

    Keyed by table too: on PostgreSQL every table's row trigger has the same name.
    """
    if connection.dialect.name == "postgresql":
        query = (
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname LIKE :pattern"
        )
    else:
        query = "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE :pattern"
    rows = connection.execute(text(query), {"pattern": PREFIX + "%"})
    return {(table, name): sql for table, name, sql in rows}


def _columns(connection: Connection, table: str) -> list[str]:
    return [column["name"] for column in inspect(connection).get_columns(table)]


def _primary_key(connection: Connection, table: str) -> list[str]:
    return list(inspect(connection).get_pk_constraint(table)["constrained_columns"])


def _claim_column(table: str, columns: Iterable[str]) -> str | None:
    """The column that says which claim a row belongs to, if any."""
    if table == "claims":
        return "id"
    return "claim_id" if "claim_id" in columns else None


# --- PostgreSQL --------------------------------------------------------------

# One generic row trigger: to_jsonb() covers every column, present and future.
# Arguments: the claim column ('' if none), then the primary-key columns.
_PG_ROW_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    changeset bigint := nullif(current_setting('{CHANGESET_SETTING}', true), '')::bigint;
    old_row jsonb;
    new_row jsonb;
    diff jsonb;
    row_key jsonb := '{{}}'::jsonb;
    claim bigint;
    i integer;
BEGIN
    IF changeset IS NULL THEN
        RAISE EXCEPTION 'audit: % on % outside an audit changeset', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
    FOR i IN 1 .. TG_NARGS - 1 LOOP
        row_key := row_key || jsonb_build_object(TG_ARGV[i], coalesce(new_row, old_row) -> TG_ARGV[i]);
    END LOOP;
    IF TG_ARGV[0] <> '' THEN
        claim := (coalesce(new_row, old_row) ->> TG_ARGV[0])::bigint;
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_object_agg(e.key, jsonb_build_array(NULL, e.value)) INTO diff
        FROM jsonb_each(new_row) AS e;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_object_agg(e.key, jsonb_build_array(e.value, NULL)) INTO diff
        FROM jsonb_each(old_row) AS e;
    ELSE
        SELECT jsonb_object_agg(n.key, jsonb_build_array(o.value, n.value)) INTO diff
        FROM jsonb_each(new_row) AS n JOIN jsonb_each(old_row) AS o ON o.key = n.key
        WHERE n.value IS DISTINCT FROM o.value;
        IF diff IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes, claim_id)
    VALUES (changeset, TG_TABLE_NAME, row_key, TG_OP, diff, claim);
    RETURN NULL;
END
$fn$
"""

_PG_REFUSE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_refuse() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'audit: % on % is not allowed (%)', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'insufficient_privilege';
END
$fn$
"""

_PG_CHAIN_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_chain() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    head_seq bigint;
    head_hash text;
BEGIN
    SELECT seq, hash INTO head_seq, head_hash FROM audit_changesets ORDER BY seq DESC LIMIT 1;
    IF NEW.seq <> coalesce(head_seq, 0) + 1 OR NEW.prev_hash <> coalesce(head_hash, '{GENESIS_HASH}') THEN
        RAISE EXCEPTION 'audit: changeset % does not extend the chain head %', NEW.seq, head_seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$fn$
"""

PG_FUNCTIONS = (f"{PREFIX}_row", f"{PREFIX}_refuse", f"{PREFIX}_chain")


def install_postgresql_functions(connection: Connection) -> None:
    for ddl in (_PG_ROW_FUNCTION, _PG_REFUSE_FUNCTION, _PG_CHAIN_FUNCTION):
        # The driver reads % as a parameter marker; PL/pgSQL's RAISE needs it literally.
        connection.exec_driver_sql(ddl.replace("%", "%%"))


def drop_postgresql_functions(connection: Connection) -> None:
    for name in PG_FUNCTIONS:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}() CASCADE")


def _create_postgresql(connection: Connection) -> None:
    install_postgresql_functions(connection)
    execute = connection.exec_driver_sql
    for table in audited_tables(connection):
        columns = _columns(connection, table)
        args = ", ".join(
            f"'{name}'" for name in [_claim_column(table, columns) or "", *_primary_key(connection, table)]
        )
        execute(
            f'CREATE TRIGGER "{PREFIX}_row" AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_row({args})"
        )
        execute(
            f'CREATE TRIGGER "{PREFIX}_truncate" BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_refuse('audited table')"
        )
    for table in _present(connection, APPEND_ONLY):
        execute(
            f'CREATE TRIGGER "{PREFIX}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_refuse('append-only')"
        )
        execute(
            f'CREATE TRIGGER "{PREFIX}_no_truncate" BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_refuse('append-only')"
        )
    execute(
        f'CREATE TRIGGER "{PREFIX}_chain" BEFORE INSERT ON audit_changesets '
        f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}_chain()"
    )


def _present(connection: Connection, tables: Iterable[str]) -> list[str]:
    existing = set(inspect(connection).get_table_names())
    return [table for table in tables if table in existing]


# --- SQLite ------------------------------------------------------------------
# SQLite triggers cannot iterate over columns, so each names its table's
# columns; sync() regenerates them whenever the schema changes.


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_row_key(row: str, key: list[str]) -> str:
    return "json_object(" + ", ".join(f"'{name}', {row}.{_q(name)}" for name in key) + ")"


def _sqlite_guard(operation: str, table: str) -> str:
    return (
        f"SELECT RAISE(ABORT, 'audit: {operation} on {table} outside an audit changeset') "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_context);"
    )


def _sqlite_audit_triggers(connection: Connection, table: str) -> list[str]:
    columns = _columns(connection, table)
    key = _primary_key(connection, table)
    claim_column = _claim_column(table, columns)
    insert_into = (
        "INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes, claim_id)"
    )
    seq = "(SELECT seq FROM audit_context)"

    def claim(row: str) -> str:
        return f"{row}.{_q(claim_column)}" if claim_column else "NULL"

    def whole_row(row: str, old_first: bool) -> str:
        pairs = (
            f"'{name}', json_array({row}.{_q(name)}, NULL)"
            if old_first
            else f"'{name}', json_array(NULL, {row}.{_q(name)})"
            for name in columns
        )
        return "json_object(" + ", ".join(pairs) + ")"

    changed = " UNION ALL ".join(
        f"SELECT {position} AS position, '{name}' AS field, json_array(OLD.{_q(name)}, NEW.{_q(name)}) AS pair "
        f"WHERE OLD.{_q(name)} IS NOT NEW.{_q(name)}"
        for position, name in enumerate(columns)
    )
    name = f"{PREFIX}_{table}"
    return [
        f"CREATE TRIGGER {_q(name + '_insert')} AFTER INSERT ON {_q(table)} BEGIN "
        f"{_sqlite_guard('INSERT', table)} "
        f"{insert_into} VALUES ({seq}, '{table}', {_sqlite_row_key('NEW', key)}, 'INSERT', "
        f"{whole_row('NEW', old_first=False)}, {claim('NEW')}); END",
        f"CREATE TRIGGER {_q(name + '_delete')} AFTER DELETE ON {_q(table)} BEGIN "
        f"{_sqlite_guard('DELETE', table)} "
        f"{insert_into} VALUES ({seq}, '{table}', {_sqlite_row_key('OLD', key)}, 'DELETE', "
        f"{whole_row('OLD', old_first=True)}, {claim('OLD')}); END",
        f"CREATE TRIGGER {_q(name + '_update')} AFTER UPDATE ON {_q(table)} BEGIN "
        f"{_sqlite_guard('UPDATE', table)} "
        f"{insert_into} SELECT {seq}, '{table}', {_sqlite_row_key('NEW', key)}, 'UPDATE', diff, {claim('NEW')} "
        f"FROM (SELECT json_group_object(field, json(pair)) AS diff "
        f"FROM (SELECT * FROM ({changed}) ORDER BY position)) WHERE diff <> '{{}}'; END",
    ]


def _create_sqlite(connection: Connection) -> None:
    execute = connection.exec_driver_sql
    for table in audited_tables(connection):
        for ddl in _sqlite_audit_triggers(connection, table):
            execute(ddl)
    for table in _present(connection, APPEND_ONLY):
        for operation in ("UPDATE", "DELETE"):
            execute(
                f"CREATE TRIGGER {_q(f'{PREFIX}_{table}_no_{operation.lower()}')} BEFORE {operation} "
                f"ON {_q(table)} BEGIN SELECT RAISE(ABORT, 'audit: {operation} on {table} is not allowed "
                f"(append-only)'); END"
            )
    execute(
        f"CREATE TRIGGER {_q(PREFIX + '_chain')} BEFORE INSERT ON audit_changesets BEGIN "
        "SELECT RAISE(ABORT, 'audit: changeset does not extend the chain head') "
        "WHERE NEW.seq <> coalesce((SELECT max(seq) FROM audit_changesets), 0) + 1 "
        f"OR NEW.prev_hash <> coalesce((SELECT hash FROM audit_changesets ORDER BY seq DESC LIMIT 1), "
        f"'{GENESIS_HASH}'); END"
    )


def record_existing_rows(connection: Connection, seq: int) -> None:
    """Write an INSERT change for every row already in an audited table, in changeset ``seq``.

    Used once, when the audit history is installed on a database that has
    data, so that the history accounts for every row from then on. The
    records have exactly the form the triggers write.
    """
    for table in audited_tables(connection):
        columns = _columns(connection, table)
        key = _primary_key(connection, table)
        claim_column = _claim_column(table, columns)
        if connection.dialect.name == "postgresql":
            row_key = (
                "jsonb_build_object(" + ", ".join(f"'{name}', to_jsonb(t.{_q(name)})" for name in key) + ")"
            )
            changes = "(SELECT jsonb_object_agg(e.key, jsonb_build_array(NULL, e.value)) FROM jsonb_each(to_jsonb(t)) AS e)"
            claim = f"t.{_q(claim_column)}" if claim_column else "NULL"
        else:
            row_key = _sqlite_row_key("t", key)
            changes = (
                "json_object("
                + ", ".join(f"'{name}', json_array(NULL, t.{_q(name)})" for name in columns)
                + ")"
            )
            claim = f"t.{_q(claim_column)}" if claim_column else "NULL"
        order = ", ".join(f"t.{_q(name)}" for name in key)
        connection.exec_driver_sql(
            "INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes, claim_id) "
            f"SELECT {int(seq)}, '{table}', {row_key}, 'INSERT', {changes}, {claim} FROM {_q(table)} AS t ORDER BY {order}"
        )
