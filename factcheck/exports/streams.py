"""Streaming export formats: rows in, chunks of text out, memory flat however many rows.

Shared by every export. :func:`csv_chunks` and :func:`ndjson_chunks` take plain
column names and row mappings; the column-defined writers (CSV, XLSX, JSON, NDJSON
over a tuple of ``Column``) that the claims and audit exports use are in
:mod:`factcheck.exports.formats`. :func:`download` streams any of them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, stream_with_context

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Neutralise text a spreadsheet would execute, by prefixing a single quote (OWASP advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    return spreadsheet_safe(value)


def csv_chunks(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], batch: int = 500) -> Iterator[str]:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs detect the encoding)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(row.get(column)) for column in columns])
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def ndjson_chunks(rows: Iterable[Mapping[str, Any]], batch: int = 500) -> Iterator[str]:
    lines: list[str] = []
    for row in rows:
        lines.append(json.dumps(row, ensure_ascii=False, default=_json_default))
        if len(lines) >= batch:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def dated_filename(stem: str, extension: str, *, today: date | None = None) -> str:
    """``claims-2026-11-27.csv``: the export's name and the UTC date it was made."""
    day = today or datetime.now(UTC).date()
    return f"{stem}-{day.isoformat()}.{extension}"


def download(chunks: Iterable[str] | Iterable[bytes], filename: str, mimetype: str) -> Response:
    """A streamed attachment; the request context (and its session) stays open while it streams.

    ``filename`` is placed in a quoted header value: callers pass names they built
    (ASCII letters, digits, dashes and dots).
    """
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
