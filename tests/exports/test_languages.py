"""Exports in the language of the request: XLSX shows its date cells as readers of that
language write dates; the machine formats (CSV, JSON, NDJSON) are the same in every language."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from factcheck.accounts.models import Role
from tests.exports.conftest import Desk
from tests.i18n.languages import headers_for


def date_formats(data: bytes) -> set[tuple[str, str]]:
    """(kind, number format) of every date and time cell of the claims sheet."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    found = set()
    # The first sheet; its name is in the request's language ("Claims", "Afirmaciones").
    for row in workbook.worksheets[0].iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                found.add(("time" if cell.value.time() != datetime.min.time() else "day", cell.number_format))
            elif isinstance(cell.value, date):
                found.add(("day", cell.number_format))
    workbook.close()
    return found


def download(client, format_key: str, language: str | None = None) -> bytes:
    response = client.get(
        "/exports/claims",
        query_string={"format": format_key},
        headers=headers_for(language) if language else {},
    )
    assert response.status_code == 200
    return response.get_data()


def test_xlsx_date_cells_follow_the_requests_language(client, login_as, desk: Desk) -> None:
    login_as(Role.REVIEWER)

    english = {number_format for _, number_format in date_formats(download(client, "xlsx"))}
    spanish = {number_format for _, number_format in date_formats(download(client, "xlsx", "es"))}
    arabic = {number_format for _, number_format in date_formats(download(client, "xlsx", "ar"))}

    assert english == {"yyyy-mm-dd hh:mm:ss"} or english == {"yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"}
    assert spanish and all(number_format.startswith("dd/mm/yyyy") for number_format in spanish)
    assert arabic and all(number_format.startswith("dd/mm/yyyy") for number_format in arabic)


@pytest.mark.parametrize("format_key", ["csv", "json", "ndjson"])
def test_machine_formats_are_the_same_in_every_language(
    client, login_as, desk: Desk, format_key: str
) -> None:
    login_as(Role.REVIEWER)

    english = download(client, format_key)

    assert download(client, format_key, "es") == english
    assert download(client, format_key, "ar") == english
