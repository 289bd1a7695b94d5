"""What a publication freezes: everything the public page shows, as plain JSON.

A snapshot is built from the claim and its verdict at the moment of publishing
and never changes afterwards; public pages, feeds and ClaimReview markup read
only snapshots, so later edits to the draft stay private until the next revision.

Shape (``SNAPSHOT_VERSION`` 1)::

    {
      "version": 1,
      "claim": str, "claimant": str, "claimed_on": "YYYY-MM-DD" | None,
      "claimant_kind": "person" | "organisation" | "unknown" (absent before 0006: unknown),
      "appearances": [{"document_id", "document_title", "url", "quote", "appeared_on",
                       "page": int (only for a quote in a PDF, from revision 0014)}],
      "label": {"key", "name", "value": int | None, "definition",
                "best": int | None, "worst": int | None},
      "headline": str, "summary": str (Markdown), "explanation": str (Markdown),
      "sources": [{"title", "url", "citation", "publisher", "published_on",
                   "kind", "stance", "quote", "is_primary"}],
      "tags": [str],
      "published_at": ISO 8601 (this revision; None when its date is unknown),
      "first_published_at": ISO 8601 (revision 1; None when its date is unknown),
      # Only on records imported from another tool's ClaimReview:
      "review_url": str, "review_author": {"name": str, "url": str | None},
      "review_date": ISO 8601 | None (the record's own date, compared by the next import),
      "review_license": str (the record's sdLicense, when it had one),
    }

Reviewers' ratings, source notes, discussions and assignments are never part
of a snapshot: they are not public.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.ratings.models import RatingLabel

SNAPSHOT_VERSION = 1


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def scale_bounds(session: Session) -> tuple[int | None, int | None]:
    """(worst, best) numeric values of the active ordered labels; (None, None) without any."""
    worst, best = session.execute(
        select(func.min(RatingLabel.value), func.max(RatingLabel.value)).where(
            RatingLabel.is_active.is_(True), RatingLabel.value.is_not(None)
        )
    ).one()
    return worst, best


def label_snapshot(label: RatingLabel, bounds: tuple[int | None, int | None]) -> dict[str, Any]:
    ordered = label.value is not None
    return {
        "key": label.key,
        "name": label.name,
        "value": label.value,
        "definition": label.definition,
        "worst": bounds[0] if ordered else None,
        "best": bounds[1] if ordered else None,
    }


def build_snapshot(
    session: Session, claim: Claim, *, published_at: datetime, first_published_at: datetime | None = None
) -> dict[str, Any]:
    """Freeze the claim and its verdict as they are now. The verdict must have a label."""
    verdict = claim.verdict
    if verdict is None or verdict.label is None:
        raise ValueError("a claim is published with a verdict that has a label")
    return {
        "version": SNAPSHOT_VERSION,
        "claim": claim.text,
        "claimant": claim.claimant,
        "claimant_kind": claim.claimant_kind.value,
        "claimed_on": _iso(claim.claimed_on),
        "appearances": [
            {
                "document_id": appearance.document_id,
                # A venue in words ("a mailer") is shown as a document without an address is.
                "document_title": appearance.document.title if appearance.document else appearance.venue,
                "url": appearance.url or (appearance.document.url if appearance.document else None),
                "quote": appearance.quote_exact,
                "appeared_on": _iso(appearance.appeared_on)
                or (_iso(appearance.document.published_on) if appearance.document else None),
                **({"page": appearance.page} if appearance.page else {}),
            }
            for appearance in claim.appearances
        ],
        "label": label_snapshot(verdict.label, scale_bounds(session)),
        "headline": verdict.headline,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "sources": [
            {
                "title": source.title,
                "url": source.url,
                "citation": source.citation,
                "publisher": source.publisher,
                "published_on": _iso(source.published_on),
                "kind": source.kind.value,
                "stance": source.stance.value,
                "quote": source.quote,
                "is_primary": source.is_primary,
            }
            for source in claim.sources
        ],
        "tags": [tag.name for tag in claim.tags],
        "published_at": published_at.isoformat(),
        "first_published_at": (first_published_at or published_at).isoformat(),
    }


def search_text(snapshot: dict[str, Any]) -> str:
    """The revision's public words, case-folded, for the public search (``Publication.search_text``)."""
    parts = [
        snapshot.get("claim", ""),
        snapshot.get("claimant", ""),
        snapshot.get("headline", ""),
        snapshot.get("summary", ""),
        snapshot.get("label", {}).get("name", ""),
        *snapshot.get("tags", []),
    ]
    return " ".join(part for part in parts if part).casefold()
