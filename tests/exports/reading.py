"""Reading exports back with real readers: csv, openpyxl, json, JSON lines."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

import openpyxl

from factcheck.exports.claims import CLAIM_COLUMNS, column_headers

HEADERS = column_headers()
KEYS = [column.name for column in CLAIM_COLUMNS]


def csv_rows(text: str) -> list[dict[str, str]]:
    """The rows of a CSV export, by heading; checks the byte-order mark and the headings."""
    assert text.startswith("\ufeff"), "the CSV starts with a UTF-8 byte-order mark"
    reader = csv.DictReader(io.StringIO(text[1:], newline=""))
    assert reader.fieldnames == HEADERS
    return list(reader)


def xlsx_rows(data: bytes) -> list[dict[str, Any]]:
    """The rows of an XLSX export by heading, read by openpyxl; every text cell is a string cell."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook["Claims"]
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == HEADERS
    result = []
    for row in rows[1:]:
        values = {}
        for header, cell in zip(HEADERS, row, strict=False):
            assert cell.data_type != "f", f"{header} is a formula"
            values[header] = cell.value
        result.append(values)
    workbook.close()
    return result


def xlsx_sheet(data: bytes, name: str) -> list[dict[str, Any]]:
    """The rows of one sheet of an XLSX export, by its own headings."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = [[cell.value for cell in row] for row in workbook[name].iter_rows()]
    workbook.close()
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def xlsx_has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            "<f>" in archive.read(name).decode("utf-8") or "<f " in archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def json_rows(text: str) -> list[dict[str, Any]]:
    rows = json.loads(text)
    assert isinstance(rows, list)
    assert all(list(row) == KEYS for row in rows)
    return rows


def ndjson_rows(text: str) -> list[dict[str, Any]]:
    assert text == "" or text.endswith("\n")
    rows = [json.loads(line) for line in text.splitlines()]
    assert all(list(row) == KEYS for row in rows)
    return rows


def by_id(rows: list[dict[str, Any]], key: str = "claim_id") -> dict[int, dict[str, Any]]:
    return {int(row[key]): row for row in rows}


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)
