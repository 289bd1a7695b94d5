"""Who may do what: every permission of the app, named after what it allows.

Every view declares its access with :func:`public` or :func:`requires`; a view
that declares nothing is refused to everyone (see ``factcheck.security.gate``).
Operations call :func:`can` / :func:`require` too, so a rule holds even when
a button is hidden or a script calls the route directly.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from flask_babel import gettext as _

from factcheck.accounts.models import Role


class Permission(enum.StrEnum):
    # Signed in at all: account pages, logout.
    USE_ACCOUNT = "use_account"
    # Drafts, claims, sources, ratings, discussions.
    READ_DESK = "read_desk"
    # Create documents, claims, sources, comments; rate claims.
    CONTRIBUTE = "contribute"
    # Edit or delete anyone's source or comment (everyone may edit their own).
    EDIT_ANY_CONTRIBUTION = "edit_any_contribution"
    # Assign work, write verdicts, approve, publish, correct, retract.
    EDIT_VERDICTS = "edit_verdicts"
    EXPORT = "export"
    # The history of one claim.
    READ_CLAIM_HISTORY = "read_claim_history"
    # The audit log across the whole system.
    READ_AUDIT_LOG = "read_audit_log"
    # Users, roles, rating scale, organisation details.
    ADMINISTER = "administer"


# The least role holding each permission; roles are ordered, each includes the ones below.
MINIMUM_ROLE: dict[Permission, Role] = {
    Permission.USE_ACCOUNT: Role.REVIEWER,
    Permission.READ_DESK: Role.REVIEWER,
    Permission.CONTRIBUTE: Role.REVIEWER,
    Permission.EDIT_ANY_CONTRIBUTION: Role.EDITOR,
    Permission.EDIT_VERDICTS: Role.EDITOR,
    Permission.EXPORT: Role.REVIEWER,
    Permission.READ_CLAIM_HISTORY: Role.REVIEWER,
    Permission.READ_AUDIT_LOG: Role.EDITOR,
    Permission.ADMINISTER: Role.ADMIN,
}


class Actor(Protocol):
    """Anything that may act: a logged-in user, or Flask-Login's anonymous user."""

    is_authenticated: bool


class PermissionDenied(Exception):
    """Raised by operations when the actor may not do what was asked."""

    def __init__(self, permission: Permission | str, message: str | None = None) -> None:
        self.permission = permission
        super().__init__(
            message or _("you are not allowed to do this (%(permission)s)", permission=permission)
        )


def role_of(actor: Any) -> Role | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if getattr(actor, "is_disabled", False):
        return None
    return actor.role


def can(actor: Any, permission: Permission) -> bool:
    role = role_of(actor)
    return role is not None and role.rank >= MINIMUM_ROLE[permission].rank


def require(actor: Any, permission: Permission) -> None:
    if not can(actor, permission):
        raise PermissionDenied(permission)


def can_edit_contribution(actor: Any, author_id: int | None) -> bool:
    """A source or comment may be changed by its author, or by editors and admins."""
    if can(actor, Permission.EDIT_ANY_CONTRIBUTION):
        return True
    return can(actor, Permission.CONTRIBUTE) and author_id is not None and actor.id == author_id


# --- declaring access on views ---------------------------------------------

PUBLIC = "public"
ACCESS_ATTRIBUTE = "factcheck_access"

View = TypeVar("View", bound=Callable[..., Any])


def public(view: View) -> View:
    """Mark a view as readable by anyone, signed in or not."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def requires(permission: Permission) -> Callable[[View], View]:
    """Mark a view as needing a permission; the gate checks it before the view runs."""

    def mark(view: View) -> View:
        setattr(view, ACCESS_ATTRIBUTE, permission)
        return view

    return mark


def declared_access(view: Callable[..., Any] | None) -> Permission | str | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)
