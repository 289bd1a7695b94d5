"""The ClaimReview export: a schema.org DataFeed (JSON-LD) of the published claims matching the filters.

The feed is the public one (:func:`factcheck.publishing.feeds.claimreview_feed_chunks`,
built from publication snapshots only, newest revision first), narrowed to the
claims the export's filters match. Unpublished claims are never part of it,
whatever the filters say; the draft-verdict filter (label) still narrows it,
like every other filter, to the claims whose row in a CSV export would match.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.exports.claims import ClaimExportFilter, published_claim_ids
from factcheck.exports.formats import Format
from factcheck.organisation.details import publisher
from factcheck.publishing.feeds import claimreview_feed_chunks
from factcheck.publishing.urls import absolute_url
from factcheck.web.i18n import public_language
from factcheck.web.marks import N_

FORMAT = Format("claimreview", N_("ClaimReview DataFeed (JSON-LD)"), "jsonld", "application/ld+json")


def count_published(session: Session, claim_filter: ClaimExportFilter) -> int:
    """How many published claims match (the command line's progress bar)."""
    matching = published_claim_ids(session, claim_filter).subquery()
    return session.scalar(select(func.count()).select_from(matching)) or 0


def feed_chunks(session: Session, claim_filter: ClaimExportFilter) -> Iterator[str]:
    """The DataFeed text, chunk by chunk (an app context is needed for the addresses)."""
    signer = publisher(session)
    return claimreview_feed_chunks(
        session,
        signer,
        name=f"{signer.name}: fact checks",
        url=absolute_url("public.claimreview_feed"),
        claim_ids=published_claim_ids(session, claim_filter),
        # The addresses are the public site's without prefix: its language.
        language=public_language(session),
    )
