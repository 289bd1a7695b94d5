"""Documents: the texts in which claims appear."""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.archive.models import Snapshot
from factcheck.db import Base, Timestamps, str_enum

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

    created_by: Mapped[User | None] = relationship()
    appearances: Mapped[list[Appearance]] = relationship(back_populates="document")
    snapshot: Mapped[Snapshot | None] = relationship()
