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

Both fold accents and case in every script (folding.py): FTS5's tokenizer with
``remove_diacritics 2``; on PostgreSQL the index expressions and the queries
call ``search_fold()``, an IMMUTABLE wrapper of the ``unaccent`` extension
(trusted since PostgreSQL 13, so the database owner may create it).

Batch-mode migrations on SQLite recreate a table and lose its triggers;
``migrations/env.py`` calls :func:`sync` after every migration, as it does for
the audit triggers. The indexes are derived data, so :func:`sync` also rebuilds
them when their definition here has changed (SQLite: the FTS table's options;
PostgreSQL: a fingerprint of the definition kept as the index's comment): a
change here needs no migration, only the next ``db upgrade``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, inspect, text

from factcheck.search import entries
from factcheck.search.folding import FOLD

PREFIX = "search_"

# The PostgreSQL text search configuration: no stemming, no stop words, any
# language. Changing it needs a migration that rebuilds the indexes, since
# queries only use an index built with the same configuration.
PG_CONFIG = "simple"

# PostgreSQL refuses a tsvector whose distinct words take more than 1 MB; only
# this many characters of a document's text are indexed there.
PG_MAX_DOCUMENT_CHARS = 500_000

# The SQLite tokenizer: Unicode-aware word splitting and case folding, accents
# removed (from every letter, also those with several marks), prefix indexes
# for 2- and 3-character prefixes so short "term*" queries stay fast.
FTS5_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"


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


def pg_folded_vector(expression: str) -> str:
    """The tsvector of a text expression, folded: what the indexes hold and the queries rank."""
    return f"to_tsvector('{PG_CONFIG}'::regconfig, {FOLD}({expression}))"


def pg_vector(indexed: Indexed) -> str:
    """The tsvector expression of a table, unqualified: valid in CREATE INDEX and in a query on that table."""
    joined = " || ' ' || ".join(_pg_text(indexed.table, column) for column in indexed.columns)
    return pg_folded_vector(joined)


# Changing what is indexed (here or in INDEXED) needs no migration: sync() rebuilds the
# indexes whose definition changed (migration 0003 created them from this module as it was).
PG_VECTORS = {indexed.table: pg_vector(indexed) for indexed in INDEXED}


# --- SQLite ----------------------------------------------------------------------


def _sqlite_triggers(indexed: Indexed) -> dict[str, str]:
    """Trigger name -> DDL keeping the external-content FTS table in step with its table."""
    fts, table = indexed.fts_table, indexed.table
    names = ", ".join(indexed.columns)

    def values(row: str) -> str:
        # Folded (folding.FOLD): the index holds, and is told to forget, the folded text.
        return ", ".join(f"{FOLD}({row}.{column})" for column in indexed.columns)

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


def _sqlite_outdated(connection: Connection) -> bool:
    """Whether the FTS tables exist and one was created with other options than FTS5_OPTIONS."""
    created = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN :names").bindparams(
            bindparam("names", expanding=True)
        ),
        {"names": [indexed.fts_table for indexed in INDEXED]},
    ).scalars()
    if any(FTS5_OPTIONS not in (sql or "") for sql in created):
        return True
    # Triggers from before the index held folded text (batch mode may have dropped some).
    feeding = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN :names").bindparams(
            bindparam("names", expanding=True)
        ),
        {"names": [name for indexed in INDEXED for name in _sqlite_triggers(indexed)]},
    ).scalars()
    return any(f"{FOLD}(" not in (sql or "") for sql in feeding)


def drop_sqlite(connection: Connection) -> None:
    for indexed in INDEXED:
        for name in _sqlite_triggers(indexed):
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {indexed.fts_table}")


