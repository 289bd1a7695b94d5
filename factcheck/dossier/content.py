"""What a claim's dossier holds: everything about one claim, gathered into plain values.

The dossier is what an editor hands over when a verdict is challenged: the
claim, where it appeared, every source with its quote (and the reviewer's
internal note), every rating, the verdict draft, every publication revision
with its note, the workflow steps and the full audit history. The HTML page
and the PDF render the same :class:`Dossier`, built here without a request
(an app context is enough: it reads the organisation's name and public URLs).

Ratings stay blind: a viewer who may not see them yet
(:func:`factcheck.ratings.visibility.can_see_ratings`) gets only their count,
and the audit history hides rating values the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from factcheck.audit.history import HistoryEntry, claim_history
from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.organisation.details import publisher
from factcheck.publishing.attribution import attribution
from factcheck.publishing.urls import check_url
from factcheck.ratings.visibility import can_see_ratings
from factcheck.security.permissions import Permission, require


@dataclass(frozen=True)
class Header:
    organisation: str
    claim_id: int
    # Set once the claim is published: its fixed public address.
    slug: str | None
    public_url: str | None
    generated_at: datetime
    generated_by: str


@dataclass(frozen=True)
class ClaimFacts:
    text: str
    claimant: str
    claimed_on: date | None
    state: str
    dismissed_reason: str | None
    review_by: date | None
    tags: list[str]
    captured_at: datetime
    captured_by: str | None


@dataclass(frozen=True)
class AppearanceEntry:
    document_title: str | None
    document_outlet: str | None
    document_url: str | None
    url: str | None
    appeared_on: date | None
    # W3C Web Annotation selectors: TextQuoteSelector (exact, prefix, suffix), TextPositionSelector.
    quote_exact: str | None
    quote_prefix: str | None
    quote_suffix: str | None
    position_start: int | None
    position_end: int | None
    anchor_status: str
    anchored: bool
    # The PDF page of the quote: a W3C FragmentSelector "page=N" (RFC 8118).
    page: int | None = None
    # Where it appeared in words, with no address nor document ("a mailer").
    venue: str | None = None


@dataclass(frozen=True)
class SourceEntry:
    title: str
    publisher: str | None
    published_on: date | None
    kind: str
    stance: str
    is_primary: bool
    url: str | None
    citation: str | None
    quote: str | None
    # The reviewer's own note: internal, never public.
    note: str | None
    added_by: str | None
    # The last link check, when it flagged the page ("Gone: the server answered 404"), and
    # when the page was archived (factcheck/sources/archiving.py).
    link_flag: str | None = None
    archived_at: datetime | None = None


@dataclass(frozen=True)
class RatingEntry:
    reviewer: str
    label: str
    reasoning: str
    rated_at: datetime


@dataclass(frozen=True)
class VerdictEntry:
    label: str | None
    headline: str
    # Markdown, rendered with the sanitising ``markdown`` filter.
    summary: str
    explanation: str
    author: str | None
    updated_by: str | None
    updated_at: datetime


@dataclass(frozen=True)
class RevisionEntry:
    revision: int
    kind: str
    published_at: datetime
    published_by: str | None
    note: str | None
    label_name: str
    headline: str
    # Imported from a record without a date: published_at is the import's time.
    date_unknown: bool = False
    # The other publisher whose fact check it is (None: ours).
    checked_by: str | None = None


@dataclass(frozen=True)
class TransitionEntry:
    at: datetime
    actor: str | None
    from_state: str | None
    to_state: str
    comment: str | None


@dataclass(frozen=True)
class Dossier:
    header: Header
    claim: ClaimFacts
    appearances: list[AppearanceEntry]
    sources: list[SourceEntry]
    # False when the viewer may not see the ratings yet (blind rating): ``ratings`` is then empty.
    ratings_visible: bool
    rating_count: int
    ratings: list[RatingEntry]
    verdict: VerdictEntry | None
    revisions: list[RevisionEntry]
    transitions: list[TransitionEntry]
    history: list[HistoryEntry] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("Dossier of claim #%(id)s", id=self.header.claim_id)


def _name(user: Any) -> str | None:
    return user.name if user is not None else None


def build_dossier(session: Session, claim: Claim, viewer: Any, *, now: datetime | None = None) -> Dossier:
    """Everything about ``claim`` as ``viewer`` may see it, in the dossier's order.

    Lists are oldest first (sources, ratings and appearances in the order they
    were added, revisions by number, history by change sequence).
    Raises :class:`~factcheck.security.permissions.PermissionDenied` unless the
    viewer may export (reviewers and up).
    """
    require(viewer, Permission.EXPORT)
    ratings_visible = can_see_ratings(viewer, claim)
    header = Header(
        organisation=publisher(session).name,
        claim_id=claim.id,
        slug=claim.slug,
        public_url=check_url(claim.slug) if claim.slug else None,
        generated_at=now or utcnow(),
        generated_by=_name(viewer) or _("Unknown"),
    )
    facts = ClaimFacts(
        text=claim.text,
        claimant=claim.claimant,
        claimed_on=claim.claimed_on,
        state=claim.state.label,
        dismissed_reason=claim.dismissed_reason,
        review_by=claim.review_by,
        tags=[tag.name for tag in claim.tags],
        captured_at=claim.created_at,
        captured_by=_name(claim.created_by),
    )
    appearances = [
        AppearanceEntry(
            document_title=a.document.title if a.document else None,
            venue=a.venue,
            document_outlet=a.document.outlet if a.document else None,
            document_url=a.document.url if a.document else None,
            url=a.url,
            appeared_on=a.appeared_on or (a.document.published_on if a.document else None),
            quote_exact=a.quote_exact,
            quote_prefix=a.quote_prefix,
            quote_suffix=a.quote_suffix,
            position_start=a.position_start,
            position_end=a.position_end,
            anchor_status=a.anchor_status.value.capitalize(),
            anchored=a.anchor_status.value != "orphaned",
            page=a.page,
        )
        for a in claim.appearances
    ]
    sources = [
        SourceEntry(
            title=s.title,
            publisher=s.publisher,
            published_on=s.published_on,
            kind=s.kind.label,
            stance=s.stance.label,
            is_primary=s.is_primary,
            url=s.url,
            citation=s.citation,
            quote=s.quote,
            note=s.note,
            added_by=_name(s.created_by),
            link_flag=(
                f"{s.link_status.label}: {s.link_problem}"
                if s.link_status is not None and s.link_status.value != "ok"
                else None
            ),
            archived_at=s.snapshot.fetched_at if s.snapshot is not None else None,
        )
        for s in claim.sources
    ]
    ratings = (
        [
            RatingEntry(
                reviewer=r.reviewer.name,
                label=r.label.name,
                reasoning=r.reasoning,
                rated_at=r.updated_at or r.created_at,
            )
            for r in claim.ratings
        ]
        if ratings_visible
        else []
    )
    verdict = None
    if claim.verdict is not None:
        v = claim.verdict
        verdict = VerdictEntry(
            label=v.label.name if v.label else None,
            headline=v.headline,
            summary=v.summary,
            explanation=v.explanation,
            author=_name(v.author),
            updated_by=_name(v.updated_by),
            updated_at=v.updated_at,
        )
    revisions = [
        RevisionEntry(
            revision=p.revision,
            kind=p.kind.label,
            published_at=p.published_at,
            published_by=_name(p.published_by),
            note=p.note,
            label_name=p.label_name,
            headline=p.headline,
            date_unknown=p.date_unknown,
            checked_by=other.publisher if (other := attribution(p.snapshot)) else None,
        )
        for p in claim.publications
    ]
    transitions = [
        TransitionEntry(
            at=t.created_at,
            actor=_name(t.actor),
            from_state=t.from_state.label if t.from_state else None,
            to_state=t.to_state.label,
            comment=t.comment,
        )
        for t in claim.transitions
    ]
    return Dossier(
        header=header,
        claim=facts,
        appearances=appearances,
        sources=sources,
        ratings_visible=ratings_visible,
        rating_count=len(claim.ratings),
        ratings=ratings,
        verdict=verdict,
        revisions=revisions,
        transitions=transitions,
        history=claim_history(session, claim.id, ratings_visible=ratings_visible),
    )


def pdf_filename(dossier: Dossier) -> str:
    """``dossier-claim-<id>[-<slug>]-<YYYY-MM-DD>.pdf`` (the slug is ASCII; the date is the generation's, UTC)."""
    parts = ["dossier", "claim", str(dossier.header.claim_id)]
    if dossier.header.slug:
        # Slugs are made ASCII at publication; keep the header safe whatever an import stored.
        parts.append(re.sub(r"[^A-Za-z0-9-]+", "-", dossier.header.slug).strip("-")[:80])
    parts.append(dossier.header.generated_at.date().isoformat())
    return "-".join(parts) + ".pdf"
