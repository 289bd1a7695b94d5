"""PDF documents: uploaded, read page by page, captured from with the page kept, the original for staff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import Claim
from factcheck.claims.selectors import web_annotation_selectors
from factcheck.documents.models import Document
from factcheck.documents.pdf import read_pdf
from tests.claims.test_capture import claims, selection
from tests.documents.helpers import documents, field_error, page, text_in_page, upload
from tests.documents.pdfs import REPORT_PAGES, report_pdf, scanned_pdf

pytestmark = pytest.mark.slow

UNEMPLOYMENT = "Unemployment fell to 4.2 per cent"


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


def post_document(client: Any, data: dict[str, Any]) -> Any:
    return client.post("/documents/new", data=data, content_type="multipart/form-data")


def uploaded_report(client: Any, db_session: Session) -> Document:
    response = post_document(client, upload("labour-market-q3.pdf", report_pdf()))
    assert response.status_code == 302, field_error(response, "upload")
    [document] = documents(db_session)
    return document


def test_a_pdf_is_read_page_by_page() -> None:
    read = read_pdf(report_pdf())
    assert len(read.page_starts) == 3 and read.page_starts[0] == 0
    for number, (heading, paragraph) in enumerate(REPORT_PAGES):
        end = read.page_starts[number + 1] if number + 1 < 3 else len(read.text)
        page_text = read.text[read.page_starts[number] : end]
        # pypdf keeps the PDF's line breaks: compare words.
        words = " ".join(page_text.split())
        assert words.startswith(heading) and " ".join(paragraph.split()[:8]) in words
    assert read.title == "Labour Market Report Q3"


def test_an_uploaded_pdf_keeps_its_pages_title_and_original(
    client: Any, reviewer: User, db_session: Session
) -> None:
    document = uploaded_report(client, db_session)
    assert document.title == "Labour Market Report Q3"
    assert document.author == "Office for National Statistics"
    assert document.file_name == "labour-market-q3.pdf" and document.file_type == "application/pdf"
    assert document.file is not None and document.file.content == report_pdf()
    assert [document.page_at(start) for start in document.page_starts] == [1, 2, 3]
    shown = client.get(f"/documents/{document.id}")
    tree = page(shown)
    # Page markers add nothing to the text a script reads (their label is drawn by CSS).
    assert text_in_page(shown) == document.text
    assert [m.get("data-page") for m in tree.find_class("page-start")] == ["1", "2", "3"]
    assert tree.get_element_by_id("original-link").get("href") == f"/documents/{document.id}/original"
    assert "3 pages" in tree.get_element_by_id("original-link").getparent().text_content()


def test_the_original_is_downloaded_by_staff_only(
    client: Any, reviewer: User, db_session: Session, auth: Any
) -> None:
    document = uploaded_report(client, db_session)
    response = client.get(f"/documents/{document.id}/original")
    assert response.status_code == 200
    assert response.data == report_pdf()
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=labour-market-q3.pdf"
    assert "no-store" in response.headers["Cache-Control"]
    auth.logout()
    refused = client.get(f"/documents/{document.id}/original")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_capturing_on_page_two_keeps_the_page(client: Any, reviewer: User, db_session: Session) -> None:
    document = uploaded_report(client, db_session)
    response = client.post(
        f"/claims/capture/document/{document.id}",
        data={
            **selection(document.text, UNEMPLOYMENT),
            "document_id": str(document.id),
            "text": "Unemployment fell to 4.2% in the third quarter.",
            "claimant": "Office for National Statistics",
        },
    )
    assert response.status_code == 302
    [claim] = claims(db_session)
    [appearance] = claim.appearances
    assert appearance.page == 2
    claim_page = page(client.get(f"/claims/{claim.id}"))
    assert claim_page.find_class("appearance-page")[0].text_content() == "page 2"
    # The W3C selectors the API gives for it: the page beside the quote and the position.
    selectors = web_annotation_selectors(appearance)
    assert [s["type"] for s in selectors] == ["TextQuoteSelector", "TextPositionSelector", "FragmentSelector"]
    assert selectors[2] == {
        "type": "FragmentSelector",
        "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
        "value": "page=2",
    }


def test_a_scanned_pdf_gets_a_clear_error_and_nothing_is_stored(
    client: Any, reviewer: User, db_session: Session
) -> None:
    response = post_document(client, upload("scan.pdf", scanned_pdf(), title="Scanned letter"))
    assert response.status_code == 422
    assert "probably a scan" in field_error(response, "upload")
    assert documents(db_session) == []


def test_a_file_named_pdf_that_is_not_one_is_refused(
    client: Any, reviewer: User, db_session: Session
) -> None:
    response = post_document(client, upload("report.pdf", b"<html>not a pdf</html>"))
    assert response.status_code == 422
    assert field_error(response, "upload") == "This file is not a PDF."
    assert documents(db_session) == []


def test_the_page_shows_in_the_dossier(
    client: Any, login_as: Callable[[Role], User], db_session: Session
) -> None:
    login_as(Role.REVIEWER)
    document = uploaded_report(client, db_session)
    client.post(
        f"/claims/capture/document/{document.id}",
        data={
            **selection(document.text, UNEMPLOYMENT),
            "document_id": str(document.id),
            "text": "Unemployment fell to 4.2%.",
            "claimant": "ONS",
        },
    )
    [claim] = claims(db_session)
    assert isinstance(claim, Claim)
    dossier = page(client.get(f"/claims/{claim.id}/dossier"))
    [selector] = dossier.find_class("page-selector")
    assert selector.text_content() == "page=2 (PDF, RFC 8118)"
