"""One search entry per claim: its own words and its sources' words, in one index.

Why: with one index per table, "which claims match" meant looking up every
matching source's claim, so a common word cost a lookup per match before the
first page could be shown (docs/PERFORMANCE.md, "Desk list and search"). An
entry keyed by the claim id answers it with one index lookup yielding claim
ids, and lets the claim list walk its own order and test each claim for a
match, stopping after a page.

An entry has two parts, kept apart so that a claim's own words can rank first:
``own`` (the wording and claimant) and ``sources`` (the title, publisher,
quote and citation of each of its sources). A query's words must all be found
in the entry, in either part: "missile kremlin" finds a claim about a missile
whose source quotes the Kremlin. Documents are not copied in (a document is
long and shared by many claims): they keep their own index (schema.py).

SQLite: an FTS5 table whose rowid is the claim id, holding its own copy of the
folded text (the text comes from two tables, so it cannot be an
external-content table); PostgreSQL: a side table ``search_claim_entries``
keyed by the claim id with a stored ``tsvector`` (the own words weighted A,
the sources' B) and a GIN index, which also gives the planner statistics per
word. Both are kept in step by triggers on ``claims`` and ``sources``, in the
same transaction as the change. Derived data: not audited (the ``search_``
prefix, factcheck/audit/triggers.py) and not compared with the models.

Created by migration 0020 (which indexes the claims already there) and dropped
by its downgrade; :func:`sync` (run after every migration by migrations/env.py)
puts back the SQLite triggers that batch mode drops with their table.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from factcheck.search.folding import FOLD

TABLE = "search_claim_entries"
OWN_COLUMNS = ("text", "claimant")
SOURCE_COLUMNS = ("title", "publisher", "quote", "citation")
# The tsvector weight of each part on PostgreSQL (a query limited to A finds own words only).
OWN_WEIGHT, SOURCES_WEIGHT = "A", "B"


def exists(connection: Connection) -> bool:
    return TABLE in inspect(connection).get_table_names()


def _joined(columns: tuple[str, ...], row: str) -> str:
    return " || ' ' || ".join(f"coalesce({row}.{column}, '')" for column in columns)


def _sources_text(claim_id: str) -> str:
    """SQL: the words of every source of the claim ``claim_id`` (an SQL expression), as one text."""
    # Names below come from the constants above, never from input.
    return (
        f"(SELECT coalesce(group_concat({_joined(SOURCE_COLUMNS, 's')}, ' '), '') "  # noqa: S608
        f"FROM sources s WHERE s.claim_id = {claim_id})"
    )


# --- SQLite ----------------------------------------------------------------------

# The same tokenizer and prefix indexes as the other FTS5 tables (schema.FTS5_OPTIONS).
_FTS5_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"


def _sqlite_refresh_sources(claim_id: str) -> str:
    return f"UPDATE {TABLE} SET sources = {FOLD}({_sources_text(claim_id)}) WHERE rowid = {claim_id};"  # noqa: S608


def _sqlite_triggers() -> dict[str, str]:
    """Trigger name -> DDL keeping the entries in step with claims and sources."""
    # The claims' triggers name no other table: SQLite checks every trigger when batch mode
    # renames a table, and one naming a table that is being recreated would fail. A new claim
    # has no sources yet (they refer to it).
    own = f"{FOLD}({_joined(OWN_COLUMNS, 'new')})"
    add = f"INSERT INTO {TABLE} (rowid, own, sources) VALUES (new.id, {own}, '');"  # noqa: S608
    change = f"UPDATE {TABLE} SET own = {own} WHERE rowid = new.id;"  # noqa: S608
    remove = f"DELETE FROM {TABLE} WHERE rowid = old.id;"  # noqa: S608
    source_columns = ", ".join(SOURCE_COLUMNS)
    return {
        f"{TABLE}_claim_insert": f"CREATE TRIGGER {TABLE}_claim_insert AFTER INSERT ON claims BEGIN {add} END",
        f"{TABLE}_claim_update": (
            f"CREATE TRIGGER {TABLE}_claim_update AFTER UPDATE OF {', '.join(OWN_COLUMNS)} ON claims "
            f"BEGIN {change} END"
        ),
        f"{TABLE}_claim_delete": f"CREATE TRIGGER {TABLE}_claim_delete AFTER DELETE ON claims BEGIN {remove} END",
        f"{TABLE}_source_insert": (
            f"CREATE TRIGGER {TABLE}_source_insert AFTER INSERT ON sources "
            f"BEGIN {_sqlite_refresh_sources('new.claim_id')} END"
        ),
        # Moved to another claim (a merge): both entries change.
        f"{TABLE}_source_update": (
            f"CREATE TRIGGER {TABLE}_source_update AFTER UPDATE OF claim_id, {source_columns} ON sources "
            f"BEGIN {_sqlite_refresh_sources('old.claim_id')} {_sqlite_refresh_sources('new.claim_id')} END"
        ),
        f"{TABLE}_source_delete": (
            f"CREATE TRIGGER {TABLE}_source_delete AFTER DELETE ON sources "
            f"BEGIN {_sqlite_refresh_sources('old.claim_id')} END"
        ),
    }


def _create_sqlite(connection: Connection) -> None:
    connection.exec_driver_sql(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(own, sources, {_FTS5_OPTIONS})")
    for ddl in _sqlite_triggers().values():
        connection.exec_driver_sql(ddl)
    own = f"{FOLD}({_joined(OWN_COLUMNS, 'c')})"
    connection.exec_driver_sql(
        f"INSERT INTO {TABLE} (rowid, own, sources) "  # noqa: S608
        f"SELECT c.id, {own}, {FOLD}({_sources_text('c.id')}) FROM claims c"
    )


def _drop_sqlite(connection: Connection) -> None:
    for name in _sqlite_triggers():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


# --- PostgreSQL ------------------------------------------------------------------

PG_CONFIG = "simple"  # as schema.PG_CONFIG: no stemming, no stop words, any language
PG_INDEX = f"{TABLE}_entry"
_PG_REFRESH = f"{TABLE}_refresh"


def _pg_vector(expression: str, weight: str) -> str:
    return f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, {FOLD}({expression})), '{weight}')"


def _pg_string_agg(claim_id: str) -> str:
    joined = " || ' ' || ".join(f"coalesce(s.{column}, '')" for column in SOURCE_COLUMNS)
    return f"(SELECT coalesce(string_agg({joined}, ' '), '') FROM sources s WHERE s.claim_id = {claim_id})"  # noqa: S608


def _pg_entry(claim: str) -> str:
    """The tsvector of the claim row ``claim``: its own words (A), then its sources' (B)."""
    return (
        f"{_pg_vector(_joined(OWN_COLUMNS, claim), OWN_WEIGHT)} || "
        f"{_pg_vector(_pg_string_agg(claim + '.id'), SOURCES_WEIGHT)}"
    )


