"""Account operations: create users, change roles, disable, authenticate.

Each takes a session (and, where someone acts, the actor), flushes and never
commits. They raise :class:`AccountError` with a message fit for the user.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from factcheck.accounts.models import LoginSession, Role, User
from factcheck.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from factcheck.db import utcnow
from factcheck.security import events
from factcheck.security.models import SecurityEventKind


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why, and
    ``field`` names the form field it is about (None: no one field)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(raw: str) -> str:
    """The canonical form of an email address, or AccountError if it is not one."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(_("Not a valid email address: %(problem)s", problem=exc), "email") from None
    return result.normalized.lower()


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise AccountError(
            _("Unknown role %(role)s; choose one of %(choices)s.", role=repr(raw), choices=choices), "role"
        ) from None


def find_user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(db: Session, *, email: str, name: str, password: str, role: Role) -> User:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise AccountError(_("A name is required."), "name")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, "password")
    if find_user_by_email(db, email) is not None:
        raise AccountError(_("A user with the email %(email)s already exists.", email=email), "email")
    user = User(email=email, name=name, password_hash=hash_password(password), role=role)
    db.add(user)
    db.flush()
    events.record(db, SecurityEventKind.USER_CREATED, subject_user_id=user.id, role=role.value)
    return user


def set_role(db: Session, user: User, role: Role, *, actor: User | None = None) -> None:
    if actor is not None and actor.id == user.id and role != user.role and user.role == Role.ADMIN:
        raise AccountError(_("You cannot remove your own admin role; ask another admin."))
    if user.role == Role.ADMIN and role != Role.ADMIN:
        _keep_one_admin(db, user)
    if role == user.role:
        return
    events.record(
        db, SecurityEventKind.ROLE_CHANGED, subject_user_id=user.id, old=user.role.value, new=role.value
    )
    user.role = role
    db.flush()


def set_disabled(db: Session, user: User, disabled: bool, *, actor: User | None = None) -> None:
    if disabled and actor is not None and actor.id == user.id:
        raise AccountError(_("You cannot disable your own account."))
    if disabled and user.role == Role.ADMIN:
        _keep_one_admin(db, user)
    if disabled == user.is_disabled:
        return
    kind = SecurityEventKind.USER_DISABLED if disabled else SecurityEventKind.USER_ENABLED
    events.record(db, kind, subject_user_id=user.id)
    user.is_disabled = disabled
    if disabled:
        end_all_sessions(db, user)
    db.flush()


def set_password(db: Session, user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, "password")
    user.password_hash = hash_password(password)
    user.must_change_password = False
    end_all_sessions(db, user)
    events.record(db, SecurityEventKind.PASSWORD_CHANGED, subject_user_id=user.id)
    db.flush()


def require_password_change(db: Session, user: User) -> None:
    """An admin's forced reset: the person must set a new password at their next sign-in.

    Their open sessions end now, so the next request of any of them is that sign-in. The
    change to the user is in the audit history, attributed to the admin.
    """
    if user.must_change_password:
        return
    user.must_change_password = True
    end_all_sessions(db, user)
    db.flush()


def _keep_one_admin(db: Session, leaving: User) -> None:
    # Lock the other admins' rows (PostgreSQL) so two admins cannot demote each other at once.
    others = db.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.is_disabled.is_(False), User.id != leaving.id)
        .with_for_update()
    ).all()
    if not others:
        raise AccountError(_("This is the last active admin; make someone else an admin first."))


def authenticate(db: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same cost either way)."""
    user = find_user_by_email(db, email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or user.is_disabled:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def has_signed_in_from(db: Session, email: str, ip_address: str | None, *, days: int) -> bool:
    """Whether the account with this email signed in from this address within ``days`` days.

    Such an address is the owner's: the account-wide sign-in throttle spares it, so failures
    a stranger causes elsewhere do not lock the owner out.
    """
    if not ip_address or days <= 0 or "\x00" in email:
        return False  # (PostgreSQL refuses NUL in a query parameter; no account has one)
    found = db.scalar(
        select(LoginSession.id)
        .join(LoginSession.user)
        .where(
            User.email == email.strip().lower(),
            LoginSession.ip_address == ip_address,
            LoginSession.created_at >= utcnow() - timedelta(days=days),
        )
        .limit(1)
    )
    return found is not None


# --- login sessions ----------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    record: LoginSession
    # The secret for the cookie; only its hash is stored.
    token: str


def start_session(
    db: Session,
    user: User,
    *,
    hours: int,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> StartedSession:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = LoginSession(
        user=user,
        token_hash=_token_hash(token),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
        ip_address=ip_address,
        user_agent=(user_agent or "")[:255] or None,
    )
    user.last_login_at = now
    db.add(record)
    db.flush()
    return StartedSession(record, token)


def load_session(db: Session, token: str) -> LoginSession | None:
    """The open, unexpired session of an active user for this cookie token, or None."""
    record = db.scalar(
        select(LoginSession).where(LoginSession.token_hash == _token_hash(token)).join(LoginSession.user)
    )
    if record is None or record.ended_at is not None or record.expires_at <= utcnow():
        return None
    if record.user.is_disabled:
        return None
    return record


def end_session(db: Session, record: LoginSession) -> None:
    if record.ended_at is None:
        record.ended_at = utcnow()
        db.flush()


def end_all_sessions(db: Session, user: User) -> None:
    db.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
