"""Verdict pages rendered once per revision and stored, for the lean public path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, UTCDateTime, utcnow


class StoredPage(Base):
    """The HTML of a public page as every anonymous reader gets it, with its validators.

    Derived data, like the ``search_*`` indexes: rebuilt from the audited
    publications by ``factcheck pages rebuild``, so not audited itself. A row is
    served only while ``site`` (templates, configuration, the address it was
    rendered for) and ``settings_changed_at`` (the organisation's settings) still
    match; otherwise the page is rendered by the app as before.
    """

    __tablename__ = "stored_pages"

    # The path readers ask for, e.g. "/checks/<slug>" (the lean path's one indexed lookup).
    path: Mapped[str] = mapped_column(String(400), primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    site: Mapped[str] = mapped_column(String(64))
    settings_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    etag: Mapped[str] = mapped_column(String(64))
    last_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
