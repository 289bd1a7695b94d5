"""The dossier in the language of the request: its dates on the page and in the PDF, and a
PDF cached per language (one asked for in Spanish is never served to an English reader)."""

from __future__ import annotations

import pytest

from factcheck.dossier import prepared
from tests.dossier.conftest import sign_in
from tests.dossier.test_pdf import pdf_text
from tests.helpers import text
from tests.i18n.languages import headers_for


def test_the_dossier_page_writes_dates_in_the_requests_language(client, desk):
    sign_in(client, desk.author)

    english = text(client.get(f"/claims/{desk.claim.id}/dossier"))
    spanish = text(client.get(f"/claims/{desk.claim.id}/dossier", headers=headers_for("es")))

    # The primary source's date, 8 December 1987 (the history below keeps the stored value).
    assert "<dt>Date</dt><dd>1987-12-08</dd>" in english
    assert "<dt>Fecha</dt><dd>8 dic 1987</dd>" in spanish


def test_a_pdf_is_cached_per_language(db_session, desk):
    english = prepared.cache_key(db_session, desk.claim, desk.author)
    spanish = prepared.cache_key(db_session, desk.claim, desk.author, "es")
    arabic = prepared.cache_key(db_session, desk.claim, desk.author, "ar")

    # English keeps the names PDFs were cached under before there were languages.
    assert english.file_name == f"claim-{desk.claim.id}-v{english.version}-u{desk.author.id}.pdf"
    assert spanish.file_name == f"claim-{desk.claim.id}-v{english.version}-u{desk.author.id}-es.pdf"
    assert len({english.file_name, spanish.file_name, arabic.file_name}) == 3
    assert len({english.job_key, spanish.job_key, arabic.job_key}) == 3


@pytest.mark.slow
def test_the_pdf_writes_dates_in_the_requests_language(client, desk):
    sign_in(client, desk.author)

    english = pdf_text(client.get(f"/claims/{desk.claim.id}/dossier.pdf").data)
    spanish = pdf_text(client.get(f"/claims/{desk.claim.id}/dossier.pdf", headers=headers_for("es")).data)

    assert "1987-12-08" in english
    assert "8 dic 1987" in spanish
