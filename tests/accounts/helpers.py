"""Small helpers for reading what the accounts pages render."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import LoginSession, User

SESSION_COOKIE = "factcheck_session"


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def field_error(response: Any, field_id: str) -> str | None:
    """The error shown under a form field, as the reader sees it, or None."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', text(response), re.S)
    return html.unescape(match.group(1)).strip() if match else None


def csrf_token(response: Any) -> str:
    """The CSRF token of the first form on the page (or of the sign-out button)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(response))
    assert match, "no CSRF token on the page"
    return match.group(1)


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
