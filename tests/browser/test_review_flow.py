"""End to end in Chromium: a reviewer signs in, opens the seed article, selects a sentence
with the mouse, captures it as a claim, adds a source, and sees the new highlight.

The app runs with CSRF protection on and its real Content-Security-Policy; any
console error or CSP violation fails the test (see conftest.browser_page).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim, ClaimState
from factcheck.documents.models import Document
from factcheck.sources.models import Source, Stance
from tests.browser.conftest import ORIGIN, serve_app, sign_in

pytestmark = pytest.mark.slow

SENTENCE = (
    "Stoltenberg said he welcomed the decision of the Alliance of Foreign Ministers, "
    "who in December agreed on the need to resolve this within the organization."
)

# Screen rectangles of the first and last characters of a passage of the document text.
CHARACTER_BOXES = """(passage) => {
  const container = document.querySelector('.document-text');
  const text = container.textContent;
  const start = text.indexOf(passage);
  if (start < 0) { return null; }
  const end = start + passage.length;
  const box = (offset) => {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    let seen = 0, node;
    while ((node = walker.nextNode())) {
      if (offset < seen + node.data.length) {
        const range = document.createRange();
        range.setStart(node, offset - seen);
        range.setEnd(node, offset - seen + 1);
        const r = range.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom];
      }
      seen += node.data.length;
    }
    return null;
  };
  return [box(start), box(end - 1)];
}"""


def test_capture_a_claim_with_the_mouse_add_a_source_and_see_the_highlight(
    browser_page: Any, desk: Flask, db_session: Session
) -> None:
    page = browser_page
    serve_app(page, desk.test_client())

    assert "Signed in as Anna Reviewer" in sign_in(page, "anna@example.org", "demo-reviewer-password")

    # Open the seed article from the documents list.
    page.goto(f"{ORIGIN}/documents/")
    with page.expect_navigation():
        page.click("text=NATO Demands Moscow")
    assert page.locator("mark.claim-highlight").count() >= 5

    # Select the sentence with the mouse: press on its first character, release on its last.
    first, _ = page.evaluate(CHARACTER_BOXES, SENTENCE)
    page.mouse.wheel(0, first[1] - 200)  # bring the sentence into the viewport
    page.wait_for_function("() => window.scrollY > 0")
    first, last = page.evaluate(CHARACTER_BOXES, SENTENCE)
    page.mouse.move(first[0] + 1, (first[1] + first[3]) / 2)
    page.mouse.down()
    page.mouse.move(last[2] - 1, (last[1] + last[3]) / 2, steps=10)
    page.mouse.up()
    page.locator("#capture-button").wait_for(state="visible")
    with page.expect_navigation():
        page.click("#capture-button")

    # The capture form opens with the quote; set the wording and the claimant.
    assert page.input_value("#quote_exact") == SENTENCE
    page.fill(
        "#text", "NATO foreign ministers agreed in December 2018 to resolve the INF dispute within NATO."
    )
    page.fill("#claimant", "Jens Stoltenberg, NATO Secretary-General")
    with page.expect_navigation():
        page.click("#capture-submit")
    assert "NATO foreign ministers agreed in December 2018" in page.content()

    claim = db_session.scalars(select(Claim).where(Claim.text.like("NATO foreign ministers agreed%"))).one()
    assert claim.state == ClaimState.NEW
    appearance = claim.appearances[0]
    document = db_session.get(Document, appearance.document_id)
    assert document.text[appearance.position_start : appearance.position_end] == SENTENCE

    # Add a source from the claim page.
    page.goto(f"{ORIGIN}/claims/{claim.id}")
    with page.expect_navigation():
        page.click("text=Add a source")
    page.fill("#title", "Statement on the Intermediate-Range Nuclear Forces (INF) Treaty")
    page.fill("#url", "https://www.nato.int/cps/en/natohq/official_texts_161122.htm")
    page.fill("#publisher", "NATO Foreign Ministers")
    page.select_option("#stance", "supports")
    with page.expect_navigation():
        page.click('button:has-text("Add the source")')
    assert "Statement on the Intermediate-Range Nuclear Forces (INF) Treaty" in page.content()
    source = db_session.scalars(select(Source).where(Source.claim_id == claim.id)).one()
    assert source.stance == Stance.SUPPORTS

    # Back on the article, the new claim is highlighted and the highlight opens it.
    page.goto(f"{ORIGIN}/documents/{document.id}")
    highlight = page.locator(f"mark.claim-highlight[data-claim-id='{claim.id}']")
    assert highlight.count() >= 1
    assert SENTENCE.startswith(highlight.first.inner_text()[:40])
    with page.expect_navigation():
        highlight.first.locator("a").first.click()
    assert "NATO foreign ministers agreed in December 2018" in page.content()
