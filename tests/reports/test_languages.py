"""The team report in the language of the request: dates, figures and shares on the page,
in the PDF and in the workbook's human columns."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.claims.desk import page_text
from tests.i18n.languages import headers_for
from tests.reports.test_views import MARCH_QUERY, desk, page_text_of_table, sign_in  # noqa: F401 - desk is a fixture


def test_the_page_writes_dates_and_figures_in_spanish(client, desk):  # noqa: F811 - the fixture
    sign_in(client, desk.ann)
    response = client.get(f"/reports/team?{MARCH_QUERY}", headers=headers_for("es"))
    assert response.status_code == 200
    text = page_text(response)

    assert "1 de marzo de 2024" in text and "31 de marzo de 2024" in text
    # Decimal commas and the Spanish percent sign spacing.
    assert "1,4" in text and "57 %" in text
    weeks = page_text_of_table(response.get_data(as_text=True), "weekly-table")
    assert "4\u201310 mar 2024" in weeks  # an en dash


def test_the_page_stays_as_it_was_in_english(client, desk):  # noqa: F811 - the fixture
    sign_in(client, desk.ann)
    text = page_text(client.get(f"/reports/team?{MARCH_QUERY}"))

    assert "Team report: 1 March 2024 to 31 March 2024" in text
    assert "Primary sources 4 of 7 (57%)" in text


def test_the_workbook_shows_dates_as_spanish_readers_write_them(client, desk):  # noqa: F811 - the fixture
    sign_in(client, desk.ann)
    english = load_workbook(io.BytesIO(client.get(f"/reports/team.xlsx?{MARCH_QUERY}").data))
    spanish = load_workbook(
        io.BytesIO(client.get(f"/reports/team.xlsx?{MARCH_QUERY}", headers=headers_for("es")).data)
    )

    def summary(workbook):
        sheet = workbook.worksheets[0]
        return {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}

    assert summary(english)["Period from"].number_format == "yyyy-mm-dd"
    # The headings are in the request's language too.
    assert summary(spanish)["Periodo desde"].number_format == "dd/mm/yyyy"
    # The cell is a real date in both.
    assert summary(spanish)["Periodo desde"].value == summary(english)["Period from"].value
    assert summary(english)["Generated (UTC)"].value.count("-") == 2
    assert summary(spanish)["Generado (UTC)"].value.endswith(" UTC")


@pytest.mark.slow
def test_the_pdf_writes_dates_in_spanish(client, desk):  # noqa: F811 - the fixture
    sign_in(client, desk.dan)
    response = client.get(f"/reports/team.pdf?{MARCH_QUERY}", headers=headers_for("es"))

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())
    assert "1 de marzo de 2024" in text
