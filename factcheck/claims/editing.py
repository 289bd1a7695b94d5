"""Changing a claim after capture: its wording, claimant, dates, tags and assignees.

Anyone on the desk may edit a claim until it is ready; once an editor has
approved it (ready) or it is published, only editors and admins may change
what it says. Tags are free words anyone on the desk may add or remove.
Assigning people is an editor's job; everyone on the desk sees who is assigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.audit.models import AuditChange
from factcheck.claims.models import Assignment, Claim, ClaimantKind, ClaimState, Tag
from factcheck.security.permissions import Permission, PermissionDenied, can, require
from factcheck.web.conflicts import EditConflict, check_version

MAX_TEXT_LENGTH = 5000
MAX_CLAIMANT_LENGTH = 200
# Tag.name holds 80 characters.
MAX_TAG_LENGTH = 80

# The claim's columns the edit form writes; a concurrent change to any other
# column (a workflow step, say) does not make an edit conflict.
EDITED_COLUMNS = frozenset({"text", "claimant", "claimant_kind", "claimed_on", "review_by"})
# States whose claims only editors may reword.
APPROVED_STATES = frozenset({ClaimState.READY, ClaimState.PUBLISHED})


class ClaimEditError(ValueError):
    """An edit the rules refuse; ``field`` names the form field to show the message on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass
class ClaimValues:
    """What the edit form holds."""

    text: str
    claimant: str
    claimed_on: date | None = None
    review_by: date | None = None
    # None keeps the claim's kind (a form or client that does not send one); a new claim's is unknown.
    claimant_kind: ClaimantKind | None = None

    def checked(self) -> dict[str, Any]:
        """The values as columns; raises ClaimEditError for a missing or overlong wording or claimant."""
        text = (self.text or "").strip()
        claimant = (self.claimant or "").strip()
        if not text:
            raise ClaimEditError("text", _("Give the claim's wording."))
        if len(text) > MAX_TEXT_LENGTH:
            raise ClaimEditError(
                "text", _("The wording is longer than %(max)d characters.", max=MAX_TEXT_LENGTH)
            )
        if not claimant:
            raise ClaimEditError("claimant", _("Say who made the claim."))
        if len(claimant) > MAX_CLAIMANT_LENGTH:
            raise ClaimEditError(
                "claimant", _("The claimant is longer than %(max)d characters.", max=MAX_CLAIMANT_LENGTH)
            )
        checked: dict[str, Any] = {
            "text": text,
            "claimant": claimant,
            "claimed_on": self.claimed_on,
            "review_by": self.review_by,
        }
        if self.claimant_kind is not None:
            checked["claimant_kind"] = ClaimantKind(self.claimant_kind)
        return checked


def can_edit_claim(actor: Any, claim: Claim) -> bool:
    if claim.state in APPROVED_STATES:
        return can(actor, Permission.EDIT_VERDICTS)
    return can(actor, Permission.CONTRIBUTE)


def require_can_edit_claim(actor: Any, claim: Claim) -> None:
    require(actor, Permission.CONTRIBUTE)
    if not can_edit_claim(actor, claim):
        raise PermissionDenied(
            Permission.EDIT_VERDICTS,
            _(
                "The claim is %(state)s: only editors and admins may change it now.",
                state=claim.state.label.lower(),
            ),
        )


def columns_changed_since(db: Session, claim: Claim, version: int) -> set[str] | None:
    """The claim's columns changed by the saves that took it past ``version``,
    read from the audit history; None when the history does not account for
    every version in between (then anything may have changed)."""
    rows = db.scalars(
        select(AuditChange)
        .where(
            AuditChange.claim_id == claim.id,
            AuditChange.table_name == "claims",
            AuditChange.operation == "UPDATE",
        )
        .order_by(AuditChange.id)
    )
    changed: set[str] = set()
    seen: set[int] = set()
    for change in rows:
        if change.row_key != {"id": claim.id}:
            continue
        new_version = (change.changes.get("version") or [None, None])[1]
        if new_version is None or new_version <= version:
            continue
        seen.add(int(new_version))
        changed.update(change.changes)
    if not set(range(version + 1, claim.version + 1)) <= seen:
        return None
    return changed


