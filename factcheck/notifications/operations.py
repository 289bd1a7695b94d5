"""Following by hand, reading notifications, and the e-mail setting: plain functions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.notifications.models import EmailMode, Follow, Notification, NotificationSettings
from factcheck.security.permissions import Permission, require

# The notifications page shows this many, newest first.
PAGE_SIZE = 100


def is_following(session: Session, user_id: int, claim_id: int) -> bool:
    return (
        session.scalar(select(Follow.id).where(Follow.claim_id == claim_id, Follow.user_id == user_id))
        is not None
    )


def follow(session: Session, actor: Any, claim: Claim) -> bool:
    """Follow the claim; returns False when already following."""
    require(actor, Permission.READ_DESK)
    if is_following(session, actor.id, claim.id):
        return False
    session.add(Follow(claim=claim, user_id=actor.id))
    session.flush()
    return True


def unfollow(session: Session, actor: Any, claim: Claim) -> bool:
    """Stop following the claim (until one is assigned, rates, comments or is mentioned again)."""
    require(actor, Permission.READ_DESK)
    row = session.scalar(select(Follow).where(Follow.claim_id == claim.id, Follow.user_id == actor.id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def latest(session: Session, user_id: int, limit: int = PAGE_SIZE) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, user_id: int, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications read, or all of them; returns how many changed."""
    where = [Notification.user_id == user_id, Notification.read_at.is_(None)]
    if notification_id is not None:
        where.append(Notification.id == notification_id)
    result = session.execute(
        update(Notification)
        .where(*where)
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def email_mode(session: Session, user_id: int) -> EmailMode:
    settings = session.get(NotificationSettings, user_id)
    return settings.email if settings is not None else EmailMode.AT_ONCE


def set_email_mode(session: Session, actor: Any, mode: EmailMode | str) -> EmailMode:
    """Choose how one's own notifications come by e-mail (audited like any setting)."""
    require(actor, Permission.USE_ACCOUNT)
    chosen = EmailMode(mode)
    settings = session.get(NotificationSettings, actor.id)
    if settings is None:
        session.add(NotificationSettings(user_id=actor.id, email=chosen))
    elif settings.email != chosen:
        settings.email = chosen
    session.flush()
    return chosen
