"""Claims, where they appeared, how they moved through the workflow, tags and assignments."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, Timestamps, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.discussion.models import Comment
    from factcheck.documents.models import Document
    from factcheck.publishing.models import Publication
    from factcheck.ratings.models import Rating
    from factcheck.sources.models import Source
    from factcheck.verdicts.models import Verdict


class ClaimState(enum.StrEnum):
    NEW = "new"
    RESEARCHING = "researching"
    IN_REVIEW = "in_review"
    READY = "ready"
    PUBLISHED = "published"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        """The state's name in the request's language (English outside a request)."""
        return str(_STATE_LABELS[self])

    @property
    def lazy_label(self) -> LazyString:
        """The name translated when shown: for choices built when a module is imported."""
        return _STATE_LABELS[self]


class ClaimantKind(enum.StrEnum):
    """What kind of claimant made a claim: ClaimReview says Person or Organization."""

    PERSON = "person"
    ORGANISATION = "organisation"
    # Not said: an imported record without author.@type, or a claim from before the kind existed.
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return str(
            {"person": _l("Person"), "organisation": _l("Organisation")}.get(self.value, _l("Unknown"))
        )

    @property
    def description(self) -> str:
        """The kind as the desk shows it beside the claimant."""
        return str(
            {"person": _l("a person"), "organisation": _l("an organisation")}.get(
                self.value, _l("person or organisation?")
            )
        )


_STATE_LABELS = {
    ClaimState.NEW: _l("New"),
    ClaimState.RESEARCHING: _l("Researching"),
    ClaimState.IN_REVIEW: _l("In review"),
    ClaimState.READY: _l("Ready"),
    ClaimState.PUBLISHED: _l("Published"),
    ClaimState.DISMISSED: _l("Dismissed"),
}


claim_tags = Table(
    "claim_tags",
    Base.metadata,
    Column("claim_id", ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Claim(Timestamps, Base):
    __tablename__ = "claims"
    # The claim list's sort orders, each ending in the id for keyset pagination.
    __table_args__ = (
        Index("ix_claims_created_at_id", "created_at", "id"),
        Index("ix_claims_updated_at_id", "updated_at", "id"),
        Index("ix_claims_claimant_id", "claimant", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement in the words of whoever made it.
    text: Mapped[str] = mapped_column(Text)
    claimant: Mapped[str] = mapped_column(String(200))
    claimant_kind: Mapped[ClaimantKind] = mapped_column(
        str_enum(ClaimantKind, "claimant_kind"),
        default=ClaimantKind.UNKNOWN,
        server_default=sql_text("'unknown'"),
    )
    claimed_on: Mapped[date | None]
    # The language of the claim's wording, a BCP 47 tag ("en", "ru", "pt-BR"); unknown when empty.
    language: Mapped[str | None] = mapped_column(String(35))
    state: Mapped[ClaimState] = mapped_column(
        str_enum(ClaimState, "claim_state"), default=ClaimState.NEW, index=True
    )
    # Why a dismissed claim is not worth checking.
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    review_by: Mapped[date | None]
    # The public address /checks/<slug>, fixed at first publication and never reused.
    slug: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The key a claim was imported by (the ClaimReview url, or a content hash), so
    # importing the same item again finds this claim; the import helper sets it.
    # A unique index rather than a constraint: SQLite adds it without copying the table.
    imported_from: Mapped[str | None] = mapped_column(String(2000), unique=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Optimistic concurrency: a save based on an old version fails instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    created_by: Mapped[User | None] = relationship()
    appearances: Mapped[list[Appearance]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Appearance.id"
    )
    transitions: Mapped[list[ClaimTransition]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimTransition.id"
    )
    tags: Mapped[list[Tag]] = relationship(secondary=claim_tags, order_by="Tag.name")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="claim", cascade="all, delete-orphan")
    sources: Mapped[list[Source]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Source.id"
    )
    ratings: Mapped[list[Rating]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Rating.id"
    )
    verdict: Mapped[Verdict | None] = relationship(back_populates="claim", cascade="all, delete-orphan")
    publications: Mapped[list[Publication]] = relationship(
        back_populates="claim", order_by="Publication.revision"
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Comment.id"
    )

    def __repr__(self) -> str:
        return f"<Claim {self.id} {self.state}>"


class AnchorStatus(enum.StrEnum):
    ANCHORED = "anchored"
    # Found again at another place after the text was corrected: worth a look, then re-anchor.
    MOVED = "moved"
    # The quote is no longer found in the document's text.
    ORPHANED = "orphaned"


class Appearance(Timestamps, Base):
    """One place a claim appeared: a span of a document, a URL (TV, social post), or only a
    venue named in words ("a mailer", "a TV ad") when there is neither.

    The span is a W3C Web Annotation TextQuoteSelector (exact, prefix, suffix)
    plus a TextPositionSelector (start, end) in Unicode code points. The quote
    is the truth; the position is a hint.
    """

    __tablename__ = "appearances"
    __table_args__ = (
        CheckConstraint(
            "document_id IS NOT NULL OR url IS NOT NULL OR venue IS NOT NULL", name="document_url_or_venue"
        ),
        CheckConstraint(
            "position_start IS NULL OR (position_start >= 0 AND position_end >= position_start)",
            name="position_order",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="RESTRICT"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(2000))
    # Where it appeared, in words, when there is no address or document ("a mailer", "a TV ad").
    venue: Mapped[str | None] = mapped_column(String(200))
    appeared_on: Mapped[date | None]
    quote_exact: Mapped[str | None] = mapped_column(Text)
    quote_prefix: Mapped[str | None] = mapped_column(String(200))
    quote_suffix: Mapped[str | None] = mapped_column(String(200))
    position_start: Mapped[int | None]
    position_end: Mapped[int | None]
    # The PDF page (from 1) the quote is on: a W3C FragmentSelector "page=N" beside the others.
    page: Mapped[int | None]
    anchor_status: Mapped[AnchorStatus] = mapped_column(
        str_enum(AnchorStatus, "anchor_status"), default=AnchorStatus.ANCHORED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    claim: Mapped[Claim] = relationship(back_populates="appearances")
    document: Mapped[Document | None] = relationship(back_populates="appearances")
    created_by: Mapped[User | None] = relationship()


class ClaimTransition(Base):
    """A workflow step: who moved the claim from which state to which, when, and why."""

    __tablename__ = "claim_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[ClaimState | None] = mapped_column(str_enum(ClaimState, "transition_from"))
    to_state: Mapped[ClaimState] = mapped_column(str_enum(ClaimState, "transition_to"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class Assignment(Base):
    """A person asked to work on a claim."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("claim_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class ClaimMerge(Base):
    """A duplicate claim merged into another (factcheck.claims.merging), and what moved.

    ``moved`` lists the ids of the rows that moved to the survivor, by table
    ("appearances", "sources", "comments", "ratings"), so an undo moves back
    exactly those. A merge is in force until ``undone_at`` is set.
    """

    __tablename__ = "claim_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The merged (duplicate) claim; named claim_id so the merge shows in its audit history.
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    moved: Mapped[dict[str, list[int]]] = mapped_column(JSON)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    claim: Mapped[Claim] = relationship(foreign_keys=[claim_id])
    survivor: Mapped[Claim] = relationship(foreign_keys=[survivor_id])
    merged_by: Mapped[User | None] = relationship()
