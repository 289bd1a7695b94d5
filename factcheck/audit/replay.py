"""The data against its history: replay every change and compare the result with the live rows.

The chain proves the history was written by the app; the replay proves the
data is what that history says. A row changed, inserted or deleted behind
the audit's back (a trigger dropped or disabled, ``session_replication_role``,
a restored file edited) shows up as a row, or a field of one, that the
history does not explain. Keys and values are compared in the form the
triggers write them (``to_jsonb`` on PostgreSQL, ``json_object`` on SQLite),
so nothing depends on how Python reads a type.

An UPDATE also states each field's old value; one that differs from what the
history last had means the field was changed in between, unrecorded, even if
a later change made the value agree again.

A field the history never mentions for a row must be empty: the values a
migration adds without the triggers (a new column, a new table) are recorded
by the migration run itself (migrations/env.py), and so are the columns and
tables a migration drops (their values are forgotten, so that a column added
again starts empty in the history as in the data). Fields the history has but
the table no longer has are not compared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection

from factcheck.audit import triggers
from factcheck.audit.chain import Change, fetched_ahead

# Findings of one kind beyond this many are counted, not listed.
MAX_LISTED = 20

# One of ``count`` disjoint shares of the rows (index, count), by their key's JSON text;
# every change of a row, and every live row, falls in the same share
# (factcheck/audit/parallel.py replays the shares in separate processes).
Share = tuple[int, int]


@dataclass
class Replay:
    """Feed it every change in chain order (``apply``), then ``compare`` with the database."""

    # table -> row key JSON text -> {field: value as the history last had it}. (Keyed by
    # table first: a (table, key) tuple per row would be 200,000 more objects for the
    # garbage collector to go through on a large history.)
    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    unlisted: int = 0

    def _find(self, message: str) -> None:
        if len(self.findings) < MAX_LISTED:
            self.findings.append(message)
        else:
            self.unlisted += 1

    def apply(self, change: Change) -> None:
        table, key, operation, diff, _claim = change
        if table.startswith("audit_"):
            return
        rows = self.rows.get(table)
        if rows is None:
            rows = self.rows[table] = {}
        fields = orjson.loads(diff)
        if operation == "INSERT":
            if key in rows:
                self._find(f"{table} {key}: inserted again while the history still had it")
            rows[key] = {name: pair[1] for name, pair in fields.items()}
        elif operation == "UPDATE":
            row = rows.get(key)
            if row is None:
                self._find(f"{table} {key}: updated, but the history has no such row (inserted unrecorded)")
                rows[key] = {name: pair[1] for name, pair in fields.items()}
                return
            for name, (old, new) in fields.items():
                if name in row and row[name] != old:
                    self._find(
                        f"{table} {key}: field {name} was {_show(old)} before a recorded change, "
                        f"but the history last had {_show(row[name])} (changed unrecorded)"
                    )
                row[name] = new
        elif operation == "DELETE":
            if rows.pop(key, None) is None:
                self._find(f"{table} {key}: deleted, but the history has no such row (inserted unrecorded)")
        elif operation == triggers.DROPPED_COLUMNS:
            for row in rows.values():
                for name in fields:
                    row.pop(name, None)
        elif operation == triggers.DROPPED_TABLE:
            rows.clear()
        else:
            self._find(f"{table} {key}: a change of unknown kind {operation!r}")

    def compare(
        self, connection: Connection, share: Share | None = None, *, summarise: bool = True
    ) -> list[str]:
        """Every difference between the replayed history and the live rows, named by table, key and field.

        ``share``: only the live rows of that share (the history replayed must be the
        same share's, ``changes_of``). ``summarise``: end with how many were not listed.
        """
        expected = {table: dict(rows) for table, rows in self.rows.items() if rows}
        # SQLite's json_object() writes compact JSON, as orjson does: a row the history has
        # exactly can be checked by its text (equal texts parse to equal rows); anything
        # else is parsed and compared field by field.
        compact = connection.dialect.name == "sqlite"
        batches = _live_rows(connection, triggers.audited_tables(connection), share)
        try:
            for table, batch in batches:
                if batch is None:  # the end of the table's rows
                    for key in expected.pop(table, {}):
                        self._find(
                            f"{table} {key}: in the history, but missing from the table (deleted unrecorded)"
                        )
                    continue
                self._compare_rows(table, batch, expected.get(table, {}), compact)
        finally:
            batches.close()  # type: ignore[attr-defined]
        for table, rows in expected.items():
            for key in rows:
                self._find(f"{table} {key}: in the history, but the table is gone")
        if self.unlisted and summarise:
            self.findings.append(f"... and {self.unlisted} more differences")
        return self.findings

    def _compare_rows(
        self, table: str, batch: list[tuple[str, str]], wanted: dict[str, dict[str, Any]], compact: bool
    ) -> None:
        """Compare live rows of ``table`` with the history's, taking each from ``wanted``."""
        for key, text in batch:
            row = wanted.pop(key, None)
            if row is None:
                self._find(f"{table} {key}: the row is not in the history (inserted unrecorded)")
                continue
            if compact and orjson.dumps(row) == text.encode():
                continue
            live = orjson.loads(text)
            if live == row:
                continue
            for name, value in live.items():
                if name not in row:
                    # Migrations record the values they add (migrations/env.py): a field
                    # the history never mentions can only be empty.
                    if value is not None:
                        self._find(
                            f"{table} {key}: field {name} is {_show(value)}, which the history "
                            "never recorded (changed unrecorded)"
                        )
                elif row[name] != value:
                    self._find(
                        f"{table} {key}: field {name} is {_show(value)}, "
                        f"the history says {_show(row[name])} (changed unrecorded)"
                    )


def _show(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 80 else text[:77] + "..."


def _in_share(connection: Connection, key_text: str, share: Share) -> str:
    """SQL: whether the row key whose JSON text is ``key_text`` is in ``share``.

    By the code of the key's last character before its closing brace: the last digit of
    an integer key, so the shares are about even; rows with other keys fall in some share.
    """
    index, count = share
    if connection.dialect.name == "postgresql":
        # mod(), not %: the driver reads % as a parameter marker.
        return f"mod(ascii(substr({key_text}, length({key_text}) - 1, 1)), {int(count)}) = {int(index)}"
    return f"unicode(substr({key_text}, -2, 1)) % {int(count)} = {int(index)}"


def changes_of(connection: Connection, share: Share) -> Iterator[Change]:
    """The changes of the rows in ``share`` and the schema changes (which concern every row),
    in id order: what ``Replay.apply`` needs to replay that share."""
    schema = ", ".join(f"'{operation}'" for operation in sorted(triggers.SCHEMA_OPERATIONS))
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        "SELECT table_name, CAST(row_key AS TEXT), operation, CAST(changes AS TEXT), claim_id, id "  # noqa: S608
        f"FROM audit_changes WHERE id > {marker} AND (operation IN ({schema}) OR "
        f"{_in_share(connection, 'CAST(row_key AS TEXT)', share)}) ORDER BY id LIMIT 20000"
    )
    batches = _keyset_batches(connection, sql)
    if connection.dialect.name == "postgresql":
        batches = fetched_ahead(batches)
    try:
        for batch in batches:
            for row in batch:
                yield row[:5]
    finally:
        batches.close()  # type: ignore[attr-defined]


def _keyset_batches(connection: Connection, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    cursor = connection.connection.cursor()
    try:
        after = 0
        while rows := cursor.execute(sql, (after,)).fetchall():
            yield rows
            after = rows[-1][-1]
    finally:
        cursor.close()


def _live_rows(
    connection: Connection, tables: list[str], share: Share | None = None
) -> Iterator[tuple[str, list[tuple[str, str]] | None]]:
    """(table, batch of (row key, whole row)) for each table in turn, as JSON text in the
    triggers' own form, then (table, None) at the end of the table's rows.

    On PostgreSQL through a server-side cursor, fetched a batch ahead by a helper thread
    (chain.fetched_ahead): the server makes the next rows' JSON while this thread
    compares the current ones.
    """
    statements = [(table, _live_rows_sql(connection, table, share)) for table in tables]
    if connection.dialect.name != "postgresql":
        return _batches(connection, statements)
    return fetched_ahead(_batches(connection, statements, server_side=True))


def _batches(
    connection: Connection, statements: list[tuple[str, str]], server_side: bool = False
) -> Iterator[tuple[str, list[tuple[str, str]] | None]]:
    # The driver's own cursor: plain tuples, no SQLAlchemy Row per live row.
    for table, sql in statements:
        cursor = (
            connection.connection.cursor(name="factcheck_audit_live_rows")
            if server_side
            else connection.connection.cursor()
        )
        try:
            cursor.execute(sql)
            while batch := cursor.fetchmany(10_000):
                yield table, batch
        finally:
            cursor.close()
        yield table, None


def _live_rows_sql(connection: Connection, table: str, share: Share | None = None) -> str:
    key = triggers.primary_key(connection, table)
    quoted = triggers.quote(table)
    if connection.dialect.name == "postgresql":
        # to_jsonb(t) once per row, for the key and the whole row (a function in FROM is not
        # folded into the select list, so it is not computed twice).
        row_key = "jsonb_build_object(" + ", ".join(f"'{name}', r.j -> '{name}'" for name in key) + ")::text"
        rows = f"{quoted} AS t CROSS JOIN LATERAL to_jsonb(t) AS r(j)"
        if share is None:
            sql = f"SELECT {row_key}, r.j::text FROM {rows}"  # noqa: S608
        else:
            sql = (
                f"SELECT k.t, r.j::text FROM {rows} CROSS JOIN LATERAL (SELECT {row_key}) AS k(t) "  # noqa: S608
                f"WHERE {_in_share(connection, 'k.t', share)}"
            )
    else:
        columns = triggers.table_columns(connection, table)
        row_key = triggers.sqlite_row_key("t", key)
        whole = "json_object(" + ", ".join(f"'{name}', t.{triggers.quote(name)}" for name in columns) + ")"
        sql = f"SELECT {row_key}, {whole} FROM {quoted} AS t"  # noqa: S608
        if share is not None:
            sql += f" WHERE {_in_share(connection, row_key, share)}"
    return sql