def rebuild_sqlite(connection: Connection, indexed: Indexed) -> None:
    """Rebuild one FTS index from its table (after a bulk load, or to repair it).

    Not FTS5's 'rebuild', which would index the table's text unfolded; for the same reason
    FTS5's 'integrity-check' holds only for text that folding leaves as the tokenizer would.
    """
    fts, names = indexed.fts_table, ", ".join(indexed.columns)
    folded = ", ".join(f"{FOLD}({column})" for column in indexed.columns)
    # Names below come from the constants above, never from input.
    connection.exec_driver_sql(f"INSERT INTO {fts} ({fts}) VALUES ('delete-all')")  # noqa: S608
    connection.exec_driver_sql(
        f"INSERT INTO {fts} (rowid, {names}) SELECT id, {folded} FROM {indexed.table}"  # noqa: S608
    )


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


# lower(unaccent(value)), with the extension's schema and a collation filled in. Immutable
# (unaccent() is only stable: its dictionary could change) so that an index can use it; a
# changed dictionary needs the indexes rebuilt. Quotes and backslashes (unaccent turns U+02BC,
# a letter, into "'") become spaces, so a folded query word stays one quoted tsquery lexeme;
# the Greek final sigma becomes the sigma that lower() makes of a capital.
_PG_FOLD_DDL = (
    f"CREATE FUNCTION {FOLD}(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT translate(lower({unaccent}('{unaccent}'::regdictionary, value){collate}), '''\\\u03c2', '  \u03c3') $$"
)


def _pg_fold_ddl(connection: Connection) -> str:
    connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    where = connection.execute(
        text(
            "SELECT quote_ident(n.nspname) FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
    ).scalar_one()
    # ICU's root collation folds case in every script whatever the database's locale
    # (lower() under the plain C locale folds ASCII only).
    icu = connection.execute(text("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'")).first()
    return _PG_FOLD_DDL.format(unaccent=f"{where}.unaccent", collate=' COLLATE "und-x-icu"' if icu else "")


# What the PostgreSQL objects are built from; kept as each index's comment, so sync() can
# tell an index built from an older definition.
PG_DEFINITION = (
    "factcheck search "
    + hashlib.sha256(repr(([_pg_function_ddl(i) for i in INDEXED], _PG_FOLD_DDL)).encode()).hexdigest()[:16]
)


def create_postgresql(connection: Connection) -> None:
    connection.exec_driver_sql(_pg_fold_ddl(connection))
    for indexed in INDEXED:
        connection.exec_driver_sql(
            f"CREATE INDEX {indexed.pg_index} ON {indexed.table} USING gin (({PG_VECTORS[indexed.table]}))"
        )
        connection.exec_driver_sql(f"COMMENT ON INDEX {indexed.pg_index} IS '{PG_DEFINITION}'")
        connection.exec_driver_sql(_pg_function_ddl(indexed))


def drop_postgresql(connection: Connection) -> None:
    for indexed in INDEXED:
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {pg_function(indexed)}(tsquery)")
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {indexed.pg_index}")
    connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {FOLD}(text)")
    # Created for the search (a downgrade gives back the schema it found); RESTRICT, the default,
    # keeps it if anything else uses it.
    connection.exec_driver_sql(
        "DO $$ BEGIN DROP EXTENSION IF EXISTS unaccent; EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$"
    )


def _pg_outdated(connection: Connection) -> bool:
    """Whether the indexes exist and one was built from another definition than PG_DEFINITION."""
    comments = dict(
        connection.execute(
            text(
                "SELECT relname, obj_description(oid, 'pg_class') FROM pg_class "
                "WHERE relkind = 'i' AND relname IN :names"
            ).bindparams(bindparam("names", expanding=True)),
            {"names": [indexed.pg_index for indexed in INDEXED]},
        ).all()
    )
    return bool(comments) and any(comments.get(indexed.pg_index) != PG_DEFINITION for indexed in INDEXED)


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
    """Rebuild the indexes if they exist but were built from an older definition; recreate the
    SQLite sync triggers if the FTS tables exist (batch mode drops them with their table).
    PostgreSQL keeps expression indexes through ALTER TABLE. The same for the claims' entries
    (entries.py)."""
    entries.sync(connection)
    if connection.dialect.name == "postgresql":
        if _pg_outdated(connection):
            drop_postgresql(connection)
            create_postgresql(connection)
        return
    if _sqlite_outdated(connection):
        drop_sqlite(connection)
        create_sqlite(connection)
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
