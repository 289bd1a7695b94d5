"""Accounts: users, their login sessions and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, false
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factcheck.db import Base, Timestamps, UTCDateTime, str_enum, utcnow


class Role(enum.StrEnum):
    """Roles in increasing order of power; each includes the ones before it."""

    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self.value])


# The roles' names in the page's language (lazy: forms build their choices at import).
ROLE_LABELS = {"reviewer": _l("Reviewer"), "editor": _l("Editor"), "admin": _l("Admin")}


class User(Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (accounts.operations.normalise_email), so unique means case-insensitively unique.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), default=Role.REVIEWER)
    # A disabled account cannot log in and loses its open sessions.
    is_disabled: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by an admin: the person must choose a new password before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The desk's language the person chose (factcheck/web/i18n.py LANGUAGES); None: the browser's.
    language: Mapped[str | None] = mapped_column(String(16))

    login_sessions: Mapped[list[LoginSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # What Flask-Login needs. The id it keeps in the cookie is the login
    # session's secret token, not the user id, so ending the login session
    # invalidates the cookie (see accounts.operations.start_session).
    login_token = None
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    def get_id(self) -> str | None:
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class LoginSession(Base):
    """One browser login. The cookie holds a random token; we keep its hash.

    Logging out ends the row, so a copied or replayed cookie is worthless
    afterwards; disabling a user ends all of them.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(back_populates="login_sessions")


class TokenScope(enum.StrEnum):
    """What an API token may do: read only, or read and write."""

    READ = "read"
    WRITE = "write"


class ApiToken(Base):
    """A per-user token for the JSON API (factcheck/api/tokens.py); only its hash is stored.

    ``prefix`` (``fct_`` and 8 characters) begins the token itself and names it in
    lists, the history and the command line; it is not a secret and finds nothing alone.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # None only for tokens stored before prefixes existed (revision 0011).
    prefix: Mapped[str | None] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[TokenScope] = mapped_column(
        str_enum(TokenScope, "api_token_scope"), default=TokenScope.READ, server_default=sql_text("'read'")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Never written: a use is recorded in api_token_uses (see ApiTokenUse). The column stays
    # where revision 0001 put it, so that a downgrade past 0011 restores the schema exactly.
    unused_last_used_at: Mapped[datetime | None] = mapped_column("last_used_at", UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: the token never expires.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_tokens")
    use: Mapped[ApiTokenUse | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    @property
    def last_used_at(self) -> datetime | None:
        return self.use.last_used_at if self.use is not None else None


class ApiTokenUse(Base):
    """When a token was last used. Kept apart from ``api_tokens`` and out of the audit
    history (like login sessions): a use is not a change anyone makes, and writing it
    must not add a changeset to every API request (factcheck/api/tokens.py writes it
    at most once a minute per token)."""

    __tablename__ = "api_token_uses"

    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime)
