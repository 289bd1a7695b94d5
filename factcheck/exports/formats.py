"""Export formats over one column definition: records in, chunks out, memory flat.

An export is a tuple of :class:`Column` (machine name, spreadsheet header, getter)
and an iterator of records (claims, audit changes...). Each writer reads the
records once, in order, and keeps at most one batch of output in memory:

* CSV: UTF-8 with a byte-order mark, one row per record; cells a spreadsheet would
  run as a formula are neutralised (:func:`factcheck.exports.streams.spreadsheet_safe`).
* XLSX: xlsxwriter in ``constant_memory`` mode (each row goes to a temporary file as
  it is written); every string is written as a string cell, never as a formula, so
  ``=HYPERLINK(...)`` stays text and keeps its exact characters. A workbook is a zip
  archive assembled at the end, so a download starts once the workbook is complete.
* JSON: one array of objects, written element by element.
* NDJSON: one object per line.

Values: a getter returns plain values (str, int, date, datetime, None) or a list
(tags, ratings...). JSON keeps lists as arrays; CSV and XLSX turn them into one cell
with the column's ``flat`` function (a dict or list without one becomes JSON text).
Dates and times are ISO 8601 (to the second) in text formats and real date cells in XLSX (UTC).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Generic, TypeVar

import xlsxwriter
from flask_babel import gettext
from xlsxwriter.format import Format as Format_
from xlsxwriter.worksheet import Worksheet

from factcheck.exports.streams import spreadsheet_safe
from factcheck.web import formatting
from factcheck.web.marks import N_

Record = TypeVar("Record")

# Records written between two yielded chunks of text.
CHUNK_ROWS = 500
# Bytes per chunk when a finished workbook is streamed out.
FILE_CHUNK_BYTES = 64 * 1024
# The most characters a spreadsheet cell holds (Excel's limit).
XLSX_MAX_CELL = 32_767


@dataclass(frozen=True)
class Column(Generic[Record]):
    """One exported field: ``name`` (JSON key), ``header`` (CSV heading, in English for the
    scripts that read it; marked with ``N_`` so XLSX says it in the reader's language), ``getter``."""

    name: str
    header: str
    getter: Callable[[Record], Any]
    # How the value becomes one spreadsheet cell, None included (JSON keeps lists as they are).
    flat: Callable[[Any], Any] | None = None
    # XLSX column width in characters.
    width: float = 14
    # False for a field only JSON and NDJSON carry (a spreadsheet already has it in another column).
    in_tables: bool = True

    @property
    def heading(self) -> str:
        """The header in the current language: XLSX headings, the export page."""
        return gettext(self.header)


def table_columns(columns: Sequence[Column[Record]]) -> list[Column[Record]]:
    """The columns CSV and XLSX write."""
    return [column for column in columns if column.in_tables]


@dataclass(frozen=True)
class Sheet(Generic[Record]):
    """A further XLSX sheet of rows belonging to each record (a claim's sources, its revisions),
    written as the records stream by: ``rows(record)`` gives them, ``columns`` read each row."""

    name: str
    columns: Sequence[Column[Any]]
    rows: Callable[[Record], Iterable[Any]]


@dataclass(frozen=True)
class Format:
    """An export format: file extension, media type, and whether it is binary (``label`` in
    English, marked with ``N_``: the export page shows it translated)."""

    key: str
    label: str
    extension: str
    mimetype: str
    binary: bool = False


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("csv", N_("CSV (spreadsheets)"), "csv", "text/csv; charset=utf-8"),
        Format(
            "xlsx",
            N_("Excel workbook (XLSX)"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            binary=True,
        ),
        Format("json", N_("JSON (one array)"), "json", "application/json"),
        Format("ndjson", N_("NDJSON (one object a line)"), "ndjson", "application/x-ndjson"),
    )
}


# --- values ---------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_value(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO 8601, lists and dicts kept."""
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    return _iso(value)


