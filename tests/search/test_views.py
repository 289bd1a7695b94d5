"""The desk's search page: claims, sources and documents for one query."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.search import views
from factcheck.web import counts
from tests.search import records
from tests.search.test_engines import HOSTILE

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
]


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


def section(page: str, kind: str) -> str:
    start = page.index(f'id="results-{kind}"')
    end = page.find("</section>", start)
    return page[start:end]


def test_one_query_finds_claims_sources_and_documents(
    client: FlaskClient, db_session: Session, reviewer: User
) -> None:
    doc = records.document(
        db_session,
        "NATO press conference",
        "The Secretary General spoke about the SSC-8 missile.",
        outlet="NATO",
    )
    by_text = records.claim(db_session, "Russia fielded the SSC-8 missile.", "NATO")
    by_source = records.claim(
        db_session,
        "The US named the missile in 2017.",
        sources=[
            {"title": "Compliance report", "publisher": "US State Department", "quote": "the SSC-8 system"}
        ],
    )
    by_document = records.claim(db_session, "A deadline of 60 days.", documents=[doc])
    response = client.get("/search/?q=ssc")
    page = response.get_data(as_text=True)
    assert response.status_code == 200

    claims = section(page, "claims")
    assert 'Claims <span class="count">(3)</span>' in claims
    assert records.listed_ids(claims) == [by_text.id, by_source.id, by_document.id]
    assert "Russia fielded the <mark>SSC</mark>-8 missile." in claims
    assert "matched in one of its sources" in claims and "matched in a document it appears in" in claims

    sources = section(page, "sources")
    source = by_source.sources[0]
    assert f'href="/claims/{by_source.id}#source-{source.id}"' in sources
    assert "the <mark>SSC</mark>-8 system" in sources
    assert "US State Department" in sources

    documents = section(page, "documents")
    assert f'href="/documents/{doc.id}"' in documents
    assert "spoke about the <mark>SSC</mark>-8 missile." in documents


def test_each_section_says_when_nothing_matches(
    client: FlaskClient, db_session: Session, reviewer: User
) -> None:
    records.claim(db_session, "Only a claim about tanks.")
    page = client.get("/search/?q=tanks").get_data(as_text=True)
    assert "No sources match." in page and "No documents match." in page


def test_no_query_shows_just_the_form(client: FlaskClient, reviewer: User) -> None:
    response = client.get("/search/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="search"' in page and "results-claims" not in page


def test_a_query_without_words_says_so(client: FlaskClient, reviewer: User) -> None:
    response = client.get("/search/", query_string={"q": '" * 🚀'})
    assert response.status_code == 200
    assert "type at least one word" in response.get_data(as_text=True)


@pytest.mark.parametrize("words", HOSTILE)
def test_hostile_input_never_errors(
    client: FlaskClient, db_session: Session, reviewer: User, words: str
) -> None:
    records.claim(db_session, "The missile claim.", sources=[{"title": "Missile source"}])
    response = client.get("/search/", query_string={"q": words[:200]})
    assert response.status_code == 200


def test_a_too_long_query_is_refused_next_to_the_field(client: FlaskClient, reviewer: User) -> None:
    response = client.get("/search/", query_string={"q": "x" * 201})
    assert response.status_code == 422
    assert 'id="q-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("payload", XSS)
def test_stored_markup_is_shown_as_text_with_highlights(
    client: FlaskClient, db_session: Session, reviewer: User, payload: str
) -> None:
    doc = records.document(db_session, f"Doc {payload} alert", f"Text {payload} alert")
    records.claim(
        db_session,
        f"Claim {payload} alert",
        f"Claimant {payload}",
        sources=[
            {"title": f"Source {payload} alert", "publisher": payload, "quote": payload, "citation": payload}
        ],
        documents=[doc],
    )
    page = client.get("/search/?q=alert").get_data(as_text=True)
    body = page[page.index("<main") :]
    assert "<script>alert" not in body
    assert "<img" not in body and "<svg" not in body
    assert 'href="javascript:' not in body
    assert "<mark>alert</mark>" in body


def test_one_kind_alone_is_paged(
    client: FlaskClient, db_session: Session, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = records.claim(db_session, "Claim.", sources=[{"title": f"Treaty source {n}"} for n in range(5)])
    seen: list[str] = []
    url: str | None = "/search/?q=treaty&kind=sources"
    pages = 0
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += re.findall(r"#source-(\d+)", page)
        found = re.search(r'<a href="([^"]+)" rel="next" class="button">', page)
        url = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    assert pages == 3
    assert sorted(map(int, seen)) == sorted(source.id for source in made.sources)
    assert "results-claims" not in page


def test_the_overview_links_to_the_full_lists(
    client: FlaskClient, db_session: Session, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PREVIEW_SIZE", 1)
    for n in range(2):
        records.claim(db_session, f"Treaty claim {n}.", sources=[{"title": "Treaty source"}])
    page = client.get("/search/?q=treaty").get_data(as_text=True)
    assert 'href="/claims/?q=treaty">' in page and "All 2 claims in the claim list" in page
    assert 'href="/search/?q=treaty&amp;kind=sources"' in page and "All 2 sources" in page


def test_a_damaged_cursor_is_refused(client: FlaskClient, db_session: Session, reviewer: User) -> None:
    records.claim(db_session, "Treaty.", sources=[{"title": "Treaty"}])
    response = client.get("/search/?q=treaty&kind=sources&after=bad")
    assert response.status_code == 422
    assert 'href="/search/?q=treaty&amp;kind=sources"' in response.get_data(as_text=True)


def test_the_claim_list_links_to_the_search_with_its_query(
    client: FlaskClient, db_session: Session, reviewer: User
) -> None:
    page = client.get("/claims/?q=treaty").get_data(as_text=True)
    assert 'href="/search/?q=treaty"' in page


def test_counts_past_the_limit_say_more_than(
    client: FlaskClient, db_session: Session, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PREVIEW_SIZE", 1)
    monkeypatch.setattr(counts, "COUNT_AT_MOST", 2)
    for n in range(3):
        records.claim(db_session, f"Treaty claim {n}.", sources=[{"title": "Treaty source"}] if n else [])
    page = client.get("/search/?q=treaty").get_data(as_text=True)
    assert 'Claims <span class="count">(more than 2)</span>' in section(page, "claims")
    assert "More than 2 claims in the claim list" in page
    # Two sources match: under the limit, exact.
    assert 'Sources <span class="count">(2)</span>' in section(page, "sources")
    assert "All 2 sources" in page
