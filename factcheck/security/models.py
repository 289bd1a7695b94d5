"""The security log: sign-ins, failed sign-ins, sign-outs, refusals and account changes."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, UTCDateTime, str_enum, utcnow


class SecurityEventKind(enum.StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    LOGOUT = "logout"
    PERMISSION_DENIED = "permission_denied"
    USER_CREATED = "user_created"
    ROLE_CHANGED = "role_changed"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name, not a password
    # An admin put a failed background job back in the queue (factcheck/jobs/admin.py).
    JOB_RETRIED = "job_retried"

    @property
    def label(self) -> str:
        return str(SECURITY_EVENT_LABELS[self.value])


SECURITY_EVENT_LABELS = {
    "login": _l("Login"),
    "login_failed": _l("Login failed"),
    "login_throttled": _l("Login throttled"),
    "logout": _l("Logout"),
    "permission_denied": _l("Permission denied"),
    "user_created": _l("User created"),
    "role_changed": _l("Role changed"),
    "user_disabled": _l("User disabled"),
    "user_enabled": _l("User enabled"),
    "password_changed": _l("Password changed"),
    "job_retried": _l("Job retried"),
}


class SecurityEvent(Base):
    """Append-only, like the audit history. No foreign keys: it outlives what it names."""

    __tablename__ = "security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[SecurityEventKind] = mapped_column(str_enum(SecurityEventKind, "security_event_kind"))
    # Who did it (None: anonymous) and whom it concerned, if anyone.
    actor_id: Mapped[int | None] = mapped_column(index=True)
    subject_user_id: Mapped[int | None]
    # The email typed at a sign-in attempt, for failed ones.
    email: Mapped[str | None] = mapped_column(String(254))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    request_id: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
