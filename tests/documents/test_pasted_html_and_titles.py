"""Pasted web page source is read like an uploaded .html file; titles are guessed sensibly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.documents.titles import guess_title
from tests.documents.helpers import documents

PASTED_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Jobs figures | The Courier</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Jobs figures questioned</h1>
<p>The minister said on Monday that 300,000 jobs were created last year, a figure the statistics office has not confirmed.</p>
<p>Economists said the number counted seasonal work twice and should be read with care.</p>
</article><footer>© The Courier</footer></body></html>"""


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


def test_pasted_html_is_stored_as_its_text(client: Any, reviewer: User, db_session: Session) -> None:
    response = client.post("/documents/new", data={"text": PASTED_PAGE})
    assert response.status_code == 302
    [document] = documents(db_session)
    assert "300,000 jobs were created last year" in document.text
    assert "<p>" not in document.text and "Home" not in document.text and "© The Courier" not in document.text
    # The page's first heading, not the site's name in <title>.
    assert document.title == "Jobs figures questioned"
    assert document.language == "en"


def test_a_pasted_fragment_of_html_is_read_too(client: Any, reviewer: User, db_session: Session) -> None:
    fragment = (
        "<p>The deficit fell to 2.1 per cent of GDP in 2025, the finance ministry said in its annual report.</p>"
        "<p>It had been 3.4 per cent the year before, when spending on energy support peaked.</p>"
    )
    assert client.post("/documents/new", data={"text": fragment}).status_code == 302
    [document] = documents(db_session)
    assert document.text.startswith("The deficit fell to 2.1 per cent") and "<p>" not in document.text


def test_text_mentioning_tags_is_kept_as_written(client: Any, reviewer: User, db_session: Session) -> None:
    text = "Use the <p> element for paragraphs, the guide says.\nIt is in every browser."
    assert client.post("/documents/new", data={"text": text}).status_code == 302
    assert documents(db_session)[0].text == text


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Budget statement 2026\n\nThe deficit fell.", "Budget statement 2026"),
        ("Jobs figures questioned\n\nThe minister said so.", "Jobs figures questioned"),
        (
            "The minister said on Monday that 300,000 jobs were created last year. Economists disagree.",
            "The minister said on Monday that 300,000 jobs were created last year.",
        ),
        (
            "The minister said on Monday that three hundred thousand new jobs were created across every region "
            "of the country last year despite the slowdown.",
            "The minister said on Monday that three hundred thousand new jobs were created across every region "
            "of the country last…",
        ),
        (
            "قال الوزير إن البطالة انخفضت إلى 4.2 في المئة. وأضاف أن العجز تراجع.",
            "قال الوزير إن البطالة انخفضت إلى 4.2 في المئة.",
        ),
    ],
)
def test_titles_are_the_first_heading_or_sentence_cut_at_a_word(text: str, title: str) -> None:
    guessed = guess_title(text)
    assert guessed == title
    assert len(guessed) <= 120


def test_a_document_without_a_title_gets_the_guessed_one(
    client: Any, reviewer: User, db_session: Session
) -> None:
    text = "The minister said on Monday that 300,000 jobs were created last year. Economists disagree."
    assert client.post("/documents/new", data={"text": text}).status_code == 302
    assert (
        documents(db_session)[0].title
        == "The minister said on Monday that 300,000 jobs were created last year."
    )
