"""Webhook endpoints, their secrets, and each delivery made to them.

``webhook_endpoints`` is in the audit history (who registered which address for
which events is a configuration change like any other). Its secret is kept apart
in ``webhook_secrets``, out of the history: the history is kept forever and read
by admins, and the secret is shown once. ``webhook_deliveries`` is operational
(it changes with every try), like ``jobs``: not in the history either.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, Timestamps, UTCDateTime, str_enum, utcnow


class WebhookEvent(enum.StrEnum):
    CLAIM_PUBLISHED = "claim.published"
    CLAIM_CORRECTED = "claim.corrected"
    CLAIM_UPDATED = "claim.updated"
    CLAIM_RETRACTED = "claim.retracted"
    SUBMISSION_RECEIVED = "submission.received"
    CLAIM_STATE_CHANGED = "claim.state_changed"

    @property
    def label(self) -> str:
        return str(WEBHOOK_EVENT_LABELS[self.value])


# Lazy: the endpoint form builds its choices at import.
WEBHOOK_EVENT_LABELS = {
    "claim.published": _l("Claim published"),
    "claim.corrected": _l("Claim corrected"),
    "claim.updated": _l("Claim updated"),
    "claim.retracted": _l("Claim retracted"),
    "submission.received": _l("Reader submission received"),
    "claim.state_changed": _l("Claim state changed"),
}


# Sent by "Send a test ping" only; endpoints do not subscribe to it.
PING_EVENT = "webhook.ping"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    # The last try failed; the worker tries again after a backoff.
    RETRYING = "retrying"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "pending": _("Pending"),
            "delivered": _("Delivered"),
            "retrying": _("Retrying"),
            "failed": _("Failed"),
        }[self.value]


class WebhookEndpoint(Timestamps, Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    # The WebhookEvent values it receives.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The secret's first characters, so admins can tell which secret a receiver holds.
    secret_hint: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    secret: Mapped[WebhookSecret] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True
    )

    def receives(self, event: str) -> bool:
        return self.is_active and event in (self.events or [])


class WebhookSecret(Base):
    __tablename__ = "webhook_secrets"

    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), primary_key=True
    )
    # whsec_ followed by the base64 of the key bytes (Standard Webhooks).
    secret: Mapped[str] = mapped_column(String(200))

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="secret")


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_endpoint_id_created_at", "endpoint_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    # The webhook-id header: the same on every try, so receivers can drop duplicates.
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(40))
    # The exact JSON sent, fixed when the event happened.
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    # The last try: the receiver's status code (None: no answer), how long it took, what it said.
    response_status: Mapped[int | None]
    duration_ms: Mapped[int | None]
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The job that delivers it (none once the job is gone).
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))

    endpoint: Mapped[WebhookEndpoint] = relationship()

    def payload(self) -> dict[str, Any]:
        import json

        return json.loads(self.body)
