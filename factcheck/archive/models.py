"""Snapshots of web pages, kept as WARC records (docs/documents.md).

A snapshot's row (address, time, status, hashes) is in the audit history. The
WARC bytes are kept apart, in ``snapshot_warcs``, which is not audited: a
snapshot may hold a megabyte, which the history would copy for ever, while the
audited ``warc_sha256`` already makes any change to the bytes detectable (the
bytes are checked against it every time they are served).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, Timestamps, UTCDateTime


class Snapshot(Timestamps, Base):
    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The address asked for, and the one that answered after any redirects.
    url: Mapped[str] = mapped_column(String(2000))
    final_url: Mapped[str] = mapped_column(String(2000))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the response body as received (hex); the WARC's payload digest says the same in base32.
    payload_sha256: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the normalised main text extracted from the page: link checks compare it.
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    # SHA-256 of the stored WARC bytes (snapshot_warcs), checked whenever they are served.
    warc_sha256: Mapped[str] = mapped_column(String(64))
    warc_size: Mapped[int]


class SnapshotWarc(Base):
    """The WARC bytes of a snapshot (gzipped records: request, then response). Not audited."""

    __tablename__ = "snapshot_warcs"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"), primary_key=True)
    warc: Mapped[bytes] = mapped_column(LargeBinary)
