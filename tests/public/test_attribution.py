"""Another publisher's fact check, imported from its ClaimReview, is shown as theirs: on its page,
in the index and its filter, the corrections log, the Atom feed, the ClaimReview markup and on the desk.
Our own checks still say "Our verdict"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Claim
from factcheck.publishing import operations
from factcheck.publishing.models import PublicationKind
from tests.imports.samples import LICENCE, WAPO, claim_by_key, review, run_import, script_line, write
from tests.public.conftest import clock_at, when
from tests.public.reader import claim_review, has_id, html_of, text_of, tree

WAPO_URL = "https://www.washingtonpost.com/politics/2018/01/02/fact-checker-tax-cut/"
THE_POST = {**WAPO, "name": "The Washington Post"}
OUR_NAME = "Factcheck demo newsroom"


def _theirs(**extra: Any) -> dict[str, Any]:
    return review(
        WAPO_URL,
        "The tax cut is the biggest in history.",
        "Three Pinocchios",
        author=THE_POST,
        claimant="Donald Trump",
        published="2018-01-02",
        claimed="2017-12-20",
        **extra,
    )


def _import(app: Flask, tmp_path: Path, *records: dict[str, Any]) -> None:
    path = write(tmp_path, "theirs.txt", "".join(script_line(record) + "\n" for record in records))
    result = run_import(app, "claimreview", path)
    assert result.exit_code == 0, result.output


@pytest.fixture
def theirs(app: Flask, db_session: Session, tmp_path: Path) -> Claim:
    _import(app, tmp_path, _theirs())
    return claim_by_key(db_session, WAPO_URL)


def test_their_check_says_whose_it_is_with_the_link_and_the_date(client: FlaskClient, theirs: Claim) -> None:
    response = client.get(f"/checks/{theirs.slug}")

    assert response.status_code == 200
    page = html_of(response)
    assert "Our verdict" not in page
    assert tree(response).xpath('//p[@class="check-kicker"]/text()') == ["Fact check by The Washington Post"]
    assert text_of(response, "attribution-publisher") == "The Washington Post"
    assert text_of(response, "verdict-heading") == "Verdict by The Washington Post"
    assert tree(response).xpath('//a[@id="original-review"]/@href') == [WAPO_URL]
    assert text_of(response, "attribution-date") == "2 January 2018"
    assert tree(response).xpath('//time[@id="attribution-date"]/@datetime') == ["2018-01-02T00:00:00+00:00"]
    assert tree(response).xpath('//a[@id="review-license"]/@href') == [LICENCE]
    assert text_of(response, "verdict-label") == "Three Pinocchios"


def test_our_check_still_says_our_verdict(client: FlaskClient, published_check: Callable[..., Claim]) -> None:
    ours = published_check(published_at=when(1))

    response = client.get(f"/checks/{ours.slug}")

    assert text_of(response, "verdict-heading") == "Our verdict"
    assert tree(response).xpath('//p[@class="check-kicker"]/text()') == ["Fact check"]
    assert not has_id(response, "attribution")
    assert claim_review(response)["author"]["name"] == OUR_NAME
    assert "sdLicense" not in claim_review(response)


def test_the_markup_names_their_author_their_address_and_their_licence(
    client: FlaskClient, theirs: Claim
) -> None:
    markup = claim_review(client.get(f"/checks/{theirs.slug}"))

    assert markup["author"] == {
        "@type": "Organization",
        "name": "The Washington Post",
        "url": "https://www.washingtonpost.com",
    }
    assert markup["url"] == WAPO_URL
    assert markup["sdLicense"] == LICENCE
    assert markup["datePublished"] == "2018-01-02T00:00:00+00:00"
    assert OUR_NAME not in str(markup)


@pytest.mark.parametrize(
    ("licence", "kept"),
    [
        ({"@type": "CreativeWork", "url": "https://creativecommons.org/licenses/by/4.0/"}, True),
        (["https://creativecommons.org/licenses/by/4.0/"], True),
        ("javascript:alert(1)", False),
        ("ftp://example.org/licence", False),
        (None, False),
    ],
)
def test_sd_license_is_kept_when_it_is_an_address(
    app: Flask, client: FlaskClient, db_session: Session, tmp_path: Path, licence: Any, kept: bool
) -> None:
    record = _theirs()
    record.pop("sdLicense")
    if licence is not None:
        record["sdLicense"] = licence
    _import(app, tmp_path, record)
    claim = claim_by_key(db_session, WAPO_URL)

    response = client.get(f"/checks/{claim.slug}")
    markup = claim_review(response)

    if kept:
        assert markup["sdLicense"] == "https://creativecommons.org/licenses/by/4.0/"
        assert tree(response).xpath('//a[@id="review-license"]/@href') == [markup["sdLicense"]]
    else:
        assert "sdLicense" not in markup
    # A licence that is not an address does not cost the record: it is imported all the same.
    assert markup["author"]["name"] == "The Washington Post"


def test_a_licence_named_in_words_is_kept_as_text(
    app: Flask, client: FlaskClient, db_session: Session, tmp_path: Path
) -> None:
    _import(app, tmp_path, _theirs(sdLicense="All rights <reserved>"))
    claim = claim_by_key(db_session, WAPO_URL)

    response = client.get(f"/checks/{claim.slug}")

    assert claim_review(response)["sdLicense"] == "All rights <reserved>"
    assert text_of(response, "review-license") == "All rights <reserved>"
    assert "All rights &lt;reserved&gt;" in html_of(response)


def test_the_feed_entry_names_their_publisher(
    client: FlaskClient, theirs: Claim, published_check: Callable[..., Claim]
) -> None:
    published_check(headline="Ours", published_at=when(1))

    feed = feedparser.parse(client.get("/checks/feed.atom").data)

    assert not feed.bozo, feed.bozo_exception
    by_title = {entry.title: entry for entry in feed.entries}
    entry = by_title[theirs.verdict.headline]
    assert entry.author == "The Washington Post"
    assert entry.summary.startswith("Fact check by The Washington Post: Three Pinocchios.")
    assert [link.href for link in entry.links if link.rel == "via"] == [WAPO_URL]
    ours = by_title["Ours"]
    # Our own entries have no author of their own: the feed's, ours.
    assert "author" not in ours
    assert feed.feed.author == OUR_NAME
    assert not ours.summary.startswith("Fact check by")


def test_the_index_names_their_publisher_and_filters_ours_from_theirs(
    client: FlaskClient, theirs: Claim, published_check: Callable[..., Claim]
) -> None:
    ours = published_check(headline="Ours", published_at=when(1))

    def listed(query: str) -> list[str]:
        response = client.get(f"/checks/{query}")
        assert response.status_code == 200
        assert "public" in response.headers["Cache-Control"]
        return [
            href.rsplit("/", 1)[-1]
            for href in tree(response).xpath("//ol[@class='public-check-list']//h2/a/@href")
        ]

    assert listed("") == [ours.slug, theirs.slug]
    assert listed("?by=us") == [ours.slug]
    assert listed("?by=others") == [theirs.slug]
    assert listed("?by=others&q=tax") == [theirs.slug]
    assert listed("?by=us&q=tax") == []
    everything = client.get("/checks/")
    metas = tree(everything).xpath("//ol[@class='public-check-list']//p[@class='item-meta']")
    # The publisher's name is isolated (<bdi>) from the text around it; words, not markup, matter here.
    assert "Fact check by The Washington Post" in " ".join("".join(metas[1].itertext()).split())
    assert "Fact check by" not in " ".join(metas[0].itertext())
    chosen = client.get("/checks/?by=others")
    assert tree(chosen).xpath('//select[@id="filter-by"]/option[@selected]/@value') == ["others"]


def test_a_bad_filter_value_is_refused_with_a_reason_and_escaped(client: FlaskClient, theirs: Claim) -> None:
    response = client.get("/checks/?by=%3Cscript%3Ealert(1)%3C/script%3E")

    assert response.status_code == 400
    assert text_of(response, "error-by") == "Choose our fact checks, other publishers' or both."
    assert "<script>alert(1)" not in html_of(response)


def test_the_desk_shows_the_check_came_from_another_publisher(
    client: FlaskClient, theirs: Claim, login_as: Callable[[Role], Any]
) -> None:
    login_as(Role.REVIEWER)

    response = client.get(f"/claims/{theirs.id}")

    assert response.status_code == 200
    assert "Fact check by The Washington Post" in text_of(response, "desk-attribution")
    assert tree(response).xpath('//p[@id="desk-attribution"]//a/@href') == [WAPO_URL]


def test_a_correction_published_here_keeps_their_name(
    client: FlaskClient, db_session: Session, theirs: Claim, make_user: Callable[..., Any]
) -> None:
    editor = make_user(Role.EDITOR)
    set_actor(db_session, Actor.for_user(editor, origin="test"))
    with clock_at(when(5)):
        operations.publish_revision(
            db_session,
            theirs,
            editor,
            kind=PublicationKind.CORRECTION,
            note="The claimant's name was misspelt in our copy.",
            four_eyes=False,
        )
    db_session.commit()

    response = client.get(f"/checks/{theirs.slug}")

    assert text_of(response, "verdict-heading") == "Verdict by The Washington Post"
    markup = claim_review(response)
    assert markup["author"]["name"] == "The Washington Post"
    assert markup["url"] == WAPO_URL
    assert markup["sdLicense"] == LICENCE
    corrections = client.get("/corrections")
    entry = tree(corrections).xpath("//li[contains(@class, 'correction-entry')]")
    assert len(entry) == 1
    assert "Fact check by The Washington Post" in " ".join(entry[0].itertext())


def test_the_desk_revision_page_names_their_publisher(
    client: FlaskClient, theirs: Claim, login_as: Callable[[Role], Any]
) -> None:
    login_as(Role.REVIEWER)

    response = client.get(f"/claims/{theirs.id}/revisions/1")

    assert response.status_code == 200
    assert "Fact check by The Washington Post, imported" in " ".join(html_of(response).split())
