"""PDF capture, right-to-left display and the floating capture button, in Chromium.

Screenshots for people reviewing the change are written where ISSUE15_SCREENS points
(nowhere when it is unset).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.anchoring import select_quote
from factcheck.claims.models import Claim
from factcheck.documents.models import Document
from tests.browser.conftest import ORIGIN, serve_app
from tests.browser.test_capture_js import SELECT, utf16
from tests.documents.helpers import capture, make_document, upload
from tests.documents.pdfs import report_pdf

pytestmark = pytest.mark.slow

QUOTE = "Unemployment fell to 4.2 per cent"


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("ISSUE15_SCREENS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"issue15-{name}.png"), full_page=False)


@pytest.fixture
def reviewer_client(client: Any, login_as: Callable[[Role], User]) -> Any:
    login_as(Role.REVIEWER)
    return client


def select_quote_in_page(page: Any, text: str, quote: str) -> None:
    selector = select_quote(text, quote)
    page.evaluate(SELECT, [utf16(text, selector.start), utf16(text, selector.end)])


def test_a_passage_on_page_two_of_a_pdf_is_captured_with_its_page(
    browser_page: Any, reviewer_client: Any, db_session: Session
) -> None:
    response = reviewer_client.post(
        "/documents/new",
        data=upload("labour-market-q3.pdf", report_pdf()),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db_session.scalars(select(Document)).one()
    serve_app(browser_page, reviewer_client)
    browser_page.set_viewport_size({"width": 1100, "height": 800})
    browser_page.goto(f"{ORIGIN}/documents/{document.id}")
    # The page labels are drawn by CSS: the text scripts count selectors in is the stored text.
    assert browser_page.evaluate("document.querySelector('.document-text').textContent") == document.text
    label = browser_page.evaluate("getComputedStyle(document.getElementById('page-2'), '::before').content")
    assert label == '"Page " attr(data-page)' or label == '"Page 2"'

    select_quote_in_page(browser_page, document.text, QUOTE)
    button = browser_page.locator("#capture-button")
    button.wait_for(state="visible")
    screenshot(browser_page, "pdf-selection")
    with browser_page.expect_navigation():
        button.click()
    assert parse_qs(urlsplit(browser_page.url).query)["quote_exact"] == [QUOTE]
    browser_page.fill("#claimant", "Office for National Statistics")
    with browser_page.expect_navigation():
        browser_page.click("#capture-submit")
    claim = db_session.scalars(select(Claim)).one()
    assert claim.appearances[0].page == 2
    assert browser_page.locator(".appearance-page").inner_text() == "page 2"
    screenshot(browser_page, "pdf-claim-page")


def test_the_capture_button_appears_next_to_the_selection_and_is_reached_with_the_keyboard(
    browser_page: Any, reviewer_client: Any, db_session: Session, make_user: Callable[..., User]
) -> None:
    author = make_user(Role.REVIEWER)
    text = "\n\n".join(
        f"Paragraph {n}. The ministry said unemployment fell in region {n} during the third quarter."
        for n in range(1, 40)
    )
    document = make_document(db_session, author, text, title="Regional figures")
    serve_app(browser_page, reviewer_client)
    browser_page.set_viewport_size({"width": 1100, "height": 700})
    browser_page.goto(f"{ORIGIN}/documents/{document.id}")
    quote = "unemployment fell in region 12"
    browser_page.evaluate("n => document.querySelectorAll('.document-text')[0].scrollIntoView()", None)
    browser_page.mouse.wheel(0, 500)
    select_quote_in_page(browser_page, text, quote)
    button = browser_page.locator("#capture-button")
    button.wait_for(state="visible")
    selection = browser_page.evaluate(
        "(() => { const r = window.getSelection().getRangeAt(0).getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })()"
    )
    box = button.bounding_box()
    # Just below the selection (or just above when there is no room), overlapping it horizontally.
    below = 0 <= box["y"] - selection["bottom"] <= 24
    above = 0 <= selection["top"] - (box["y"] + box["height"]) <= 24
    assert below or above, (box, selection)
    assert box["x"] < selection["right"] and box["x"] + box["width"] > selection["left"] - 1
    assert box["y"] >= 0 and box["y"] + box["height"] <= 700
    # Announced for screen readers, and reached with Alt+C.
    assert "Alt+C" in browser_page.locator("#capture-status").inner_text()
    assert button.get_attribute("aria-keyshortcuts") == "Alt+C"
    screenshot(browser_page, "capture-button")
    browser_page.keyboard.press("Alt+c")
    assert browser_page.evaluate("document.activeElement.id") == "capture-button"
    with browser_page.expect_navigation():
        browser_page.keyboard.press("Enter")
    assert parse_qs(urlsplit(browser_page.url).query)["quote_exact"] == [quote]


def test_an_arabic_claimant_beside_a_date_keeps_the_date_intact(
    browser_page: Any, reviewer_client: Any, db_session: Session, make_user: Callable[..., User]
) -> None:
    author = make_user(Role.REVIEWER)
    text = "قال وزير المالية إن العجز انخفض إلى 2.1 في المئة من الناتج المحلي الإجمالي."
    document = make_document(db_session, author, text, title="بيان وزارة المالية", language="ar")
    appearance = capture(db_session, document, "العجز انخفض إلى 2.1 في المئة", author)
    appearance.claim.claimant = "وزارة المالية"
    appearance.claim.claimed_on = date(2026, 3, 14)
    appearance.claim.language = "ar"
    db_session.commit()
    serve_app(browser_page, reviewer_client)
    browser_page.set_viewport_size({"width": 1100, "height": 700})
    browser_page.goto(f"{ORIGIN}/claims/{appearance.claim_id}")
    # The date's parts are drawn left to right: 2026, then 03, then 14.
    xs = browser_page.evaluate(
        """() => {
          const p = document.querySelector('.claim-header .claimant').parentNode;
          const node = [...p.childNodes].find(n => n.nodeType === 3 && n.data.includes('2026-03-14'));
          const at = (part) => {
            const i = node.data.indexOf(part), r = document.createRange();
            r.setStart(node, i); r.setEnd(node, i + part.length);
            return r.getBoundingClientRect().left;
          };
          return [at('2026'), at('-03-') + 1, at('14')];
        }"""
    )
    assert xs[0] < xs[1] < xs[2], xs
    screenshot(browser_page, "rtl-claim-page")

    browser_page.goto(f"{ORIGIN}/claims/")
    cell = browser_page.locator(".claim-cell").first
    assert cell.evaluate("c => getComputedStyle(c).direction") == "rtl"
    # Right-aligned: the claim's text ends at the cell's right edge (logical "start" in Arabic).
    assert cell.evaluate("c => getComputedStyle(c).textAlign") in {"start", "right"}
    link_box, cell_box = cell.locator("a").bounding_box(), cell.bounding_box()
    assert (cell_box["x"] + cell_box["width"]) - (link_box["x"] + link_box["width"]) < 24
    screenshot(browser_page, "rtl-claim-list")

    browser_page.goto(f"{ORIGIN}/documents/{document.id}")
    assert browser_page.locator("#document-text").evaluate("c => getComputedStyle(c).direction") == "rtl"
    screenshot(browser_page, "rtl-document")
