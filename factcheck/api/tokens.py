"""API tokens: made, listed, revoked, and checked on every API request.

A token is ``fct_`` + 8 lowercase letters or digits (the *prefix*, which names the
token in lists, the history and ``factcheck tokens revoke``) + ``_`` + 43
characters of a 32-byte random secret. Only the SHA-256 of the whole token is
stored: a high-entropy secret needs no slow hash, and the database never holds
anything that would let someone use the token. The token itself is shown once.

Creating and revoking a token are audited writes like any other (the audit
history hides ``token_hash``); using it is not: the time of the last use goes to
the unaudited ``api_token_uses``, written at most once a minute per token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from factcheck.accounts.models import ApiToken, ApiTokenUse, TokenScope, User
from factcheck.db import utcnow
from factcheck.security.permissions import Permission, PermissionDenied, can, require

TOKEN_PREFIX = "fct_"  # noqa: S105 - the recognisable start of every token, not a secret
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_PREFIX_LENGTH = 8
TOKEN_PATTERN = re.compile(r"(fct_[a-z0-9]{8})_[A-Za-z0-9_-]{43}")
MAX_NAME_LENGTH = 120
# Longest lifetime that may be asked for, in days (about ten years; no expiry is also allowed).
MAX_EXPIRY_DAYS = 3650
# A use is written when the stored one is older than this.
USE_RECORDED_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token request the rules refuse; ``field`` names the form field to show the message on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass
class NewToken:
    """A token just made: the stored record, and the token itself (shown once, never stored)."""

    record: ApiToken
    token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_prefix() -> str:
    return TOKEN_PREFIX + "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(_PREFIX_LENGTH))


def create_token(
    db: Session,
    actor: Any,
    user: User,
    *,
    name: str | None,
    scope: TokenScope | str,
    expires_in_days: int | None = None,
) -> NewToken:
    """A new token for ``user``. People make their own; admins may make one for anyone.

    Raises PermissionDenied, or TokenError for a bad name, scope or expiry.
    """
    require(actor, Permission.USE_ACCOUNT)
    if actor.id != user.id and not can(actor, Permission.ADMINISTER):
        raise PermissionDenied(Permission.ADMINISTER, "only admins may make tokens for other people")
    return issue_token(db, user, name=name, scope=scope, expires_in_days=expires_in_days)


def issue_token(
    db: Session, user: User, *, name: str | None, scope: TokenScope | str, expires_in_days: int | None = None
) -> NewToken:
    """A new token for ``user``, with no permission check: for :func:`create_token` and the
    command line (whoever runs it runs the server). Raises TokenError."""
    if user.is_disabled:
        raise TokenError("user", f"{user.email}'s account is disabled; it cannot have a new token.")
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError("name", f"The name is longer than {MAX_NAME_LENGTH} characters.")
    try:
        scope = TokenScope(scope)
    except ValueError:
        raise TokenError("scope", "The scope is read or write.") from None
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise TokenError("expires_in_days", f"Give a number of days from 1 to {MAX_EXPIRY_DAYS}.")
        expires_at = utcnow() + timedelta(days=expires_in_days)
    prefix = _new_prefix()
    while db.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is not None:
        prefix = _new_prefix()
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiToken(
        user_id=user.id,
        name=name or f"{scope.value} token",
        prefix=prefix,
        token_hash=token_hash(token),
        scope=scope,
        expires_at=expires_at,
    )
    db.add(record)
    db.flush()
    return NewToken(record, token)


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, with their last use."""
    return list(
        db.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .options(selectinload(ApiToken.use))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def token_by_prefix(db: Session, prefix: str) -> ApiToken | None:
    return db.scalar(select(ApiToken).where(ApiToken.prefix == prefix.strip()))


def revoke_token(db: Session, actor: Any, token: ApiToken) -> bool:
    """Revoke the token at once. Its owner or an admin may. Returns False if it was already revoked."""
    require(actor, Permission.USE_ACCOUNT)
    if actor.id != token.user_id and not can(actor, Permission.ADMINISTER):
        raise PermissionDenied(Permission.ADMINISTER, "only the token's owner or an admin may revoke it")
    return revoke(db, token)


def revoke(db: Session, token: ApiToken) -> bool:
    """Revoke the token with no permission check (the command line). False if already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.flush()
    return True


def status_of(token: ApiToken, now: datetime | None = None) -> str:
    """active, expired, revoked, or "account disabled" (what the lists show)."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    if token.user.is_disabled:
        return "account disabled"
    return "active"


# --- checking a request's token ---------------------------------------------------


class TokenRefused(Exception):
    """Why a presented token does not authenticate (for the 401's detail)."""


def authenticate(db: Session, presented: str) -> ApiToken:
    """The live token ``presented`` is, with its user loaded. Raises TokenRefused.

    A disabled user's tokens stop at once: the user is read with the token on
    every request, never cached.
    """
    if not TOKEN_PATTERN.fullmatch(presented):
        raise TokenRefused("The token is not a factcheck API token.")
    # One query: the token, its user and its last use.
    token = db.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == token_hash(presented))
        .options(joinedload(ApiToken.user), joinedload(ApiToken.use))
    )
    if token is None:
        raise TokenRefused("The token is not known.")
    if token.user.is_disabled:
        raise TokenRefused("The token's account is disabled.")
    state = status_of(token)
    if state != "active":
        raise TokenRefused(f"The token {token.prefix} is {state}.")
    return token


def record_use(db: Session, token_id: int, last_known: datetime | None) -> None:
    """Write when the token was used, unless a use less than a minute ago is already stored.

    Best effort and cheap: one UPDATE (or one INSERT the first time), in its own
    transaction after the response, never a changeset.
    """
    now = utcnow()
    if last_known is not None and now - last_known < USE_RECORDED_EVERY:
        return
    updated = db.execute(
        update(ApiTokenUse).where(ApiTokenUse.token_id == token_id).values(last_used_at=now)
    ).rowcount
    if not updated:
        db.add(ApiTokenUse(token_id=token_id, last_used_at=now))
    db.flush()
