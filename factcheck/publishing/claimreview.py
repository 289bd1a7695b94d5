"""schema.org ClaimReview markup built from publication snapshots (PRODUCT.md, "Publishing rules").

Everything here reads frozen snapshots only, so the markup always agrees with
the public page, which renders the same snapshots. :func:`script_json` is the
one way markup enters a page: it escapes what could end the script element.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from markupsafe import Markup

from factcheck.claims.claimant_kinds import schema_author, snapshot_kind
from factcheck.publishing.attribution import attribution
from factcheck.publishing.models import PublicationKind

CONTEXT = "https://schema.org"
# The label readers and the markup show once a verdict is retracted.
RETRACTED_LABEL = "Retracted"


class Revision(Protocol):
    """What markup needs of a publication revision (a Publication row satisfies it)."""

    revision: int
    kind: PublicationKind
    note: str | None
    published_at: datetime
    date_unknown: bool
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class Publisher:
    """The organisation that signs its reviews (from the admin's organisation settings)."""

    name: str
    url: str
    logo_url: str | None = None


def shown_label(revisions: Sequence[Revision]) -> str:
    """The verdict label the page shows for these revisions (the latest wins)."""
    latest = revisions[-1]
    if latest.kind == PublicationKind.RETRACTION:
        return RETRACTED_LABEL
    return str(latest.snapshot["label"]["name"])


def review_rating(revisions: Sequence[Revision]) -> dict[str, Any]:
    latest = revisions[-1]
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": shown_label(revisions)}
    if latest.kind == PublicationKind.RETRACTION:
        return rating
    label = latest.snapshot["label"]
    # Numbers only for ordered labels, and only with a sane scale (worst >= 1, value in range).
    value, worst, best = label.get("value"), label.get("worst"), label.get("best")
    if value is not None and worst is not None and best is not None and 1 <= worst <= value <= best:
        rating.update(ratingValue=value, worstRating=worst, bestRating=best)
    return rating


def _creative_work(appearance: dict[str, Any]) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if appearance.get("url"):
        work["url"] = appearance["url"]
    if appearance.get("document_title"):
        work["headline"] = appearance["document_title"]
    if appearance.get("appeared_on"):
        work["datePublished"] = appearance["appeared_on"]
    return work


def item_reviewed(snapshot: dict[str, Any]) -> dict[str, Any]:
    author = schema_author(snapshot["claimant"], snapshot_kind(snapshot))
    item: dict[str, Any] = {"@type": "Claim", "author": author}
    if snapshot.get("claimed_on"):
        item["datePublished"] = snapshot["claimed_on"]
    # Where it appeared: a web address, or at least the title of the text (a printed article, a speech).
    appearances = [
        _creative_work(a) for a in snapshot.get("appearances", []) if a.get("url") or a.get("document_title")
    ]
    if appearances:
        item["firstAppearance"] = appearances[0]
        item["appearance"] = appearances
    return item


def corrections(revisions: Iterable[Revision]) -> list[dict[str, Any]]:
    """Every later revision's public note, as CorrectionComment entries, oldest first."""
    notes = []
    for revision in revisions:
        if revision.kind == PublicationKind.PUBLICATION or not revision.note:
            continue
        note: dict[str, Any] = {
            "@type": "CorrectionComment",
            # The kind in English, as imports read it back (factcheck/imports/claimreview.py).
            "text": f"{revision.kind.value.capitalize()}: {revision.note}",
        }
        if not revision.date_unknown:
            note["datePublished"] = revision.published_at.isoformat()
        notes.append(note)
    return notes


def claim_review(
    revisions: Sequence[Revision],
    *,
    url: str,
    publisher: Publisher,
    context: bool = True,
    language: str | None = None,
) -> dict[str, Any]:
    """The current ClaimReview of one published claim; ``revisions`` oldest first.

    ``url`` is the verdict page's canonical address. A check imported from another
    publisher keeps the address, author and licence (``sdLicense``) it was published
    with: our organisation is never the author of someone else's review. Dates that
    are unknown (a record without ``datePublished``) are left out, never invented.
    ``language`` is the review's language, the page's (``inLanguage``, a BCP 47 tag).
    """
    if not revisions:
        raise ValueError("a ClaimReview needs at least one publication")
    first, latest = revisions[0], revisions[-1]
    snapshot = latest.snapshot
    other = attribution(snapshot)
    if other is not None:
        organisation: dict[str, Any] = {"@type": "Organization", "name": other.publisher}
        if other.publisher_url:
            organisation["url"] = other.publisher_url
    else:
        organisation = {"@type": "Organization", "name": publisher.name}
        if publisher.url:
            organisation["url"] = publisher.url
        if publisher.logo_url:
            organisation["logo"] = publisher.logo_url
    review: dict[str, Any] = {"@context": CONTEXT} if context else {}
    review.update({"@type": "ClaimReview", "url": snapshot.get("review_url") or url})
    if other is not None and other.license:
        review["sdLicense"] = other.license
    review.update({"claimReviewed": snapshot["claim"], "headline": snapshot["headline"]})
    if language:
        review["inLanguage"] = language
    if not first.date_unknown:
        review["datePublished"] = first.published_at.isoformat()
    dated = [revision for revision in revisions if not revision.date_unknown]
    if dated:
        review["dateModified"] = dated[-1].published_at.isoformat()
    review.update(
        {
            "author": organisation,
            "reviewRating": review_rating(revisions),
            "itemReviewed": item_reviewed(snapshot),
        }
    )
    notes = corrections(revisions)
    if notes:
        review["correction"] = notes
    return review


def data_feed(
    reviews: Iterable[dict[str, Any]], *, name: str, url: str, modified: datetime | None
) -> dict[str, Any]:
    """A schema.org DataFeed holding ClaimReviews (built with ``context=False``)."""
    feed: dict[str, Any] = {"@context": CONTEXT, "@type": "DataFeed", "name": name, "url": url}
    if modified is not None:
        feed["dateModified"] = modified.isoformat()
    feed["dataFeedElement"] = list(reviews)
    return feed


# Characters that could close the script element, open a comment or end a line in old JavaScript.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def script_json(data: Any) -> Markup:
    """JSON safe to place inside ``<script type="application/ld+json">``; parses back to ``data``."""
    return Markup(json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_ESCAPES))  # noqa: S704 - escaped above
