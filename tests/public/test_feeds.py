"""The Atom feed, the sitemap and the ClaimReview DataFeed, read by the tools that consume them."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.organisation.details import publisher
from factcheck.public import feeds as feeds_module
from factcheck.publishing.claimreview import data_feed
from factcheck.publishing.feeds import claimreview_feed_chunks
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.queries import claim_reviews, latest_publication_time
from tests.public.conftest import when

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


# --- Atom ----------------------------------------------------------------------------------


def test_the_atom_feed_has_every_publication_and_revision(
    client: FlaskClient,
    published_check: PublishedCheck,
    revise_check: ReviseCheck,
    draft_check: Callable[..., Claim],
) -> None:
    first = published_check(headline="Alpha", published_at=when(1))
    published_check(headline="Bravo", label="unverifiable", published_at=when(2))
    draft_check(headline="Draft only")
    revise_check(
        first, PublicationKind.CORRECTION, "We misstated the treaty's range limits.", published_at=when(3)
    )

    response = client.get("/checks/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Factcheck demo newsroom: fact checks"
    assert feed.feed.updated_parsed[:6] == (2019, 2, 3, 12, 0, 0)

    titles = [entry.title for entry in feed.entries]
    assert titles == ["Correction: Alpha", "Bravo", "Alpha"]
    ids = [entry.id for entry in feed.entries]
    assert ids == [
        f"http://localhost/checks/{first.slug}/revisions/2",
        ids[1],
        f"http://localhost/checks/{first.slug}/revisions/1",
    ]
    assert len(set(ids)) == 3
    correction, bravo, alpha = feed.entries
    assert correction.link == f"http://localhost/checks/{first.slug}"
    assert "We misstated the treaty's range limits." in correction.summary
    assert correction.summary.startswith("Correction of 2019-02-03")
    assert [tag.term for tag in correction.tags] == ["False", "correction"]
    assert [tag.term for tag in bravo.tags] == ["Unverifiable"]
    assert alpha.summary == "False. NATO allies say the missile's range is banned by the INF Treaty."
    assert alpha.updated_parsed[:6] == (2019, 2, 1, 12, 0, 0)
    assert "Draft only" not in response.get_data(as_text=True)


def test_the_feed_says_when_a_check_is_retracted(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(headline="Alpha", published_at=when(1))
    revise_check(claim, PublicationKind.RETRACTION, "The statement was never made.", published_at=when(2))
    feed = feedparser.parse(client.get("/checks/feed.atom").data)
    assert not feed.bozo
    retraction = feed.entries[0]
    assert retraction.title == "Retraction: Alpha"
    assert [tag.term for tag in retraction.tags] == ["Retracted", "retraction"]
    assert "The statement was never made." in retraction.summary


def test_the_feed_stays_well_formed_whatever_the_text(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    published_check(
        headline="Ampersands & <angle> ]]> brackets \x01\x0b and \ufffe controls",
        text="A claim with </script> & ]]> in it.",
    )
    response = client.get("/checks/feed.atom")
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.entries[0].title == "Ampersands & <angle> ]]> brackets  and  controls"


def test_the_feed_holds_the_newest_entries_only(
    client: FlaskClient, published_check: PublishedCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds_module, "FEED_ENTRIES", 2)
    for day in (1, 2, 3):
        published_check(headline=f"Check {day}", published_at=when(day), private=False)
    feed = feedparser.parse(client.get("/checks/feed.atom").data)
    assert [entry.title for entry in feed.entries] == ["Check 3", "Check 2"]


def test_an_empty_feed_is_valid(client: FlaskClient) -> None:
    feed = feedparser.parse(client.get("/checks/feed.atom").data)
    assert not feed.bozo
    assert feed.entries == []


# --- sitemap -------------------------------------------------------------------------------


def test_the_sitemap_lists_every_verdict_and_the_public_pages(
    client: FlaskClient,
    published_check: PublishedCheck,
    revise_check: ReviseCheck,
    draft_check: Callable[..., Claim],
) -> None:
    first = published_check(published_at=when(1))
    second = published_check(published_at=when(2))
    revise_check(
        second, PublicationKind.RETRACTION, "Retracted for a wrong attribution.", published_at=when(4)
    )
    draft_check(slug="draft-with-a-slug")

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)  # noqa: S314 - the app's own sitemap
    assert root.tag == f"{SITEMAP}urlset"
    entries = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }
    assert entries[f"http://localhost/checks/{first.slug}"] == "2019-02-01T12:00:00+00:00"
    # A retracted check stays at its address; its last change is the retraction.
    assert entries[f"http://localhost/checks/{second.slug}"] == "2019-02-04T12:00:00+00:00"
    assert entries["http://localhost/checks/"] == "2019-02-04T12:00:00+00:00"
    for page in ("methodology", "corrections", "about"):
        assert f"http://localhost/{page}" in entries
    assert not any("draft-with-a-slug" in url for url in entries)
    assert not any("/revisions/" in url for url in entries)
    assert len(entries) == 6


# --- the ClaimReview DataFeed ----------------------------------------------------------------


def test_the_claimreview_feed_has_one_review_per_published_claim(
    client: FlaskClient,
    published_check: PublishedCheck,
    revise_check: ReviseCheck,
    draft_check: Callable[..., Claim],
) -> None:
    first = published_check(published_at=when(1))
    second = published_check(label="satire", published_at=when(2))
    revise_check(first, PublicationKind.CORRECTION, "We corrected the range figures.", published_at=when(3))
    draft_check(slug="a-draft")

    response = client.get("/claimreview.json")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    feed = json.loads(response.get_data(as_text=True))
    assert feed["@context"] == "https://schema.org"
    assert feed["@type"] == "DataFeed"
    assert feed["url"] == "http://localhost/claimreview.json"
    assert datetime.fromisoformat(feed["dateModified"]) == when(3)
    reviews = feed["dataFeedElement"]
    assert [review["url"] for review in reviews] == [
        f"http://localhost/checks/{first.slug}",
        f"http://localhost/checks/{second.slug}",
    ]
    assert all(review["@type"] == "ClaimReview" and "@context" not in review for review in reviews)
    assert reviews[0]["correction"][0]["text"] == "Correction: We corrected the range figures."
    assert reviews[1]["reviewRating"] == {"@type": "Rating", "alternateName": "Satire"}
    # The feed's review of a claim is the one on its page.
    page = client.get(f"/checks/{first.slug}").get_data(as_text=True)
    start = page.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    on_page = json.loads(page[start : page.index("</script>", start)])
    assert {key: value for key, value in on_page.items() if key != "@context"} == reviews[0]


def test_a_draft_is_not_in_the_claimreview_feed(
    client: FlaskClient, draft_check: Callable[..., Claim]
) -> None:
    draft_check(slug="only-a-draft")
    feed = json.loads(client.get("/claimreview.json").get_data(as_text=True))
    assert feed["dataFeedElement"] == []
    assert "dateModified" not in feed


@pytest.mark.parametrize("batch", [1, 2, 100])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_the_streamed_feed_is_exactly_the_data_feed(
    app: Flask, db_session: Session, published_check: PublishedCheck, batch: int, count: int
) -> None:
    for day in range(1, count + 1):
        published_check(published_at=when(day), text=f"Claim {day} with \u00e9 and </script>", private=False)
    with app.test_request_context():
        signer = publisher(db_session)
        chunks = list(
            claimreview_feed_chunks(
                db_session, signer, name="Feed", url="https://x.example/feed", batch=batch
            )
        )
        expected = data_feed(
            list(claim_reviews(db_session, signer)),
            name="Feed",
            url="https://x.example/feed",
            modified=latest_publication_time(db_session),
        )
    assert "".join(chunks) == json.dumps(expected, ensure_ascii=False)
    assert len(json.loads("".join(chunks))["dataFeedElement"]) == count
    # Streamed in pieces: the head, the reviews in batches, the end.
    assert len(chunks) == 2 + count // batch
