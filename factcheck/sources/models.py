"""Sources: the evidence attached to a claim."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.archive.models import Snapshot
from factcheck.db import Base, Timestamps, UTCDateTime, str_enum

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Claim


class SourceKind(enum.StrEnum):
    PRIMARY_DOCUMENT = "primary_document"
    OFFICIAL_STATEMENT = "official_statement"
    DATA_SET = "data_set"
    EXPERT = "expert"
    NEWS_REPORT = "news_report"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(self.lazy_label)

    @property
    def lazy_label(self) -> LazyString:
        """The label translated when shown: for choices built when a module is imported."""
        return _KIND_LABELS[self.value]


class Stance(enum.StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"

    @property
    def label(self) -> str:
        return str(self.lazy_label)

    @property
    def lazy_label(self) -> LazyString:
        return _STANCE_LABELS[self.value]


class LinkStatus(enum.StrEnum):
    """What the last link check found at a source's address (factcheck/sources/archiving.py)."""

    OK = "ok"
    # The page answers 4xx/5xx or its host no longer resolves.
    GONE = "gone"
    # The page's main text differs from the archived snapshot's.
    CHANGED = "changed"

    @property
    def label(self) -> str:
        return str(_LINK_STATUS_LABELS[self.value])


_KIND_LABELS = {
    "primary_document": _l("Primary document"),
    "official_statement": _l("Official statement"),
    "data_set": _l("Data set"),
    "expert": _l("Expert"),
    "news_report": _l("News report"),
    "other": _l("Other"),
}
_STANCE_LABELS = {"supports": _l("Supports"), "refutes": _l("Refutes"), "context": _l("Context")}
_LINK_STATUS_LABELS = {"ok": _l("Unchanged"), "gone": _l("Gone"), "changed": _l("Changed since cited")}


class Source(Timestamps, Base):
    __tablename__ = "sources"
    __table_args__ = (CheckConstraint("url IS NOT NULL OR citation IS NOT NULL", name="url_or_citation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    # A full citation, for evidence without a URL (an interview, a printed document).
    citation: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[date | None]
    kind: Mapped[SourceKind] = mapped_column(str_enum(SourceKind, "source_kind"), default=SourceKind.OTHER)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, "source_stance"), default=Stance.CONTEXT)
    # The passage of the source that matters for the claim.
    quote: Mapped[str | None] = mapped_column(Text)
    # The reviewer's own note; never public.
    note: Mapped[str | None] = mapped_column(Text)
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)
    # The archived copy of the page at ``url`` (factcheck/sources/archiving.py), and what the
    # last link check found there, when, and why.
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id", ondelete="SET NULL"))
    link_status: Mapped[LinkStatus | None] = mapped_column(str_enum(LinkStatus, "source_link_status"))
    link_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    link_problem: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}

    claim: Mapped[Claim] = relationship(back_populates="sources")
    created_by: Mapped[User | None] = relationship()
    snapshot: Mapped[Snapshot | None] = relationship()
