"""The verdict pages and the index of published checks, as an anonymous reader sees them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.documents.models import Document
from factcheck.public import checks as checks_module
from factcheck.publishing.models import Publication, PublicationKind
from tests.claims.desk import page_text
from tests.imports.samples import review, run_import, write
from tests.public.conftest import CheckBuilder, when
from tests.public.reader import canonical, has_id, html_of, meta, text_of, tree

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]


def links(response: Any) -> list[str]:
    return tree(response).xpath("//a/@href")


# --- the verdict page -------------------------------------------------------------------


def test_the_verdict_page_shows_everything_the_publishing_rules_ask_for(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    response = client.get(f"/checks/{claim.slug}")
    assert response.status_code == 200
    html, text = html_of(response), page_text(response)

    # The claim verbatim, with claimant, date and where it appeared (linked).
    assert text_of(response, "claim-text") == "Russia's 9M729 missile has a range of 480 km."
    assert text_of(response, "claimant") == "Russian Ministry of Defence"
    assert text_of(response, "claim-meta") == "Russian Ministry of Defence, 23 January 2019"
    assert "https://news.example.org/2019/01/23/missile-display" in links(response)
    assert "The missile's range is 480 km." in text
    # The label, headline, summary (Markdown) and explanation.
    assert text_of(response, "verdict-label") == "False"
    assert text_of(response, "check-headline") == "The 9M729's range is not 480 km, NATO allies say"
    assert "<strong>banned</strong>" in html
    assert "ranges of 500 to 5,500 km" in text
    # Every source linked, the primary one marked, with its quote.
    sources = tree(response).xpath('//ol[@class="public-sources"]/li')
    assert len(sources) == 2
    primary, other = (" ".join(item.text_content().split()) for item in sources)
    assert primary.startswith(
        "Primary source Statement on Russia's failure to comply with the INF Treaty, NATO"
    )
    assert "which violates the INF Treaty" in primary
    assert "Primary source" not in other
    assert "https://www.nato.int/cps/en/natohq/official_texts_161122.htm" in links(response)
    assert "https://news.example.org/russia-missile" in links(response)
    # Dates, and no corrections yet.
    assert text_of(response, "first-published") == "5 February 2019"
    assert not has_id(response, "last-updated")
    assert "Corrections and updates None so far." in text
    # The links readers need.
    hrefs = links(response)
    assert "/methodology" in hrefs
    assert "/methodology#label-false" in hrefs
    assert "/corrections" in hrefs
    assert f"/checks/{claim.slug}/report-error" in hrefs
    assert html.count('<script type="application/ld+json">') == 1
    assert "<script>" not in html
    assert ' style="' not in html


def test_updates_and_corrections_are_listed_with_dates_newest_first(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    revise_check(
        claim, PublicationKind.UPDATE, "Russia displayed the missile on 23 January.", published_at=when(7)
    )
    revise_check(
        claim,
        PublicationKind.CORRECTION,
        "The first version gave the wrong treaty date.",
        published_at=when(9),
        headline="Corrected headline",
    )
    response = client.get(f"/checks/{claim.slug}")
    assert text_of(response, "check-headline") == "Corrected headline"
    notes = [
        " ".join(item.text_content().split())
        for item in tree(response).xpath('//ol[@class="revision-notes"]/li')
    ]
    assert notes == [
        "Correction, 9 February 2019: The first version gave the wrong treaty date.",
        "Update, 7 February 2019: Russia displayed the missile on 23 January.",
    ]
    assert "Newest first." in page_text(response)
    assert text_of(response, "last-updated") == "9 February 2019"
    assert text_of(response, "first-published") == "5 February 2019"
    # Every earlier revision is one link away.
    hrefs = links(response)
    assert f"/checks/{claim.slug}/revisions/1" in hrefs
    assert f"/checks/{claim.slug}/revisions/2" in hrefs
    assert f"/checks/{claim.slug}/revisions/3" not in hrefs  # the one shown


def test_a_retracted_check_keeps_its_address(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    revise_check(claim, PublicationKind.RETRACTION, "The quote was not the ministry's.", published_at=when(8))
    response = client.get(f"/checks/{claim.slug}")
    assert response.status_code == 200
    assert "The quote was not the ministry's." in text_of(response, "retraction-notice")
    assert text_of(response, "verdict-label") == "Retracted"
    assert meta(response, "robots") == "index,follow"


def test_an_appearance_in_a_document_links_to_the_annotated_text(
    client: FlaskClient, db_session: Session, published_check: PublishedCheck
) -> None:
    text = "The ministry said the missile's range is 480 km, within the treaty."
    document = Document(
        title="Ministry briefing", text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest()
    )
    db_session.add(document)
    db_session.commit()
    claim = published_check(appearances=[{"document": document, "quote": "the missile's range is 480 km"}])
    response = client.get(f"/checks/{claim.slug}")
    link = f"/read/{document.id}"
    assert link in links(response)
    assert "Ministry briefing" in page_text(response)
    assert client.get(link).status_code == 200


def test_unknown_and_never_published_checks_do_not_exist(
    client: FlaskClient, draft_check: Callable[..., Claim]
) -> None:
    draft_check(slug="never-published", headline="Draft headline nobody may read")
    for url in ["/checks/no-such-check", "/checks/never-published", "/checks/never-published/revisions/1"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert 'class="public"' in html_of(response)  # the public layout
        assert "We could not find that page" in page_text(response)
        assert "Draft headline" not in html_of(response)


# --- earlier revisions -------------------------------------------------------------------


def test_an_earlier_revision_is_shown_exactly_as_it_was(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5), headline="First headline")
    revise_check(
        claim,
        PublicationKind.CORRECTION,
        "We had the range wrong in the headline.",
        published_at=when(9),
        headline="Second headline",
        label="mostly-false",
    )
    response = client.get(f"/checks/{claim.slug}/revisions/1")
    assert response.status_code == 200
    assert text_of(response, "revision-notice") == (
        "This is revision 1 of 2, published 5 February 2019; see the current version."
    )
    assert f"/checks/{claim.slug}" in links(response)
    assert text_of(response, "check-headline") == "First headline"
    assert text_of(response, "verdict-label") == "False"
    assert "We had the range wrong" not in page_text(response)
    assert canonical(response) == f"http://localhost/checks/{claim.slug}"
    assert meta(response, "robots") == "noindex,follow"

    latest = client.get(f"/checks/{claim.slug}/revisions/2")
    assert text_of(latest, "check-headline") == "Second headline"
    assert "revision 2 of 2" in text_of(latest, "revision-notice")
    assert "We had the range wrong in the headline." in page_text(latest)


@pytest.mark.parametrize("revision", [0, 3, 99])
def test_unknown_revisions_are_not_found(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck, revision: int
) -> None:
    claim = published_check()
    revise_check(claim)
    assert client.get(f"/checks/{claim.slug}/revisions/{revision}").status_code == 404


# --- the index ------------------------------------------------------------------------------


def headlines(response: Any) -> list[str]:
    return [
        " ".join(h.text_content().split())
        for h in tree(response).xpath('//li[@class="public-check-item"]/h2')
    ]


def item_labels(response: Any) -> list[str]:
    return [
        " ".join(s.text_content().split())
        for s in tree(response).xpath(
            '//li[@class="public-check-item"]//span[contains(@class, "verdict-label")]'
        )
    ]


def test_the_index_lists_published_checks_newest_revision_first(
    client: FlaskClient,
    published_check: PublishedCheck,
    revise_check: ReviseCheck,
    draft_check: Callable[..., Claim],
) -> None:
    first = published_check(headline="Alpha", published_at=when(1))
    published_check(headline="Bravo", published_at=when(2), label="true", claimant="NATO")
    third = published_check(headline="Charlie", published_at=when(3))
    draft_check(headline="Draft only", slug="draft-only")
    revise_check(first, PublicationKind.UPDATE, "New facts came to light in February.", published_at=when(4))
    revise_check(
        third, PublicationKind.RETRACTION, "Retracted: the claimant was misquoted.", published_at=when(5)
    )

    response = client.get("/checks/")
    assert response.status_code == 200
    assert headlines(response) == ["Charlie", "Alpha", "Bravo"]
    assert item_labels(response) == ["Retracted", "False", "True"]
    assert text_of(response, "results-count") == "3 fact checks."
    text = page_text(response)
    assert "Draft only" not in text
    assert "NATO · Published 2 February 2019" in text
    assert "Published 1 February 2019 · Updated 4 February 2019" in text
    assert "Published 3 February 2019 · Retracted 5 February 2019" in text
    # The labels offered as filters are the ones shown.
    options = tree(response).xpath('//select[@id="filter-label"]/option/@value')
    assert options == ["", "False", "Retracted", "True"]


def test_search_matches_the_latest_revision_only_whatever_the_case_and_accents(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(headline="Kaliningrad deployment", published_at=when(1))
    published_check(headline="Aegis Ashore in Romania", claimant="Sergei Lavrov", published_at=when(2))
    revise_check(
        claim,
        PublicationKind.CORRECTION,
        "The place was wrong in the headline.",
        headline="Yekaterinburg deployment",
    )

    def found(q: str) -> list[str]:
        response = client.get("/checks/", query_string={"q": q})
        assert response.status_code == 200
        return headlines(response)

    assert found("Yekaterinburg") == ["Yekaterinburg deployment"]
    assert found("kaliningrad") == []  # only in the earlier revision
    assert found("AEGIS romania") == ["Aegis Ashore in Romania"]
    assert found("lavrov") == ["Aegis Ashore in Romania"]  # the claimant
    assert found("ÄEGIS") == ["Aegis Ashore in Romania"]
    assert found("deployment aegis") == []  # every word must match
    assert text_of(client.get("/checks/?q=aegis"), "results-count") == "1 fact check found."


def test_search_wildcards_are_not_words(client: FlaskClient, published_check: PublishedCheck) -> None:
    published_check(headline="A 100% accurate claim", published_at=when(1))
    published_check(headline="Snake_case claim", published_at=when(2))
    published_check(headline="Plain claim", published_at=when(3))
    everything = ["Plain claim", "Snake_case claim", "A 100% accurate claim"]
    assert headlines(client.get("/checks/?q=100%25")) == ["A 100% accurate claim"]
    assert headlines(client.get("/checks/?q=snake")) == ["Snake_case claim"]
    assert headlines(client.get("/checks/?q=e_c")) == []
    # Nothing but punctuation is no search at all.
    assert headlines(client.get("/checks/?q=%25")) == everything
    assert headlines(client.get("/checks/?q=_")) == everything
    assert headlines(client.get("/checks/", query_string={"q": "\\"})) == everything


def test_search_matches_whole_words_only(client: FlaskClient, published_check: PublishedCheck) -> None:
    published_check(headline="Art funding was cut", published_at=when(1))
    published_check(headline="Heart surgery waiting times", claimant="Martin Lewis", published_at=when(2))
    published_check(headline="The state of the art, in a phrase", published_at=when(3))

    def found(q: str) -> list[str]:
        return headlines(client.get("/checks/", query_string={"q": q}))

    assert found("art") == ["The state of the art, in a phrase", "Art funding was cut"]
    assert found("ART funding") == ["Art funding was cut"]
    assert found("heart") == ["Heart surgery waiting times"]
    assert found("martin") == ["Heart surgery waiting times"]
    assert found("mart") == []
    assert found("surgery,") == ["Heart surgery waiting times"]
    assert found('"the art"') == ["The state of the art, in a phrase"]
    assert found('"art the"') == []


def test_search_folds_accents_and_case_in_every_script(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    published_check(headline="Nicolás Maduro on inflation", claimant="Nicolás Maduro", published_at=when(1))
    published_check(headline="Chávez and the oil", published_at=when(2))
    published_check(headline="ПЕСКОВ про санкции", published_at=when(3))
    published_check(headline="Τσίπρας στην ΑΘΉΝΑ", published_at=when(4))

    def found(q: str) -> list[str]:
        return headlines(client.get("/checks/", query_string={"q": q}))

    assert found("nicolas maduro") == ["Nicolás Maduro on inflation"]
    assert found("chavez") == ["Chávez and the oil"]
    assert found("CHÁVEZ") == ["Chávez and the oil"]
    assert found("песков САНКЦИИ") == ["ПЕСКОВ про санкции"]
    assert found("ΤΣΙΠΡΑΣ αθηνα") == ["Τσίπρας στην ΑΘΉΝΑ"]


def test_filter_by_label_and_published_dates(client: FlaskClient, published_check: PublishedCheck) -> None:
    published_check(headline="Early false", published_at=when(1))
    published_check(headline="Middle true", label="true", published_at=when(10, 23))
    published_check(headline="Late false", published_at=when(20))

    assert headlines(client.get("/checks/?label=False")) == ["Late false", "Early false"]
    assert headlines(client.get("/checks/?label=True")) == ["Middle true"]
    assert headlines(client.get("/checks/?label=Satire")) == []
    assert headlines(client.get("/checks/?from=2019-02-10")) == ["Late false", "Middle true"]
    # "to" includes the whole day.
    assert headlines(client.get("/checks/?to=2019-02-10")) == ["Middle true", "Early false"]
    assert headlines(client.get("/checks/?from=2019-02-02&to=2019-02-19")) == ["Middle true"]
    assert headlines(client.get("/checks/?from=2019-02-02&to=2019-02-19&label=False")) == []
    assert headlines(client.get("/checks/?to=9999-12-31")) == ["Late false", "Middle true", "Early false"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "“yesterday” is not a date. Use the form YYYY-MM-DD"),
        ("to=2019-02-30", "“2019-02-30” is not a date."),
        ("from=2019-13-01", "is not a date"),
        ("from=20190201", "is not a date"),
        ("from=2019-02-10&to=2019-02-01", "The end date is before the start date."),
        ("after=not-a-cursor", "This page link is out of date or damaged."),
        ("q=" + "x" * 300, "Search for at most 200 characters."),
        ("q=a%00b", "not allowed"),
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error_page(
    client: FlaskClient, published_check: PublishedCheck, query: str, message: str
) -> None:
    published_check(published_at=when(1))
    response = client.get(f"/checks/?{query}")
    assert response.status_code == 400
    assert message in text_of(response, "filter-errors")
    assert headlines(response) == []
    assert "ETag" not in response.headers


def test_the_index_is_paged(
    client: FlaskClient, check_builder: CheckBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks_module, "PAGE_SIZE", 2)
    for day in range(1, 6):
        check_builder.publish(headline=f"Check {day}", published_at=when(day), private=False)

    first = client.get("/checks/?label=False")
    assert headlines(first) == ["Check 5", "Check 4"]
    assert text_of(first, "results-count") == "5 fact checks found."
    [next_link] = tree(first).xpath('//a[@rel="next"]/@href')
    assert not tree(first).xpath('//a[@rel="prev"]')
    assert parse_qs(urlsplit(next_link).query)["label"] == ["False"]

    second = client.get(next_link)
    assert headlines(second) == ["Check 3", "Check 2"]
    third = client.get(tree(second).xpath('//a[@rel="next"]/@href')[0])
    assert headlines(third) == ["Check 1"]
    assert not tree(third).xpath('//a[@rel="next"]')
    back = client.get(tree(third).xpath('//a[@rel="prev"]/@href')[0])
    assert headlines(back) == ["Check 3", "Check 2"]
    assert meta(second, "robots") == "noindex,follow"


def test_an_empty_index_says_so(client: FlaskClient) -> None:
    response = client.get("/checks/")
    assert response.status_code == 200
    assert text_of(response, "results-count") == "0 fact checks."
    assert "Nothing has been published yet." in page_text(response)
    assert re.search(r'<link rel="canonical" href="http://localhost/checks/">', html_of(response))


def test_label_spellings_are_one_filter(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    # Imported checks show their publisher's label verbatim, in whatever case it came.
    records = [
        review(f"https://www.politifact.com/{n}/", f"Claim {n}.", label, published=f"2019-02-0{n}")
        for n, label in ((1, "Mostly False"), (2, "Mostly false"), (3, "True"))
    ]
    assert run_import(app, "claimreview", write(tmp_path, "f.json", records)).exit_code == 0

    options = tree(client.get("/checks/")).xpath('//select[@id="filter-label"]/option/@value')
    assert options == ["", "Mostly False", "True"]
    expected = [f"Mostly {case}: Claim {n}." for n, case in ((2, "false"), (1, "False"))]
    assert headlines(client.get("/checks/?label=Mostly+False")) == expected
    assert headlines(client.get("/checks/?label=mostly+false")) == expected