def check_claim_version(db: Session, claim: Claim, based_on: int | None) -> None:
    """Raise EditConflict if someone changed what the edit form shows since version ``based_on``.

    A claim that only moved through the workflow meanwhile is not a conflict:
    the form does not write the state.
    """
    try:
        check_version(claim, based_on)
    except EditConflict:
        if based_on is None or int(based_on) > claim.version:
            raise
        changed = columns_changed_since(db, claim, int(based_on))
        if changed is None or changed & EDITED_COLUMNS:
            raise


def edit_claim(db: Session, actor: Any, claim: Claim, values: ClaimValues, *, based_on: int | None) -> bool:
    """Save the claim's wording, claimant and its kind, claim date and review-by date.

    Returns whether anything changed. Raises PermissionDenied (see
    :func:`can_edit_claim`), ClaimEditError for invalid values, EditConflict
    when someone else changed these fields since version ``based_on``.
    """
    require_can_edit_claim(actor, claim)
    checked = values.checked()
    check_claim_version(db, claim, based_on)
    changed = False
    for name, value in checked.items():
        if getattr(claim, name) != value:
            setattr(claim, name, value)
            changed = True
    db.flush()
    return changed


# --- tags ----------------------------------------------------------------------


def normalise_tag(name: str | None) -> str:
    """A tag as stored: trimmed, inner spaces collapsed, lower case.

    Raises ClaimEditError for an empty or overlong tag.
    """
    cleaned = " ".join((name or "").split()).lower()
    if not cleaned:
        raise ClaimEditError("name", _("Type a tag."))
    if len(cleaned) > MAX_TAG_LENGTH:
        raise ClaimEditError("name", _("A tag is at most %(max)d characters long.", max=MAX_TAG_LENGTH))
    return cleaned


def _tag_named(db: Session, name: str) -> Tag:
    """The tag with this name, created if new (safe when two people create it at once)."""
    tag = db.scalar(select(Tag).where(Tag.name == name))
    if tag is not None:
        return tag
    try:
        with db.begin_nested():
            tag = Tag(name=name)
            db.add(tag)
    except IntegrityError:
        # Someone else created it in the meantime.
        tag = db.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            raise
    return tag


def add_tag(db: Session, actor: Any, claim: Claim, name: str | None) -> Tag:
    """Tag the claim (creating the tag if it is new). Adding a tag it has is a no-op."""
    require(actor, Permission.CONTRIBUTE)
    tag = _tag_named(db, normalise_tag(name))
    if tag not in claim.tags:
        claim.tags.append(tag)
    db.flush()
    return tag


def remove_tag(db: Session, actor: Any, claim: Claim, tag: Tag) -> bool:
    """Take the tag off the claim (the tag stays for other claims). Returns whether it was on it."""
    require(actor, Permission.CONTRIBUTE)
    if tag not in claim.tags:
        return False
    claim.tags.remove(tag)
    db.flush()
    return True


# --- assignments ---------------------------------------------------------------


class AssignmentError(ValueError):
    """An assignment the rules refuse, with a message for the person."""


def assignable_users(db: Session, claim: Claim) -> list[User]:
    """Active people not yet assigned to the claim, by name."""
    assigned = {assignment.user_id for assignment in claim.assignments}
    users = db.scalars(select(User).where(User.is_disabled.is_(False)).order_by(User.name, User.id))
    return [user for user in users if user.id not in assigned]


def assign(db: Session, actor: Any, claim: Claim, user_id: int | None) -> Assignment:
    """Ask a person to work on the claim. Editors and admins only; active accounts only."""
    require(actor, Permission.EDIT_VERDICTS)
    user = db.get(User, user_id) if user_id is not None else None
    if user is None:
        raise AssignmentError(_("Choose a person to assign."))
    if user.is_disabled:
        raise AssignmentError(_("%(name)s's account is disabled; they cannot be assigned.", name=user.name))
    if any(assignment.user_id == user.id for assignment in claim.assignments):
        raise AssignmentError(_("%(name)s is already assigned.", name=user.name))
    assignment = Assignment(user=user, assigned_by_id=actor.id)
    claim.assignments.append(assignment)
    db.flush()
    return assignment


def unassign(db: Session, actor: Any, claim: Claim, user_id: int) -> bool:
    """Take a person off the claim. Editors and admins only. Returns whether they were assigned."""
    require(actor, Permission.EDIT_VERDICTS)
    for assignment in claim.assignments:
        if assignment.user_id == user_id:
            claim.assignments.remove(assignment)
            db.flush()
            return True
    return False
