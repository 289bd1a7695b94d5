"""Reader submissions: claims readers suggest checking, and errors they report in published checks.

A submission holds only what the reader typed (plus the check and revision an
error report is about): no address, no browser details. Editors work through
them in a queue; each ends converted into a claim, answered, or closed.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Claim


class SubmissionKind(enum.StrEnum):
    # A claim the reader would like checked.
    SUGGESTION = "suggestion"
    # Something the reader thinks is wrong in a published check.
    ERROR_REPORT = "error_report"

    @property
    def label(self) -> str:
        return str(_l("Suggestion") if self is SubmissionKind.SUGGESTION else _l("Error report"))

    @property
    def plural_label(self) -> str:
        return str(_l("Suggestions") if self is SubmissionKind.SUGGESTION else _l("Error reports"))


class SubmissionStatus(enum.StrEnum):
    OPEN = "open"
    # Turned into a claim on the desk.
    CONVERTED = "converted"
    # The editors wrote an answer.
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        # Looked up at request time, so the label comes in the page's language.
        return str(_STATUS_LABELS[self])


_STATUS_LABELS = {
    SubmissionStatus.OPEN: _l("Open"),
    SubmissionStatus.CONVERTED: _l("Converted"),
    SubmissionStatus.ANSWERED: _l("Answered"),
    SubmissionStatus.CLOSED: _l("Closed"),
}


class ReaderSubmission(Base):
    __tablename__ = "reader_submissions"
    # The editors' queue: one status, newest first.
    __table_args__ = (Index("ix_reader_submissions_status_created_at", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SubmissionKind] = mapped_column(str_enum(SubmissionKind, "submission_kind"))
    # The claim suggested, or what is wrong in the check.
    text: Mapped[str] = mapped_column(Text)
    # Where the claim appeared, or evidence of the error (http/https only).
    url: Mapped[str | None] = mapped_column(String(2000))
    # Error reports: the check they are about, and the public revision the reader saw.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"), index=True)
    revision: Mapped[int | None]
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[SubmissionStatus] = mapped_column(
        str_enum(SubmissionStatus, "submission_status"), default=SubmissionStatus.OPEN
    )
    # The editors' answer, or why it was closed.
    response: Mapped[str | None] = mapped_column(Text)
    converted_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="SET NULL"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim | None] = relationship(foreign_keys=[claim_id])
    converted_claim: Mapped[Claim | None] = relationship(foreign_keys=[converted_claim_id])
    handled_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReaderSubmission {self.id} {self.kind} {self.status}>"
