"""capture.js in Chromium: UTF-16 offsets of a selection become the server's code point selectors.

JavaScript counts UTF-16 units: an astral emoji is two, a flag four, a ZWJ
family eight. The selectors capture.js sends must equal what the server
computes in code points (factcheck.claims.anchoring.select_quote), wherever
the selection starts or ends, inside highlights or not.
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

from factcheck import PROJECT_ROOT
from factcheck.accounts.models import Role, User
from factcheck.claims.anchoring import select_quote
from factcheck.claims.models import Claim
from tests.browser.conftest import ORIGIN, serve_app
from tests.documents.helpers import capture, make_document

pytestmark = pytest.mark.slow

SCRIPT = os.path.join(PROJECT_ROOT, "static", "js", "capture.js")
FAMILY = "👩\u200d👩\u200d👧"
TEXT = (
    "🚀 Запуск! 🇷🇺 Министерство заявило: «ракета 9M729 летит на 480 км».\n"
    f"家族 {FAMILY} 我们说：导弹射程为480公里。 & <not a tag>\n\n"  # noqa: RUF001 - CJK punctuation on purpose
    "Then: the missile flies 480 km. Again: the missile flies 480 km 🚀. End."
)
QUOTES = [
    ("🚀", 0),
    ("ракета 9M729 летит на 480 км", 0),
    ("🇷🇺 Министерство", 0),
    (FAMILY, 0),
    (f"{FAMILY} 我们说", 0),
    ("导弹射程为480公里。 & <not a tag>", 0),
    ("the missile flies 480 km", 1),
    ("480 km 🚀. End.", 0),
]

# Test-only helper: select text by walking the container's text nodes (independently of capture.js).
SELECT = """([start, end]) => {
  const container = document.querySelector('.document-text');
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node, startSet = false;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!startSet && start <= seen + length) { range.setStart(node, start - seen); startSet = true; }
    if (end <= seen + length) { range.setEnd(node, end - seen); break; }
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def utf16(text: str, code_points: int) -> int:
    return len(text[:code_points].encode("utf-16-le")) // 2


def expected(quote: str, occurrence: int) -> dict[str, Any]:
    selector = select_quote(TEXT, quote, occurrence=occurrence)
    return {
        "exact": selector.exact,
        "prefix": selector.prefix,
        "suffix": selector.suffix,
        "start": selector.start,
        "end": selector.end,
    }


def test_selectors_from_utf16_offsets_are_counted_in_code_points(browser_page: Any) -> None:
    browser_page.set_content('<div class="document-text"></div>')
    browser_page.add_script_tag(path=SCRIPT)
    for quote, occurrence in QUOTES:
        want = expected(quote, occurrence)
        start, end = utf16(TEXT, want["start"]), utf16(TEXT, want["end"])
        got = browser_page.evaluate(
            "([text, start, end]) => FactcheckCapture.selectorFor(text, start, end)", [TEXT, start, end]
        )
        assert got == want, quote
        # Whitespace around a selection is left out; an offset inside a surrogate pair takes the whole character.
        padded = browser_page.evaluate(
            "([text, start, end]) => FactcheckCapture.selectorFor(text, start, end)",
            [TEXT, max(0, start - 1), end + 1]
            if TEXT[want["start"] - 1 : want["start"]] == " "
            else [TEXT, start, end],
        )
        assert padded["exact"].strip() == padded["exact"]
    inside_pair = browser_page.evaluate("t => FactcheckCapture.selectorFor(t, 2, 3)", "🚀🚀🚀")
    assert inside_pair == {"exact": "🚀", "prefix": "🚀", "suffix": "🚀", "start": 1, "end": 2}
    assert browser_page.evaluate("t => FactcheckCapture.selectorFor(t, 0, 3)", "   x") is None
    sample = f"🚀a🇷🇺{FAMILY}"
    boundaries = [0, 2, 3, 5, 7, 9, 10, 15]
    counts = browser_page.evaluate(
        "([t, units]) => units.map(n => FactcheckCapture.codePointOffset(t, n))", [sample, boundaries]
    )
    assert counts == [len(sample.encode("utf-16-le")[: 2 * n].decode("utf-16-le")) for n in boundaries]
    assert counts == [0, 1, 2, 3, 4, 5, 6, 9]


@pytest.fixture
def reviewer_client(client: Any, login_as: Callable[[Role], User]) -> Any:
    login_as(Role.REVIEWER)
    return client


