"""Reading what has been published: the revisions of a claim, every published claim, their ClaimReviews."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.publishing.attribution import dated_time, sort_time
from factcheck.publishing.claimreview import Publisher, claim_review
from factcheck.publishing.models import Publication
from factcheck.publishing.urls import check_url


def revisions_of(session: Session, claim_id: int) -> list[Publication]:
    """A claim's publication revisions, oldest first (empty when it was never published)."""
    return list(
        session.scalars(
            select(Publication).where(Publication.claim_id == claim_id).order_by(Publication.revision)
        )
    )


def revisions_by_claim(session: Session, claim_ids: Sequence[int]) -> dict[int, list[Publication]]:
    """The revisions of several claims in one query, each list oldest first."""
    grouped: dict[int, list[Publication]] = defaultdict(list)
    if not claim_ids:
        return grouped
    rows = session.scalars(
        select(Publication)
        .where(Publication.claim_id.in_(claim_ids))
        .order_by(Publication.claim_id, Publication.revision)
    )
    for publication in rows:
        grouped[publication.claim_id].append(publication)
    return grouped


def last_published_at() -> Any:
    """Per claim: when its latest dated revision appeared (a subquery with claim_id, last_published_at);
    a claim whose dates are all unknown sorts after every dated one (``UNDATED_SORTS_AS``)."""
    return (
        select(Publication.claim_id, sort_time(func.max(dated_time())).label("last_published_at"))
        .group_by(Publication.claim_id)
        .subquery()
    )


def published_claims_newest_first() -> Any:
    """Select (Claim, last_published_at) for every published claim, newest revision first, undated last."""
    latest = last_published_at()
    return (
        select(Claim, latest.c.last_published_at)
        .join(latest, latest.c.claim_id == Claim.id)
        .where(Claim.slug.is_not(None))
        .order_by(latest.c.last_published_at.desc(), Claim.id.desc())
    )


def latest_publication_time(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Publication.published_at)))


def claim_reviews(
    session: Session,
    publisher: Publisher,
    *,
    batch: int = 500,
    claim_ids: Any = None,
    language: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The current ClaimReview of every published claim, newest first, read in batches (flat memory).

    ``claim_ids``, a SELECT of claim ids, narrows it to those claims (the exports' filters);
    ``language``, the reviews' language (the verdict pages' at the addresses given).
    """
    latest = last_published_at()
    claims = (
        select(Claim.id, Claim.slug)
        .join(latest, latest.c.claim_id == Claim.id)
        .where(Claim.slug.is_not(None))
        .order_by(latest.c.last_published_at.desc(), Claim.id.desc())
    )
    if claim_ids is not None:
        claims = claims.where(Claim.id.in_(claim_ids))
    # One query read in partitions (a server-side cursor on PostgreSQL). A keyset query per
    # batch aggregated every publication again each time: quadratic, minutes at 100,000 checks.
    result = session.execute(claims.execution_options(yield_per=batch))
    for rows in result.partitions():
        revisions = revisions_by_claim(session, [claim_id for claim_id, _ in rows])
        for claim_id, slug in rows:
            yield claim_review(
                revisions[claim_id],
                url=check_url(slug),
                publisher=publisher,
                context=False,
                language=language,
            )
        session.expunge_all()