def _pg_ddl() -> list[str]:
    # Statement-level triggers on inserts and deletes (a bulk import or a claim's deletion
    # refreshes each claim once); row-level on updates of the searched columns only.
    # Names below come from the constants above, never from input.
    refresh = (
        f"CREATE FUNCTION {_PG_REFRESH}(claim_ids integer[]) RETURNS void LANGUAGE sql AS $$ "  # noqa: S608
        f"DELETE FROM {TABLE} WHERE claim_id = ANY(claim_ids) "
        "AND NOT EXISTS (SELECT 1 FROM claims WHERE claims.id = claim_id); "
        f"INSERT INTO {TABLE} (claim_id, entry) SELECT c.id, {_pg_entry('c')} FROM claims c "
        "WHERE c.id = ANY(claim_ids) ON CONFLICT (claim_id) DO UPDATE SET entry = excluded.entry $$"
    )

    def trigger_function(name: str, ids: str) -> str:
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"PERFORM {_PG_REFRESH}(ARRAY({ids})); RETURN NULL; END $$"
        )

    return [
        f"CREATE TABLE {TABLE} (claim_id integer PRIMARY KEY REFERENCES claims (id) ON DELETE CASCADE, "
        "entry tsvector NOT NULL)",
        refresh,
        trigger_function(f"{TABLE}_new_claims", "SELECT id FROM new_rows"),
        trigger_function(f"{TABLE}_new_sources", "SELECT DISTINCT claim_id FROM new_rows"),
        trigger_function(f"{TABLE}_old_sources", "SELECT DISTINCT claim_id FROM old_rows"),
        trigger_function(f"{TABLE}_changed_row", "SELECT DISTINCT unnest(ARRAY[OLD.claim_id, NEW.claim_id])"),
        trigger_function(f"{TABLE}_changed_claim", "SELECT NEW.id"),
        f"CREATE TRIGGER {TABLE}_claims_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_new_claims()",
        f"CREATE TRIGGER {TABLE}_claims_update AFTER UPDATE OF {', '.join(OWN_COLUMNS)} ON claims "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_changed_claim()",
        f"CREATE TRIGGER {TABLE}_sources_insert AFTER INSERT ON sources REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_new_sources()",
        f"CREATE TRIGGER {TABLE}_sources_delete AFTER DELETE ON sources REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_old_sources()",
        # Moved to another claim (a merge): both entries change.
        f"CREATE TRIGGER {TABLE}_sources_update AFTER UPDATE OF claim_id, {', '.join(SOURCE_COLUMNS)} "
        f"ON sources FOR EACH ROW EXECUTE FUNCTION {TABLE}_changed_row()",
        f"INSERT INTO {TABLE} (claim_id, entry) SELECT c.id, {_pg_entry('c')} FROM claims c",  # noqa: S608
        f"CREATE INDEX {PG_INDEX} ON {TABLE} USING gin (entry)",
        f"ANALYZE {TABLE}",
    ]


def _create_postgresql(connection: Connection) -> None:
    for ddl in _pg_ddl():
        connection.exec_driver_sql(ddl)


def _drop_postgresql(connection: Connection) -> None:
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_claims_insert ON claims")
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_claims_update ON claims")
    for name in ("insert", "delete", "update"):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {TABLE}_sources_{name} ON sources")
    for name in ("new_claims", "new_sources", "old_sources", "changed_row", "changed_claim"):
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {TABLE}_{name}()")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_PG_REFRESH}(integer[])")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


# --- both ------------------------------------------------------------------------


def create(connection: Connection) -> None:
    """Create the entries and their triggers, and index the claims already there."""
    if connection.dialect.name == "postgresql":
        _create_postgresql(connection)
    else:
        _create_sqlite(connection)


def drop(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        _drop_postgresql(connection)
    else:
        _drop_sqlite(connection)


def sync(connection: Connection) -> None:
    """Put back the SQLite triggers (batch mode drops them with their table) if the entries exist.
    PostgreSQL keeps its triggers through ALTER TABLE."""
    if connection.dialect.name == "postgresql" or not exists(connection):
        return
    for name, ddl in _sqlite_triggers().items():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(ddl)
