"""The full-text indexes: what is indexed, and the DDL that creates it on each database.

SQLite: one FTS5 table per searched table, in *external content* mode (the
index refers to the rows of the real table by rowid and stores no copy of the
text), kept in step by triggers. The FTS tables and their shadow tables are
named ``search_*``: derived data, not audited (``factcheck.audit.triggers``)
and not compared with the models (:func:`include_name`).

PostgreSQL: a GIN index on a ``to_tsvector`` *expression* per table, no extra
column (a column would be copied into every audit record). Queries must use
exactly the expression the index was built on (:data:`PG_VECTORS`); they go
through one small SQL function per table (``search_<table>_matching``) that
holds that expression and makes sure the index is used.

Batch-mode migrations on SQLite recreate a table and lose its triggers;
``migrations/env.py`` calls :func:`sync` after every migration, as it does for
the audit triggers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, inspect

PREFIX = "search_"

# The PostgreSQL text search configuration: no stemming, no stop words, any
# language. Changing it needs a migration that rebuilds the indexes, since
# queries only use an index built with the same configuration.
PG_CONFIG = "simple"

# PostgreSQL refuses a tsvector whose distinct words take more than 1 MB; only
# this many characters of a document's text are indexed there.
PG_MAX_DOCUMENT_CHARS = 500_000

# The SQLite tokenizer: Unicode-aware word splitting and case folding, accents
# kept (as PostgreSQL's "simple" configuration does), prefix indexes for 2- and
# 3-character prefixes so short "term*" queries stay fast.
FTS5_OPTIONS = "tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3'"


@dataclass(frozen=True)
class Indexed:
    """One searched table and the columns that are searched."""

    table: str
    columns: Sequence[str]

    @property
    def fts_table(self) -> str:
        return PREFIX + self.table

    @property
    def pg_index(self) -> str:
        return f"{PREFIX}{self.table}_fts"


CLAIMS = Indexed("claims", ("text", "claimant"))
SOURCES = Indexed("sources", ("title", "publisher", "quote", "citation"))
DOCUMENTS = Indexed("documents", ("title", "text"))
INDEXED = (CLAIMS, SOURCES, DOCUMENTS)


def _pg_text(table: str, column: str) -> str:
    if table == DOCUMENTS.table and column == "text":
        return f"coalesce(left({column}, {PG_MAX_DOCUMENT_CHARS}), '')"
    return f"coalesce({column}, '')"


def pg_vector(indexed: Indexed) -> str:
    """The tsvector expression of a table, unqualified: valid in CREATE INDEX and in a query on that table."""
    joined = " || ' ' || ".join(_pg_text(indexed.table, column) for column in indexed.columns)
    return f"to_tsvector('{PG_CONFIG}'::regconfig, {joined})"


# Changing what is indexed (here or in INDEXED) needs a new migration that drops and
# recreates the indexes and functions (and the SQLite tables and triggers): migration
# 0003 creates them from this module as it is when it runs.
PG_VECTORS = {indexed.table: pg_vector(indexed) for indexed in INDEXED}


# --- SQLite ----------------------------------------------------------------------


def _sqlite_triggers(indexed: Indexed) -> dict[str, str]:
    """Trigger name -> DDL keeping the external-content FTS table in step with its table."""
    fts, table = indexed.fts_table, indexed.table
    names = ", ".join(indexed.columns)

    def values(row: str) -> str:
        return ", ".join(f"{row}.{column}" for column in indexed.columns)

    # Names below come from the constants above, never from input.
    add = f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {values('new')});"  # noqa: S608
    # An external-content index forgets a row when told its old values exactly.
    remove = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {values('old')});"  # noqa: S608
    return {
        f"{fts}_insert": f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"{fts}_delete": f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"{fts}_update": (
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF id, {names} ON {table} BEGIN {remove} {add} END"
        ),
    }


def create_sqlite(connection: Connection) -> None:
    """Create the FTS5 tables and their triggers, and index the rows already there."""
    for indexed in INDEXED:
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {indexed.fts_table} USING fts5("
            f"{', '.join(indexed.columns)}, content = '{indexed.table}', content_rowid = 'id', "
            f"{FTS5_OPTIONS})"
        )
        for ddl in _sqlite_triggers(indexed).values():
            connection.exec_driver_sql(ddl)
        rebuild_sqlite(connection, indexed)


def drop_sqlite(connection: Connection) -> None:
    for indexed in INDEXED:
        for name in _sqlite_triggers(indexed):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {indexed.fts_table}")


def rebuild_sqlite(connection: Connection, indexed: Indexed) -> None:
    """Rebuild one FTS index from its table (after a bulk load, or to repair it)."""
    fts = indexed.fts_table
    connection.exec_driver_sql(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")  # noqa: S608 - a constant name


# --- PostgreSQL ------------------------------------------------------------------


def pg_function(indexed: Indexed) -> str:
    return f"{PREFIX}{indexed.table}_matching"


def _pg_function_ddl(indexed: Indexed) -> str:
    """A function returning the ids of the rows matching a tsquery, always through the GIN index.

    For a common word the planner would rather scan the table (it counts the
    same work per row for both ways), and a scan parses every text again: for
    documents that is about 0.5 ms each, against microseconds for the index,
    which needs no recheck. The function's own setting keeps the scan out of
    this one query only.
    """
    # The planner cannot see how many rows a function returns; these guesses measured best
    # on the bench data (bench/desk_list.py) for rare and common words alike: claims and
    # sources joined by hashing, a few documents looked up in the appearances by key.
    rows = 10 if indexed is DOCUMENTS else 1000
    body = f"SELECT id FROM {indexed.table} WHERE {PG_VECTORS[indexed.table]} @@ query"  # noqa: S608 - constants
    return (
        f"CREATE FUNCTION {pg_function(indexed)}(query tsquery) RETURNS TABLE (id integer) "
        f"LANGUAGE sql STABLE PARALLEL SAFE ROWS {rows} SET enable_seqscan = off AS $$ {body} $$"
    )


def create_postgresql(connection: Connection) -> None:
    for indexed in INDEXED:
        connection.exec_driver_sql(
            f"CREATE INDEX {indexed.pg_index} ON {indexed.table} USING gin (({PG_VECTORS[indexed.table]}))"
        )
        connection.exec_driver_sql(_pg_function_ddl(indexed))


def drop_postgresql(connection: Connection) -> None:
    for indexed in INDEXED:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {pg_function(indexed)}(tsquery)")
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {indexed.pg_index}")


# --- both ------------------------------------------------------------------------


def create(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        create_postgresql(connection)
    else:
        create_sqlite(connection)


def drop(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        drop_postgresql(connection)
    else:
        drop_sqlite(connection)


def sync(connection: Connection) -> None:
    """Recreate the SQLite sync triggers if the FTS tables exist (batch mode drops them with
    their table). Nothing to do on PostgreSQL, where ALTER TABLE keeps expression indexes."""
    if connection.dialect.name != "sqlite":
        return
    existing = set(inspect(connection).get_table_names())
    for indexed in INDEXED:
        if indexed.fts_table not in existing:
            continue
        for name, ddl in _sqlite_triggers(indexed).items():
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            connection.exec_driver_sql(ddl)


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's filter: the search tables and indexes are not part of the models."""
    return not (type_ in {"table", "index"} and name is not None and name.startswith(PREFIX))
