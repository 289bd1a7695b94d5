"""The ClaimReview export read by a JSON-LD processor (pyld), as aggregators and Data Commons read it.

The processor expands the feed to full schema.org IRIs. It resolves the
``https://schema.org`` context through a local loader (``@vocab`` only), so the
test needs no network and checks the structure, not schema.org's own context file.
"""

from __future__ import annotations

import json
from typing import Any

from pyld import jsonld

from tests.exports.conftest import Desk

SCHEMA = "https://schema.org/"


def local_schema_org(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url.rstrip("/") not in {"https://schema.org", "http://schema.org"}:
        raise AssertionError(f"the feed asks for a context the test does not know: {url}")
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": SCHEMA}}}


def expand(document: dict[str, Any]) -> list[dict[str, Any]]:
    return jsonld.expand(document, {"documentLoader": local_schema_org})


def values(node: dict[str, Any], name: str) -> list[Any]:
    return [item.get("@value", item.get("@id", item)) for item in node.get(SCHEMA + name, [])]


def test_the_claimreview_feed_expands_to_schema_org_claim_reviews(runner, desk: Desk, tmp_path) -> None:
    target = tmp_path / "feed.jsonld"
    result = runner.invoke(args=["export", "claims", "--format", "claimreview", "-o", str(target)])
    assert result.exit_code == 0, result.output

    [feed] = expand(json.loads(target.read_text(encoding="utf-8")))
    assert feed["@type"] == [SCHEMA + "DataFeed"]
    reviews = feed[SCHEMA + "dataFeedElement"]
    published = [claim for claim in desk.claims if claim.slug]
    assert len(reviews) == len(published) > 0
    by_url = {values(review, "url")[0]: review for review in reviews}
    for claim in published:
        review = by_url[f"http://localhost:5000/checks/{claim.slug}"]
        assert review["@type"] == [SCHEMA + "ClaimReview"]
        assert values(review, "claimReviewed") == [claim.text]
        [rating] = review[SCHEMA + "reviewRating"]
        assert rating["@type"] == [SCHEMA + "Rating"]
        assert values(rating, "alternateName")
        [item] = review[SCHEMA + "itemReviewed"]
        assert item["@type"] == [SCHEMA + "Claim"]
        [author] = item[SCHEMA + "author"]
        assert values(author, "name") == [claim.claimant]
        # Person or Organization only when the desk said so; else a Thing, never a guess.
        expected = {"person": "Person", "organisation": "Organization"}.get(
            claim.claimant_kind.value, "Thing"
        )
        assert author["@type"] == [SCHEMA + expected]
