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
from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, inspect, text

PREFIX = "fc_audit"
GENESIS_HASH = "0" * 64
# What the migrations record of what they remove (record_schema_changes): the changes of an
# ALTER name the columns dropped from the table; a DROP, the table itself.
DROPPED_COLUMNS, DROPPED_TABLE = "ALTER", "DROP"
SCHEMA_OPERATIONS = frozenset({DROPPED_COLUMNS, DROPPED_TABLE})
CHANGESET_SETTING = "factcheck.changeset"

AUDIT_TABLES = ("audit_changesets", "audit_changes")
# Append-only: rows may be inserted, never changed or removed.
APPEND_ONLY = (*AUDIT_TABLES, "audit_verifications", "audit_checkpoints", "security_events")
NOT_AUDITED = frozenset(
    {
        "alembic_version",
        "audit_context",
        *AUDIT_TABLES,
        # Protected by their own signatures (checkpoints) or rebuilt by every run (verifications).
        "audit_verifications",
        "audit_checkpoints",
        # Logins are recorded in the security log, not the field-level history.
        "login_sessions",
        # Operational rows that change with every claim, lease and try of the worker; the change
        # that made them (a publication, a submission) is audited in the same transaction, and
        # a webhook's secret is kept out of a history admins read (docs/worker.md).
        "jobs",
        "webhook_deliveries",
        "webhook_secrets",
        # When an API token was last used: not a change anyone makes (factcheck/api/tokens.py).
        "api_token_uses",
        # A snapshot's WARC bytes: the audited snapshots.warc_sha256 vouches for them
        # (factcheck/archive/models.py says why they are kept out of the history).
        "snapshot_warcs",
        # The bytes of uploaded originals (PDFs): binary, written once; the audited
        # documents.file_sha256 vouches for them (factcheck/documents/models.py).
        "document_files",
        # In-app notifications and their read marks: what caused one (a move, a comment, an
        # assignment) is audited itself, in the same transaction (docs/notifications.md).
        "notifications",
        # Verdict pages rendered from the (audited) publications, rebuilt at will (factcheck/public/stored.py).
        "stored_pages",
        # Each claim's search entry, its own and its sources' words, rebuilt from them by triggers
        # (factcheck/search/entries.py); the search_ prefix below keeps it out too.
        "search_claim_entries",
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


def table_columns(connection: Connection, table: str) -> list[str]:
    return [column["name"] for column in inspect(connection).get_columns(table)]


def primary_key(connection: Connection, table: str) -> list[str]:
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
CREATE OR REPLACE FUNCTION {PREFIX}_row() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
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

# Opening a changeset in one round trip: take the chain lock, then (in a statement of
# its own, so it sees the head as it is once the lock is held) read the head and tell
# the row triggers the next sequence number.
_PG_OPEN_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_open(lock_key bigint, OUT head_seq bigint, OUT head_hash text)
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT seq, hash INTO head_seq, head_hash FROM audit_changesets ORDER BY seq DESC LIMIT 1;
    PERFORM set_config('{CHANGESET_SETTING}', (coalesce(head_seq, 0) + 1)::text, true);
END
$fn$
"""

# Sealing: the changeset row, written with the owner's rights (the app's role may not
# write audit tables itself), and the trigger context closed.
_PG_SEAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}_seal(
    p_seq bigint, p_occurred_at timestamptz, p_actor_id integer, p_actor_name text, p_actor_role text,
    p_origin text, p_request_id text, p_client_request_id text, p_reason text, p_key_id text,
    p_prev_hash text, p_hash text
) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    IF p_seq IS DISTINCT FROM nullif(current_setting('{CHANGESET_SETTING}', true), '')::bigint THEN
        RAISE EXCEPTION 'audit: changeset % is not the one open in this transaction', p_seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO audit_changesets (seq, occurred_at, actor_id, actor_name, actor_role, origin, request_id,
        client_request_id, reason, key_id, prev_hash, hash)
    VALUES (p_seq, p_occurred_at, p_actor_id, p_actor_name, p_actor_role, p_origin, p_request_id,
        p_client_request_id, p_reason, p_key_id, p_prev_hash, p_hash);
    PERFORM set_config('{CHANGESET_SETTING}', '', true);
END
$fn$
"""

# name -> (argument types, DDL)
_PG_FUNCTION_DDL = {
    f"{PREFIX}_row": ("", _PG_ROW_FUNCTION),
    f"{PREFIX}_refuse": ("", _PG_REFUSE_FUNCTION),
    f"{PREFIX}_chain": ("", _PG_CHAIN_FUNCTION),
    f"{PREFIX}_open": ("bigint", _PG_OPEN_FUNCTION),
    f"{PREFIX}_seal": (
        "bigint, timestamptz, integer, text, text, text, text, text, text, text, text, text",
        _PG_SEAL_FUNCTION,
    ),
}
PG_FUNCTIONS = tuple(_PG_FUNCTION_DDL)


def postgresql_function_bodies() -> dict[str, str]:
    """Each function's body as PostgreSQL keeps it (pg_proc.prosrc), to check none was replaced."""
    return {name: ddl.split("$fn$")[1] for name, (_args, ddl) in _PG_FUNCTION_DDL.items()}


def install_postgresql_functions(connection: Connection) -> None:
    # The functions that run with the owner's rights search only the app's schema and, last,
    # pg_temp, so a caller's temporary table cannot stand in for an audit table.
    schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    search_path = f"SET search_path = {quote(schema)}, pg_temp"
    for _args, ddl in _PG_FUNCTION_DDL.values():
        # The driver reads % as a parameter marker; PL/pgSQL's RAISE needs it literally.
        connection.exec_driver_sql(
            ddl.replace("SET search_path FROM CURRENT", search_path).replace("%", "%%")
        )


def drop_postgresql_functions(connection: Connection) -> None:
    for name, (args, _ddl) in _PG_FUNCTION_DDL.items():
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}({args}) CASCADE")


@dataclass(frozen=True)
class ExpectedTrigger:
    table: str
    name: str
    ddl: str
    # PostgreSQL: the function it runs.
    function: str | None = None


def expected_triggers(connection: Connection) -> list[ExpectedTrigger]:
    """Every audit trigger the current schema needs, with the DDL that makes it."""
    if connection.dialect.name == "postgresql":
        return _postgresql_triggers(connection)
    return _sqlite_triggers(connection)


def _postgresql_triggers(connection: Connection) -> list[ExpectedTrigger]:
    made: list[ExpectedTrigger] = []

    def trigger(table: str, name: str, when: str, function: str, args: str) -> None:
        ddl = (
            f'CREATE TRIGGER "{name}" {when} ON "{table}" '
            f"FOR EACH {'STATEMENT' if 'TRUNCATE' in when else 'ROW'} EXECUTE FUNCTION {function}({args})"
        )
        made.append(ExpectedTrigger(table, name, ddl, function))

    for table in audited_tables(connection):
        columns = table_columns(connection, table)
        args = ", ".join(
            f"'{name}'" for name in [_claim_column(table, columns) or "", *primary_key(connection, table)]
        )
        trigger(table, f"{PREFIX}_row", "AFTER INSERT OR UPDATE OR DELETE", f"{PREFIX}_row", args)
        trigger(table, f"{PREFIX}_truncate", "BEFORE TRUNCATE", f"{PREFIX}_refuse", "'audited table'")
    for table in _present(connection, APPEND_ONLY):
        trigger(
            table, f"{PREFIX}_append_only", "BEFORE UPDATE OR DELETE", f"{PREFIX}_refuse", "'append-only'"
        )
        trigger(table, f"{PREFIX}_no_truncate", "BEFORE TRUNCATE", f"{PREFIX}_refuse", "'append-only'")
    trigger("audit_changesets", f"{PREFIX}_chain", "BEFORE INSERT", f"{PREFIX}_chain", "")
    return made


def _create_postgresql(connection: Connection) -> None:
    install_postgresql_functions(connection)
    for expected in _postgresql_triggers(connection):
        connection.exec_driver_sql(expected.ddl)


def _present(connection: Connection, tables: Iterable[str]) -> list[str]:
    existing = set(inspect(connection).get_table_names())
    return [table for table in tables if table in existing]


# --- SQLite ------------------------------------------------------------------
# SQLite triggers cannot iterate over columns, so each names its table's
# columns; sync() regenerates them whenever the schema changes.


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_row_key(row: str, key: list[str]) -> str:
    return "json_object(" + ", ".join(f"'{name}', {row}.{quote(name)}" for name in key) + ")"


def _sqlite_guard(operation: str, table: str) -> str:
    return (
        f"SELECT RAISE(ABORT, 'audit: {operation} on {table} outside an audit changeset') "
        "WHERE NOT EXISTS (SELECT 1 FROM audit_context);"
    )


def _sqlite_audit_triggers(connection: Connection, table: str) -> list[str]:
    columns = table_columns(connection, table)
    key = primary_key(connection, table)
    claim_column = _claim_column(table, columns)
    insert_into = (
        "INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes, claim_id)"
    )
    seq = "(SELECT seq FROM audit_context)"

    def claim(row: str) -> str:
        return f"{row}.{quote(claim_column)}" if claim_column else "NULL"

    def whole_row(row: str, old_first: bool) -> str:
        pairs = (
            f"'{name}', json_array({row}.{quote(name)}, NULL)"
            if old_first
            else f"'{name}', json_array(NULL, {row}.{quote(name)})"
            for name in columns
        )
        return "json_object(" + ", ".join(pairs) + ")"

    changed = " UNION ALL ".join(
        f"SELECT {position} AS position, '{name}' AS field, json_array(OLD.{quote(name)}, NEW.{quote(name)}) AS pair "
        f"WHERE OLD.{quote(name)} IS NOT NEW.{quote(name)}"
        for position, name in enumerate(columns)
    )
    name = f"{PREFIX}_{table}"
    return [
        f"CREATE TRIGGER {quote(name + '_insert')} AFTER INSERT ON {quote(table)} BEGIN "
        f"{_sqlite_guard('INSERT', table)} "
        f"{insert_into} VALUES ({seq}, '{table}', {sqlite_row_key('NEW', key)}, 'INSERT', "
        f"{whole_row('NEW', old_first=False)}, {claim('NEW')}); END",
        f"CREATE TRIGGER {quote(name + '_delete')} AFTER DELETE ON {quote(table)} BEGIN "
        f"{_sqlite_guard('DELETE', table)} "
        f"{insert_into} VALUES ({seq}, '{table}', {sqlite_row_key('OLD', key)}, 'DELETE', "
        f"{whole_row('OLD', old_first=True)}, {claim('OLD')}); END",
        f"CREATE TRIGGER {quote(name + '_update')} AFTER UPDATE ON {quote(table)} BEGIN "
        f"{_sqlite_guard('UPDATE', table)} "
        f"{insert_into} SELECT {seq}, '{table}', {sqlite_row_key('NEW', key)}, 'UPDATE', diff, {claim('NEW')} "
        f"FROM (SELECT json_group_object(field, json(pair)) AS diff "
        f"FROM (SELECT * FROM ({changed}) ORDER BY position)) WHERE diff <> '{{}}'; END",
    ]


def _sqlite_triggers(connection: Connection) -> list[ExpectedTrigger]:
    made = [
        ExpectedTrigger(table, ddl.split('"')[1], ddl)
        for table in audited_tables(connection)
        for ddl in _sqlite_audit_triggers(connection, table)
    ]
    for table in _present(connection, APPEND_ONLY):
        for operation in ("UPDATE", "DELETE"):
            name = f"{PREFIX}_{table}_no_{operation.lower()}"
            made.append(
                ExpectedTrigger(
                    table,
                    name,
                    f"CREATE TRIGGER {quote(name)} BEFORE {operation} ON {quote(table)} BEGIN "
                    f"SELECT RAISE(ABORT, 'audit: {operation} on {table} is not allowed (append-only)'); END",
                )
            )
    name = f"{PREFIX}_chain"
    made.append(
        ExpectedTrigger(
            "audit_changesets",
            name,
            f"CREATE TRIGGER {quote(name)} BEFORE INSERT ON audit_changesets BEGIN "
            "SELECT RAISE(ABORT, 'audit: changeset does not extend the chain head') "
            "WHERE NEW.seq <> coalesce((SELECT max(seq) FROM audit_changesets), 0) + 1 "
            "OR NEW.prev_hash <> coalesce((SELECT hash FROM audit_changesets ORDER BY seq DESC LIMIT 1), "
            f"'{GENESIS_HASH}'); END",
        )
    )
    return made


# Not a guard but a shortcut: sealing a changeset (inserting its row) also empties
# audit_context, saving a statement in every audited transaction. The sealing code checks
# that it ran (the row count of the insert) and empties the context itself when it did
# not (a database not synced since, or the trigger dropped), so nothing depends on it and
# the guards do not look for it.
SQLITE_CLOSE_TRIGGER = f"{PREFIX}_audit_changesets_close_context"
_SQLITE_CLOSE_DDL = (
    f"CREATE TRIGGER {quote(SQLITE_CLOSE_TRIGGER)} AFTER INSERT ON audit_changesets BEGIN "
    "DELETE FROM audit_context; END"
)


def _create_sqlite(connection: Connection) -> None:
    for expected in _sqlite_triggers(connection):
        connection.exec_driver_sql(expected.ddl)
    if _present(connection, ["audit_context"]):
        connection.exec_driver_sql(_SQLITE_CLOSE_DDL)


def covered_columns(connection: Connection) -> dict[str, set[str]]:
    """The columns of every table whose rows the audit triggers record now.

    Taken before migrations run, so that afterwards :func:`record_schema_changes`
    knows which tables and columns the history has never seen.
    """
    if not audit_installed(connection):
        return {}
    covered = {
        table
        for table, name in existing_triggers(connection)
        if name in (f"{PREFIX}_row", f"{PREFIX}_{table}_insert")
    }
    return {table: set(table_columns(connection, table)) for table in covered}


def record_schema_changes(connection: Connection, seq: int, before: dict[str, set[str]]) -> None:
    """Record, in changeset ``seq``, what migrations put in the data without the triggers:
    every row of a table that was not audited before, and the values of new columns.

    Without this, the history would not mention those values, and a later change to
    them behind the audit's back would go unseen by the replay.
    """
    now = audited_tables(connection)
    for table in now:
        if table not in before:
            record_existing_rows(connection, seq, [table])
            continue
        columns = table_columns(connection, table)
        added = [name for name in columns if name not in before[table]]
        if added:
            _record_new_values(connection, seq, table, added)
        dropped = sorted(before[table].difference(columns))
        if dropped:
            _record_removal(connection, seq, table, DROPPED_COLUMNS, dropped)
    for table in sorted(set(before).difference(now)):
        _record_removal(connection, seq, table, DROPPED_TABLE, [])


def _record_removal(connection: Connection, seq: int, table: str, operation: str, columns: list[str]) -> None:
    """One change saying a migration removed ``columns`` of ``table`` (or the whole table):
    the replay forgets their values, so that a column or table added again later starts
    empty in the history as it does in the data. Nothing to forget if the history has
    never had a row of the table."""
    recorded = connection.execute(
        text("SELECT 1 FROM audit_changes WHERE table_name = :table LIMIT 1"), {"table": table}
    ).first()
    if recorded is None:
        return
    json = "CAST(:value AS JSONB)" if connection.dialect.name == "postgresql" else ":value"
    connection.execute(
        text(
            "INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes, claim_id) "
            f"VALUES (:seq, :table, {json.replace(':value', ':key')}, :operation, {json}, NULL)"
        ),
        {
            "seq": seq,
            "table": table,
            "key": "{}",
            "operation": operation,
            "value": orjson.dumps(dict.fromkeys(columns)).decode(),
        },
    )


def _record_new_values(connection: Connection, seq: int, table: str, added: list[str]) -> None:
    key = primary_key(connection, table)
    claim_column = _claim_column(table, table_columns(connection, table))
    claim = f"t.{quote(claim_column)}" if claim_column else "NULL"
    if connection.dialect.name == "postgresql":
        row_key = (
            "jsonb_build_object(" + ", ".join(f"'{name}', to_jsonb(t) -> '{name}'" for name in key) + ")"
        )
        names = ", ".join(f"'{name}'" for name in added)
        changes = (
            "(SELECT jsonb_object_agg(e.key, jsonb_build_array(NULL, e.value)) "
            f"FROM jsonb_each(to_jsonb(t)) AS e WHERE e.key IN ({names}))"
        )
    else:
        row_key = sqlite_row_key("t", key)
        changes = (
            "json_object(" + ", ".join(f"'{name}', json_array(NULL, t.{quote(name)})" for name in added) + ")"
        )
    some_value = " OR ".join(f"t.{quote(name)} IS NOT NULL" for name in added)
    order = ", ".join(f"t.{quote(name)}" for name in key)
    connection.exec_driver_sql(
        "INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes, claim_id) "
        f"SELECT {int(seq)}, '{table}', {row_key}, 'UPDATE', {changes}, {claim} FROM {quote(table)} AS t "
        f"WHERE {some_value} ORDER BY {order}"
    )


def record_existing_rows(
    connection: Connection, seq: int, tables: Iterable[str] | None = None, where: str = "true"
) -> None:
    """Write an INSERT change for every row already in an audited table, in changeset ``seq``.

    Used once, when the audit history is installed on a database that has
    data, so that the history accounts for every row from then on. The
    records have exactly the form the triggers write.
    """
    for table in audited_tables(connection) if tables is None else tables:
        columns = table_columns(connection, table)
        key = primary_key(connection, table)
        claim_column = _claim_column(table, columns)
        if connection.dialect.name == "postgresql":
            row_key = (
                "jsonb_build_object("
                + ", ".join(f"'{name}', to_jsonb(t.{quote(name)})" for name in key)
                + ")"
            )
            changes = "(SELECT jsonb_object_agg(e.key, jsonb_build_array(NULL, e.value)) FROM jsonb_each(to_jsonb(t)) AS e)"
            claim = f"t.{quote(claim_column)}" if claim_column else "NULL"
        else:
            row_key = sqlite_row_key("t", key)
            changes = (
                "json_object("
                + ", ".join(f"'{name}', json_array(NULL, t.{quote(name)})" for name in columns)
                + ")"
            )
            claim = f"t.{quote(claim_column)}" if claim_column else "NULL"
        order = ", ".join(f"t.{quote(name)}" for name in key)
        connection.exec_driver_sql(
            "INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes, claim_id) "
            f"SELECT {int(seq)}, '{table}', {row_key}, 'INSERT', {changes}, {claim} FROM {quote(table)} AS t "
            f"WHERE {where} ORDER BY {order}"
        )