def test_selecting_in_the_document_page_opens_the_capture_form_with_code_point_selectors(
    browser_page: Any, reviewer_client: Any, db_session: Session, make_user: Callable[..., User]
) -> None:
    author = make_user(Role.REVIEWER)
    document = make_document(db_session, author, TEXT, title="Mixed", published_on=date(2019, 1, 23))
    # Existing highlights split the text into several nodes; offsets must not care.
    capture(db_session, document, "Министерство заявило", author)
    capture(db_session, document, "the missile flies 480 km", author, occurrence=0)
    serve_app(browser_page, reviewer_client)
    browser_page.goto(f"{ORIGIN}/documents/{document.id}")
    assert browser_page.evaluate("document.querySelector('.document-text').textContent") == TEXT
    button = browser_page.locator("#capture-button")
    assert button.is_hidden()

    for quote, occurrence in QUOTES:
        want = expected(quote, occurrence)
        browser_page.evaluate(SELECT, [utf16(TEXT, want["start"]), utf16(TEXT, want["end"])])
        button.wait_for(state="visible")
        got = browser_page.evaluate("FactcheckCapture.selectionIn(document.querySelector('.document-text'))")
        assert got == want, quote

    # A selection that starts inside a highlight and ends after it.
    want = expected("заявило: «ракета", 0)
    browser_page.evaluate(SELECT, [utf16(TEXT, want["start"]), utf16(TEXT, want["end"])])
    button.wait_for(state="visible")
    with browser_page.expect_navigation():
        button.click()
    address = urlsplit(browser_page.url)
    assert address.path == f"/claims/capture/document/{document.id}"
    # Browsers send line breaks in form values as CRLF (the server turns them back).
    sent = {
        name: values[0].replace("\r\n", "\n")
        for name, values in parse_qs(address.query, keep_blank_values=True).items()
    }
    assert sent == {
        "quote_exact": want["exact"],
        "quote_prefix": want["prefix"],
        "quote_suffix": want["suffix"],
        "position_start": str(want["start"]),
        "position_end": str(want["end"]),
    }
    assert browser_page.input_value("#quote_exact") == want["exact"]
    assert browser_page.input_value("#text") == want["exact"]

    # Capture it: the claim page opens, and the document highlights the new claim.
    browser_page.fill("#claimant", "Russian Ministry of Defence")
    with browser_page.expect_navigation():
        browser_page.click("#capture-submit")
    db_session.expire_all()
    claim = db_session.scalars(select(Claim).order_by(Claim.id.desc())).first()
    assert browser_page.locator("h1").inner_text() == f"“{want['exact']}”"
    [appearance] = claim.appearances
    assert (appearance.position_start, appearance.position_end) == (want["start"], want["end"])
    browser_page.goto(f"{ORIGIN}/documents/{document.id}")
    assert browser_page.locator(f'mark[data-claim-id="{claim.id}"]').count() >= 1
    # Clicking a highlight opens its claim.
    with browser_page.expect_navigation():
        browser_page.locator(f'mark[data-claim-id="{claim.id}"] a').first.click()
    assert urlsplit(browser_page.url).path == f"/claims/{claim.id}"


def test_a_mouse_selection_across_emoji_and_a_highlight(
    browser_page: Any, reviewer_client: Any, db_session: Session, make_user: Callable[..., User]
) -> None:
    author = make_user(Role.REVIEWER)
    document = make_document(db_session, author, TEXT, title="Mixed")
    capture(db_session, document, "我们说", author)
    serve_app(browser_page, reviewer_client)
    browser_page.goto(f"{ORIGIN}/documents/{document.id}")
    want = expected(f"{FAMILY} 我们说：导弹", 0)  # noqa: RUF001 - CJK punctuation on purpose
    # The screen positions of the first and last characters of the passage.
    first, last = browser_page.evaluate(
        """([start, end]) => {
          const container = document.querySelector('.document-text');
          const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
          const rect = (offset, length) => {
            let seen = 0, node;
            walker.currentNode = container;
            while ((node = walker.nextNode())) {
              if (offset < seen + node.data.length) {
                const range = document.createRange();
                range.setStart(node, offset - seen);
                range.setEnd(node, offset - seen + length);
                const r = range.getBoundingClientRect();
                return [r.left, r.top, r.right, r.bottom];
              }
              seen += node.data.length;
            }
          };
          return [rect(start, 2), rect(end - 1, 1)];
        }""",
        [utf16(TEXT, want["start"]), utf16(TEXT, want["end"])],
    )
    browser_page.mouse.move(first[0] + 1, (first[1] + first[3]) / 2)
    browser_page.mouse.down()
    browser_page.mouse.move(last[2] - 1, (last[1] + last[3]) / 2, steps=8)
    browser_page.mouse.up()
    browser_page.locator("#capture-button").wait_for(state="visible")
    with browser_page.expect_navigation():
        browser_page.click("#capture-button")
    sent = parse_qs(urlsplit(browser_page.url).query)
    assert sent["quote_exact"] == [want["exact"]]
    assert (sent["position_start"], sent["position_end"]) == ([str(want["start"])], [str(want["end"])])