def flat_value(column: Column[Any], value: Any) -> Any:
    """A value as one spreadsheet cell holds it: through the column's ``flat`` if it has one,
    else lists and dicts as JSON text and None empty."""
    if column.flat is not None:
        return column.flat(value)
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        return json.dumps(json_value(value), ensure_ascii=False, sort_keys=True)
    return value


def as_json_object(columns: Sequence[Column[Record]], record: Record) -> dict[str, Any]:
    return {column.name: json_value(column.getter(record)) for column in columns}


def _csv_cell(column: Column[Any], value: Any) -> Any:
    value = flat_value(column, value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return spreadsheet_safe(_iso(value))


# --- text formats -----------------------------------------------------------------------


def csv_chunks(
    columns: Sequence[Column[Record]], records: Iterable[Record], batch: int = CHUNK_ROWS
) -> Iterator[str]:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs detect the encoding)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    columns = table_columns(columns)
    writer.writerow([spreadsheet_safe(column.header) for column in columns])
    for count, record in enumerate(records, start=1):
        writer.writerow([_csv_cell(column, column.getter(record)) for column in columns])
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def ndjson_chunks(
    columns: Sequence[Column[Record]], records: Iterable[Record], batch: int = CHUNK_ROWS
) -> Iterator[str]:
    lines: list[str] = []
    for record in records:
        lines.append(json.dumps(as_json_object(columns, record), ensure_ascii=False))
        if len(lines) >= batch:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def json_chunks(
    columns: Sequence[Column[Record]], records: Iterable[Record], batch: int = CHUNK_ROWS
) -> Iterator[str]:
    """One JSON array, pretty enough to read (one element a line), streamed element by element."""
    parts: list[str] = ["["]
    first = True
    for count, record in enumerate(records, start=1):
        element = json.dumps(as_json_object(columns, record), ensure_ascii=False)
        parts.append(("\n" if first else ",\n") + element)
        first = False
        if count % batch == 0:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n" if not first else "]\n")
    yield "".join(parts)


# --- XLSX -----------------------------------------------------------------------------------

# Workbook options that keep every string a string: xlsxwriter's automatic conversion
# of "=..." to formulas, of URLs to links and of digits to numbers is off.
XLSX_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # Times are UTC (the headers say so); a cell holds no time zone.
    "remove_timezone": True,
}


@dataclass(frozen=True)
class XlsxStyles:
    """The cell formats every workbook of the app uses."""

    bold: Format_
    date: Format_
    time: Format_
    wrapped: Format_

    @classmethod
    def of(cls, workbook: xlsxwriter.Workbook, language: Any = None) -> XlsxStyles:
        """The formats, with date and time cells shown as readers of ``language`` write them
        (ISO 8601 for English or no language); the cells hold real dates whatever the display."""
        day = formatting.excel_date_format(language)
        return cls(
            bold=workbook.add_format({"bold": True}),
            date=workbook.add_format({"num_format": day}),
            time=workbook.add_format({"num_format": f"{day} hh:mm:ss"}),
            wrapped=workbook.add_format({"text_wrap": True, "valign": "top"}),
        )


def write_cell(
    worksheet: Worksheet,
    row: int,
    column: int,
    value: Any,
    styles: XlsxStyles,
    *,
    number_format: Format_ | None = None,
    wrap: bool | None = None,
) -> None:
    """One value as a typed cell: numbers, booleans and dates as such, anything else as a
    string cell (never a formula), cut at :data:`XLSX_MAX_CELL` characters. None and ""
    leave the cell empty. Text wraps when ``wrap`` says so, or by default when it has a
    line break."""
    if value is None or (isinstance(value, str) and value == ""):
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        worksheet.write_number(row, column, value, number_format)
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, column, value.replace(microsecond=0), styles.time)
    elif isinstance(value, date):
        worksheet.write_datetime(row, column, value, styles.date)
    else:
        text = str(value)[:XLSX_MAX_CELL]
        if wrap is None:
            wrap = "\n" in text
        worksheet.write_string(row, column, text, styles.wrapped if wrap else None)


