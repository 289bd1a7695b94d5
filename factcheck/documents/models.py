"""Documents: the texts in which claims appear."""

from __future__ import annotations

import bisect
import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.archive.models import Snapshot
from factcheck.db import Base, Timestamps, UTCDateTime, str_enum

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Appearance


class FetchState(enum.StrEnum):
    """Where a document added by its address stands (None: pasted or uploaded)."""

    FETCHING = "fetching"
    FETCHED = "fetched"
    FAILED = "failed"


class Document(Timestamps, Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    outlet: Mapped[str | None] = mapped_column(String(200))
    author: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[date | None]
    # BCP 47 language tag, e.g. "en" or "pt-BR".
    language: Mapped[str | None] = mapped_column(String(35))
    # The full text; selectors count Unicode code points into it.
    text: Mapped[str] = mapped_column(Text)
    # SHA-256 of the text, to find the same document imported twice.
    text_sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Documents added by their address (factcheck/documents/fetching.py): the fetch's state, why
    # it failed, and the archived snapshot of the page the text was read from.
    fetch_state: Mapped[FetchState | None] = mapped_column(str_enum(FetchState, "document_fetch_state"))
    fetch_error: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id", ondelete="SET NULL"))
    # The uploaded original kept for staff (a PDF): its name, media type and SHA-256. The bytes
    # are in document_files; the digest here is audited, so the file can be checked against it.
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    # Where each page starts in the text (code points), for a text read from a PDF: [0, 1520, ...].
    page_starts: Mapped[list[int] | None] = mapped_column(JSON)
    # Set when archived: hidden from the lists, kept with its history, restorable.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    appearances: Mapped[list[Appearance]] = relationship(back_populates="document")
    snapshot: Mapped[Snapshot | None] = relationship()
    file: Mapped[DocumentFile | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    def page_at(self, position: int | None) -> int | None:
        """The page (from 1) holding this code point of the text, or None for a text without pages."""
        if not self.page_starts or position is None:
            return None
        return max(1, bisect.bisect_right(self.page_starts, position))


class DocumentFile(Base):
    """The bytes of a document's uploaded original, written once and never changed.

    Not in the audit history (binary, and up to the request limit): the document's audited
    file_sha256 vouches for them.
    """

    __tablename__ = "document_files"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
