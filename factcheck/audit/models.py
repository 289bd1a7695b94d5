"""The audit history: changesets chained by hash, and the field-level changes in each.

Rows here are only ever inserted; database triggers reject UPDATE, DELETE and
TRUNCATE (see factcheck.audit.triggers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, UTCDateTime, utcnow

# JSONB on PostgreSQL (its text form is canonical), JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")
# SQLite only autoincrements INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class AuditChangeset(Base):
    """Everything one actor changed in one transaction, as one link of the hash chain."""

    __tablename__ = "audit_changesets"
    __table_args__ = (CheckConstraint("seq >= 1", name="seq_positive"),)

    # Gap-free: 1, 2, 3, ... enforced by a trigger at insert.
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The application user (not the database login); name and role as they were then.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    # Where the change came from: web, api, cli, migration.
    origin: Mapped[str] = mapped_column(String(20))
    # The id the app gave the request; what a client sent as X-Request-ID is kept apart.
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_request_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    # The audit key the link is made with (factcheck/audit/keys.py); None for legacy links.
    key_id: Mapped[str | None] = mapped_column(String(16))
    # The previous changeset's link ("0" * 64 for the first).
    prev_hash: Mapped[str] = mapped_column(String(64))
    # Hex HMAC-SHA-256 over prev_hash and the changeset (factcheck/audit/chain.py).
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    changes: Mapped[list[AuditChange]] = relationship(
        back_populates="changeset", order_by="AuditChange.id", viewonly=True
    )


class AuditChange(Base):
    """One row inserted, updated or deleted, with each changed field's old and new value."""

    __tablename__ = "audit_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Deferred: triggers write changes before the changeset row is inserted at commit.
    changeset_seq: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("audit_changesets.seq", deferrable=True, initially="DEFERRED"),
        index=True,
    )
    table_name: Mapped[str] = mapped_column(String(63), index=True)
    # The row's primary key as a JSON object, e.g. {"id": 7}.
    row_key: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    operation: Mapped[str] = mapped_column(String(6))
    # {"field": [old, new], ...}; old is null on INSERT, new is null on DELETE.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    # The claim the row belongs to, when it belongs to one: the claim's history in one index.
    claim_id: Mapped[int | None] = mapped_column(index=True)

    changeset: Mapped[AuditChangeset] = relationship(back_populates="changes")


class AuditContext(Base):
    """SQLite only: the changeset the current write transaction belongs to.

    One row at most, inserted when a changeset opens and deleted when it is
    sealed; triggers refuse writes while it is empty. (PostgreSQL keeps the
    same in a transaction-local setting instead.)
    """

    __tablename__ = "audit_context"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)


class AuditCheckpoint(Base):
    """A signed statement of the chain head at a moment (factcheck/audit/checkpoints.py).

    Kept here, in an append-only directory outside the database, and on the public
    transparency page, so that truncating or rewriting the history up to it shows.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    head_hash: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    # Why it was made: command, interval, publication.
    cause: Mapped[str] = mapped_column(String(20))
    # Hex Ed25519 signature over the statement's canonical bytes.
    signature: Mapped[str] = mapped_column(String(128))


class AuditVerification(Base):
    """A run of `factcheck audit verify` (or the admin page's button) and what it found."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ok: Mapped[bool]
    checked: Mapped[int] = mapped_column(BigInteger)
    head_seq: Mapped[int | None] = mapped_column(BigInteger)
    head_hash: Mapped[str | None] = mapped_column(String(64))
    first_bad_seq: Mapped[int | None] = mapped_column(BigInteger)
    problem: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float]
