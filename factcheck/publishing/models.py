"""Publications: immutable public revisions of a verdict."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Claim


class PublicationKind(enum.StrEnum):
    PUBLICATION = "publication"
    # The verdict changed because we were wrong.
    CORRECTION = "correction"
    # New facts.
    UPDATE = "update"
    RETRACTION = "retraction"

    @property
    def label(self) -> str:
        """The kind's name as people read it, in the interface's language (never parsed back)."""
        return str(KIND_LABELS[self])


# The names, lazily: forms built at import time show them in each request's language.
KIND_LABELS = {
    PublicationKind.PUBLICATION: _l("Publication"),
    PublicationKind.CORRECTION: _l("Correction"),
    PublicationKind.UPDATE: _l("Update"),
    PublicationKind.RETRACTION: _l("Retraction"),
}


class Publication(Base):
    """One frozen public revision; revision 1 is the first publication.

    ``snapshot`` holds everything the public page shows (claim, claimant,
    appearances, label, headline, summary, explanation, sources, dates), so
    later edits to the draft change nothing public.
    """

    __tablename__ = "publications"
    __table_args__ = (
        UniqueConstraint("claim_id", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint("kind = 'publication' OR note IS NOT NULL", name="later_revisions_have_note"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="RESTRICT"), index=True)
    revision: Mapped[int]
    kind: Mapped[PublicationKind] = mapped_column(str_enum(PublicationKind, "publication_kind"))
    # The public, dated note of a correction, update or retraction.
    note: Mapped[str | None] = mapped_column(Text)
    label_name: Mapped[str] = mapped_column(String(80))
    headline: Mapped[str] = mapped_column(String(300))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Indexed: the public list, feeds and sitemap are ordered by it.
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # True when the record this revision was imported from gave no date (another publisher's
    # ClaimReview without datePublished): ``published_at`` then holds when it was imported, so the
    # revision can be ordered, but readers, feeds, reports and exports see its date as unknown.
    date_unknown: Mapped[bool] = mapped_column(server_default=false(), default=False)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The casefolded public text of the snapshot (factcheck.publishing.snapshot.search_text),
    # which the public search matches with LIKE; filled by the publishing operations.
    # (The default is written as SQL: Alembic's comparison cannot see that "" and '' agree.)
    search_text: Mapped[str] = mapped_column(Text, server_default=text("''"), default="")

    claim: Mapped[Claim] = relationship(back_populates="publications")
    published_by: Mapped[User | None] = relationship()