def write_xlsx(
    columns: Sequence[Column[Record]],
    records: Iterable[Record],
    target: str | IO[bytes],
    *,
    sheet: str = "Export",
    extra_sheets: Sequence[Sheet[Record]] = (),
    language: Any = None,
) -> int:
    """Write a workbook to ``target`` (a path or a binary file); returns the number of records.

    Strings always go in as string cells (:data:`XLSX_OPTIONS`, :func:`write_cell`),
    so nothing in a cell runs. Text longer than a cell holds is cut at
    :data:`XLSX_MAX_CELL` characters. Each of ``extra_sheets`` gets the rows of each
    record as it is written (constant_memory keeps each sheet's rows in order, not the
    workbook's), so memory stays flat with them too.
    """
    columns = table_columns(columns)
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, **XLSX_OPTIONS})
    try:
        styles = XlsxStyles.of(workbook, language)
        worksheet = _start_sheet(workbook, sheet, columns, styles)
        extras = [
            (extra, _start_sheet(workbook, extra.name, extra.columns, styles)) for extra in extra_sheets
        ]
        extra_rows = [0] * len(extras)
        count = 0
        for count, record in enumerate(records, start=1):
            for position, column in enumerate(columns):
                write_cell(worksheet, count, position, flat_value(column, column.getter(record)), styles)
            for index, (extra, extra_sheet) in enumerate(extras):
                for row in extra.rows(record):
                    extra_rows[index] += 1
                    for position, column in enumerate(extra.columns):
                        value = flat_value(column, column.getter(row))
                        write_cell(extra_sheet, extra_rows[index], position, value, styles)
        worksheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
        for (extra, extra_sheet), written in zip(extras, extra_rows, strict=True):
            extra_sheet.autofilter(0, 0, max(written, 1), len(extra.columns) - 1)
    finally:
        workbook.close()
    return count


def _start_sheet(
    workbook: xlsxwriter.Workbook, name: str, columns: Sequence[Column[Any]], styles: XlsxStyles
) -> Worksheet:
    # Sheet names and headings are for people: in their language (English outside a request).
    worksheet = workbook.add_worksheet(gettext(name))
    for position, column in enumerate(columns):
        worksheet.set_column(position, position, column.width)
    worksheet.freeze_panes(1, 0)
    # constant_memory writes rows strictly in order: the header first.
    for position, column in enumerate(columns):
        worksheet.write_string(0, position, column.heading, styles.bold)
    return worksheet


def xlsx_chunks(
    columns: Sequence[Column[Record]],
    records: Iterable[Record],
    *,
    sheet: str = "Export",
    extra_sheets: Sequence[Sheet[Record]] = (),
    language: Any = None,
) -> Iterator[bytes]:
    """The workbook as bytes chunks: built in a temporary file, then read back in pieces."""
    with tempfile.TemporaryFile(prefix="factcheck-export-", suffix=".xlsx") as handle:
        write_xlsx(columns, records, handle, sheet=sheet, extra_sheets=extra_sheets, language=language)
        handle.seek(0)
        while chunk := handle.read(FILE_CHUNK_BYTES):
            yield chunk


def chunks(
    format_key: str,
    columns: Sequence[Column[Record]],
    records: Iterable[Record],
    *,
    sheet: str = "Export",
    extra_sheets: Sequence[Sheet[Record]] = (),
    language: Any = None,
) -> Iterator[str] | Iterator[bytes]:
    """The output of a tabular format (csv, xlsx, json, ndjson) as chunks; ``extra_sheets`` are XLSX's
    only, and so is ``language`` (how its date cells are shown: the machine formats stay ISO 8601)."""
    if format_key == "csv":
        return csv_chunks(columns, records)
    if format_key == "xlsx":
        return xlsx_chunks(columns, records, sheet=sheet, extra_sheets=extra_sheets, language=language)
    if format_key == "json":
        return json_chunks(columns, records)
    if format_key == "ndjson":
        return ndjson_chunks(columns, records)
    raise ValueError(f"unknown export format {format_key!r}")
