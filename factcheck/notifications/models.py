"""Who follows which claim, what they were told, and how they want to be told by e-mail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from factcheck.accounts.models import User
    from factcheck.claims.models import Claim


class Follow(Base):
    """A person told about what happens to a claim. Audited: who followed what, and when."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("claim_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship()
    user: Mapped[User] = relationship()


class NotificationKind(enum.StrEnum):
    STATE_CHANGED = "state_changed"
    ASSIGNED = "assigned"
    MENTIONED = "mentioned"
    COMMENTED = "commented"
    PUBLISHED = "published"


class Notification(Base):
    """One thing a person was told, in the app and perhaps by e-mail.

    Not audited (``NOT_AUDITED``): a read mark is not an editorial change, and the
    change that caused the notification is audited itself (docs/notifications.md).
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    # The sentence shown, fixed when it happened ("Anna moved the claim to Ready"), in English;
    # ``text`` says it in the reader's language (factcheck/notifications/messages.py).
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it went out by e-mail, at once or in a digest; never for people who turned e-mail off.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    claim: Mapped[Claim | None] = relationship()

    @property
    def text(self) -> str:
        """The sentence in the current language."""
        from factcheck.notifications.messages import localised

        return localised(self.message)


class EmailMode(enum.StrEnum):
    AT_ONCE = "at_once"
    DAILY = "daily"
    OFF = "off"

    @property
    def label(self) -> str:
        return str(EMAIL_MODE_LABELS[self.value])


# Lazy: the e-mail setting's form builds its choices at import.
EMAIL_MODE_LABELS = {"at_once": _l("At once"), "daily": _l("Daily digest"), "off": _l("Off")}


class NotificationSettings(Base):
    """A person's choice of notification e-mail; no row means the default (at once). Audited."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[EmailMode] = mapped_column(
        str_enum(EmailMode, "notification_email"),
        default=EmailMode.AT_ONCE,
        server_default=sql_text("'at_once'"),
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
