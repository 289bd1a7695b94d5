"""Notification e-mail, sent by the background worker through SMTP (``SMTP_*`` config).

Each person chooses at once, a daily digest, or off (:class:`EmailMode`; no choice
means at once). When notifications are added, :func:`schedule` queues, in the same
transaction:

- for people who want them at once, a ``notifications.email`` job for that person,
  which sends one message with everything of theirs not yet e-mailed nor read;
- for people who want a digest, the ``notifications.digest`` job of the next digest
  time (``NOTIFICATIONS_DIGEST_HOUR`` o'clock UTC), keyed by its date so there is one
  per day; it sends each such person one message with the same. No scheduler is
  needed: the first notification of a day for a digest reader queues that day's job.

Without ``SMTP_HOST`` nothing is queued. A handler reads what to send, ends its
transaction, talks to the server, then marks the notifications e-mailed: if the worker
dies in between, the message may go out twice (the job is retried), never not at all.
Messages say what the in-app notification says, so the blind rule holds by construction.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.db import utcnow
from factcheck.jobs import queue
from factcheck.jobs.queue import Claimed
from factcheck.jobs.runner import handler
from factcheck.notifications.models import EmailMode, Notification, NotificationSettings
from factcheck.publishing.urls import absolute_url

AT_ONCE_JOB = "notifications.email"
DIGEST_JOB = "notifications.digest"


def mode_of(session: Session, user_id: int) -> EmailMode:
    settings = session.get(NotificationSettings, user_id)
    return settings.email if settings is not None else EmailMode.AT_ONCE


def configured() -> bool:
    return has_app_context() and bool(current_app.config.get("SMTP_HOST"))


def next_digest_time(now: datetime, hour: int) -> datetime:
    """The next time the digest goes out: today at ``hour`` UTC if still ahead, else tomorrow."""
    today = datetime.combine(now.date(), time(hour % 24), tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def schedule(session: Session, people: Iterable[int]) -> None:
    """Queue the e-mail of new notifications for ``people``, in the caller's transaction."""
    if not configured():
        return
    for person in sorted(people):
        mode = mode_of(session, person)
        if mode == EmailMode.AT_ONCE:
            queue.enqueue(session, AT_ONCE_JOB, {"user_id": person})
        elif mode == EmailMode.DAILY:
            due = next_digest_time(utcnow(), int(current_app.config["NOTIFICATIONS_DIGEST_HOUR"]))
            queue.enqueue(session, DIGEST_JOB, {}, key=f"{DIGEST_JOB}:{due.isoformat()}", run_after=due)


def pending(session: Session, user_id: int) -> list[Notification]:
    """A person's notifications not yet e-mailed nor read, oldest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.emailed_at.is_(None),
                Notification.read_at.is_(None),
            )
            .order_by(Notification.id)
        )
    )


def language_of(user: User) -> str:
    """The language a person's e-mail is written in: their own setting if they chose one,
    else the interface's default (the worker has no browser to ask)."""
    return getattr(user, "language", None) or current_app.config.get("BABEL_DEFAULT_LOCALE") or "en"


def compose(user: User, notifications: list[Notification], *, digest: bool) -> EmailMessage:
    """The message: each notification's sentence and the claim's address, plain text."""
    with force_locale(language_of(user)):
        return _compose(user, notifications, digest=digest)


def _compose(user: User, notifications: list[Notification], *, digest: bool) -> EmailMessage:
    message = EmailMessage()
    count = len(notifications)
    if digest:
        message["Subject"] = ngettext(
            "factcheck: your daily digest (%(num)d notification)",
            "factcheck: your daily digest (%(num)d notifications)",
            count,
        )
    elif count == 1:
        message["Subject"] = _("factcheck: %(message)s", message=notifications[0].text)[:200]
    else:
        message["Subject"] = ngettext(
            "factcheck: %(num)d notification", "factcheck: %(num)d notifications", count
        )
    message["From"] = current_app.config.get("SMTP_FROM") or current_app.config.get("SMTP_USERNAME") or ""
    message["To"] = user.email
    lines = [_("Hello %(name)s,", name=user.name), ""]
    for notification in notifications:
        lines.append(f"- {notification.text}")
        if notification.claim_id is not None:
            lines.append(f"  {absolute_url('claims.show', claim_id=notification.claim_id)}")
    lines += [
        "",
        _("All your notifications: %(url)s", url=absolute_url("notifications.index")),
        _(
            "Choose at once, a daily digest or no e-mail on your account page: %(url)s",
            url=absolute_url("accounts.account"),
        ),
    ]
    message.set_content("\n".join(lines))
    return message


def send(messages: list[EmailMessage]) -> None:
    """Send through the configured SMTP server, in one connection."""
    config: Any = current_app.config
    timeout = float(config.get("SMTP_TIMEOUT_SECONDS", 30))
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=timeout) as server:
        if config.get("SMTP_STARTTLS"):
            server.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            server.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
        for message in messages:
            server.send_message(message)


def _deliver(session: Session, people: list[int], *, digest: bool) -> None:
    """Compose each person's message, end the transaction, send, then mark what was sent."""
    messages: list[EmailMessage] = []
    sent: list[int] = []
    for person in people:
        user = session.get(User, person)
        if user is None or user.is_disabled:
            continue
        wanted = EmailMode.DAILY if digest else EmailMode.AT_ONCE
        if mode_of(session, person) != wanted:
            continue
        notifications = pending(session, person)
        if notifications:
            messages.append(compose(user, notifications, digest=digest))
            sent.extend(notification.id for notification in notifications)
    # No transaction open while the SMTP server answers (on SQLite it would hold the write lock).
    session.rollback()
    if not messages:
        return
    send(messages)
    session.execute(update(Notification).where(Notification.id.in_(sent)).values(emailed_at=utcnow()))


@handler(AT_ONCE_JOB)
def email_at_once(session: Session, job: Claimed) -> None:
    _deliver(session, [int(job.payload["user_id"])], digest=False)


@handler(DIGEST_JOB)
def email_digest(session: Session, _job: Claimed) -> None:
    people = list(
        session.scalars(
            select(NotificationSettings.user_id).where(NotificationSettings.email == EmailMode.DAILY)
        )
    )
    _deliver(session, people, digest=True)
