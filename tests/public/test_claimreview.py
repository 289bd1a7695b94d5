"""The ClaimReview markup on verdict pages, read as Fact Check Explorer and other aggregators read it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from factcheck.claims.models import Claim
from factcheck.publishing.models import Publication, PublicationKind
from tests.public.conftest import when
from tests.public.reader import (
    canonical,
    claim_review,
    has_id,
    html_of,
    json_ld,
    json_ld_blocks,
    meta,
    text_of,
)

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]


def iso(value: str) -> datetime | date:
    """Parse an ISO 8601 date or date-time (raises when it is not one)."""
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def as_datetime(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day, tzinfo=UTC)


def only_claim_review(response: Any) -> dict[str, Any]:
    found = json_ld(response, base_url=canonical(response))
    reviews = [item for item in found if item.get("@type") == "ClaimReview"]
    assert len(found) == 1 and len(reviews) == 1, found
    return reviews[0]


def test_the_verdict_page_carries_exactly_one_complete_claim_review(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    response = client.get(f"/checks/{claim.slug}")
    assert response.status_code == 200

    review = only_claim_review(response)
    assert review["@context"] == "https://schema.org"
    assert review["claimReviewed"] == "Russia's 9M729 missile has a range of 480 km."
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"] == "Factcheck demo newsroom"
    assert review["author"]["url"] == "http://127.0.0.1:5000/"
    assert iso(review["datePublished"]) == when(5)
    # The rating's label is the one the page shows, word for word.
    rating = review["reviewRating"]
    assert rating["alternateName"] == text_of(response, "verdict-label") == "False"
    assert (rating["worstRating"], rating["ratingValue"], rating["bestRating"]) == (1, 1, 5)
    # The markup's address is the page's canonical address.
    assert review["url"] == canonical(response) == f"http://localhost/checks/{claim.slug}"

    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"]["name"] == "Russian Ministry of Defence"
    assert item["datePublished"] == "2019-01-23"
    assert item["firstAppearance"]["url"] == "https://news.example.org/2019/01/23/missile-display"
    assert [work["url"] for work in item["appearance"]] == [item["firstAppearance"]["url"]]
    # The claim was made before it was reviewed.
    assert as_datetime(iso(item["datePublished"])) <= as_datetime(iso(review["datePublished"]))
    assert "correction" not in review


def test_the_markup_agrees_with_what_the_page_shows(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    response = client.get(f"/checks/{claim.slug}")
    review = claim_review(response)
    assert text_of(response, "claim-text") == review["claimReviewed"]
    assert text_of(response, "claimant") == review["itemReviewed"]["author"]["name"]
    assert text_of(response, "check-headline") == review["headline"]
    assert has_id(response, "first-published")


def test_numbers_only_for_ordered_labels(client: FlaskClient, published_check: PublishedCheck) -> None:
    for key, name in [("unverifiable", "Unverifiable"), ("satire", "Satire")]:
        claim = published_check(label=key)
        response = client.get(f"/checks/{claim.slug}")
        rating = only_claim_review(response)["reviewRating"]
        assert rating == {"@type": "Rating", "alternateName": name}
        assert text_of(response, "verdict-label") == name

    claim = published_check(label="mostly-true")
    rating = only_claim_review(client.get(f"/checks/{claim.slug}"))["reviewRating"]
    assert rating["worstRating"] >= 1
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert rating["ratingValue"] == 4


def test_a_correction_is_in_the_markup_and_on_the_page_with_its_date(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    note = "We said the range was banned; the treaty bans 500 to 5,500 km, which we now state exactly."
    revise_check(claim, PublicationKind.CORRECTION, note, published_at=when(9), label="mostly-false")

    response = client.get(f"/checks/{claim.slug}")
    review = only_claim_review(response)
    assert review["reviewRating"]["alternateName"] == text_of(response, "verdict-label") == "Mostly false"
    assert review["reviewRating"]["ratingValue"] == 2
    assert iso(review["datePublished"]) == when(5)
    assert iso(review["dateModified"]) == when(9)
    [correction] = review["correction"]
    assert correction["@type"] == "CorrectionComment"
    assert note in correction["text"]
    assert iso(correction["datePublished"]) == when(9)

    notes = text_of(response, "check-history")
    assert f"Correction, 9 February 2019: {note}" in notes
    assert "Last updated 9 February 2019" in notes
    assert "First published 5 February 2019" in notes


def test_a_retracted_check_stays_with_its_note_and_says_retracted(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    note = "We could not confirm that the ministry made this statement."
    revise_check(claim, PublicationKind.RETRACTION, note, published_at=when(11))

    response = client.get(f"/checks/{claim.slug}")
    assert response.status_code == 200
    notice = text_of(response, "retraction-notice")
    assert "This fact check has been retracted" in notice
    assert note in notice and "11 February 2019" in notice

    review = only_claim_review(response)
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Retracted"}
    assert text_of(response, "verdict-label") == "Retracted"
    assert review["url"] == canonical(response)
    assert [c["text"] for c in review["correction"]] == [f"Retraction: {note}"]


def test_text_that_could_break_out_of_the_script_round_trips(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    hostile = "He said </script><script>alert(1)</script> <!-- & \"quoted\" 'too' & </SCRIPT > \u2028"
    claim = published_check(
        text=f"Claim: {hostile}",
        claimant=f"Claimant {hostile}",
        headline=f"Headline {hostile}",
        published_at=when(5),
    )
    response = client.get(f"/checks/{claim.slug}")
    assert response.status_code == 200
    [block] = json_ld_blocks(response)
    assert "</script" not in block.lower()
    assert "<!--" not in block
    review = json.loads(block)
    assert review["claimReviewed"] == f"Claim: {hostile}"
    assert review["itemReviewed"]["author"]["name"] == f"Claimant {hostile}"
    assert review["headline"] == f"Headline {hostile}"
    # A crawler reads the same, and the page shows the text as text.
    assert only_claim_review(response)["claimReviewed"] == f"Claim: {hostile}"
    assert text_of(response, "claim-text") == " ".join(f"Claim: {hostile}".split())
    assert "<script>alert(1)</script>" not in html_of(response)


def test_the_page_has_its_sharing_and_indexing_metadata(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    response = client.get(f"/checks/{claim.slug}")
    url = f"http://localhost/checks/{claim.slug}"
    assert meta(response, "robots") == "index,follow"
    assert meta(response, "og:title") == "The 9M729's range is not 480 km, NATO allies say"
    assert (
        meta(response, "og:description") == "NATO allies say the missile's range is banned by the INF Treaty."
    )
    assert meta(response, "og:url") == url
    assert meta(response, "og:type") == "article"
    assert meta(response, "og:site_name") == "Factcheck demo newsroom"
    assert meta(response, "twitter:card") == "summary"


def test_addresses_follow_the_configured_public_url(
    make_app: Callable[..., Flask], published_check: PublishedCheck
) -> None:
    client = make_app(PUBLIC_URL="https://checks.example.org/").test_client()
    claim = published_check()
    response = client.get(f"/checks/{claim.slug}", base_url="http://internal:8000")
    url = f"https://checks.example.org/checks/{claim.slug}"
    assert canonical(response) == meta(response, "og:url") == claim_review(response)["url"] == url


def test_an_earlier_revision_has_no_claim_review_and_points_to_the_current_page(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    revise_check(
        claim, PublicationKind.UPDATE, "Russia displayed the missile on 23 January.", published_at=when(7)
    )
    response = client.get(f"/checks/{claim.slug}/revisions/1")
    assert response.status_code == 200
    assert json_ld_blocks(response) == []
    assert json_ld(response) == []
    assert meta(response, "robots") == "noindex,follow"
    assert canonical(response) == f"http://localhost/checks/{claim.slug}"
