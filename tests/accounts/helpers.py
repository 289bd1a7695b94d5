"""Small helpers for reading what the accounts pages render."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import LoginSession, User

SESSION_COOKIE = "factcheck_session"


def session_cookie(client: Any) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie else None


def login_sessions(db: Session, user: User) -> list[LoginSession]:
    """The user's login sessions as stored now, oldest first."""
    db.expire_all()
    return list(
        db.scalars(select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id))
    )


def stored_user(db: Session, user: User) -> User:
    """The user as stored now (after requests changed it in their own sessions)."""
    db.expire_all()
    fresh = db.get(User, user.id)
    assert fresh is not None
    return fresh
