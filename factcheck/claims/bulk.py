"""Bulk actions on the claim list: assign, tag, move or dismiss many claims at once.

Each claim goes through the same operation as on its own page (so the same
rules and permissions hold), in a savepoint of its own: a claim the rules
refuse is reported with why, and leaves nothing behind, while the others go
ahead. Each claim's change is sealed as a changeset of its own, all with the
same reason, so the audit history of every claim reads as if it had been
changed on its page.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.audit import changesets
from factcheck.claims import editing, workflow
from factcheck.claims.models import Claim, ClaimState
from factcheck.security.permissions import Permission, PermissionDenied, require

# Most claims one bulk action takes: a page of the list.
MAX_CLAIMS = 50


class BulkAction(enum.StrEnum):
    ASSIGN = "assign"
    TAG = "tag"
    MOVE = "move"
    DISMISS = "dismiss"

    @property
    def label(self) -> str:
        return str(_ACTION_LABELS[self])

    @property
    def lazy_label(self) -> LazyString:
        """The label translated when shown: for choices built when a module is imported."""
        return _ACTION_LABELS[self]

    @property
    def permission(self) -> Permission:
        """What the action needs on its own page: assigning is an editor's job, the rest anyone's on the desk."""
        return Permission.EDIT_VERDICTS if self == BulkAction.ASSIGN else Permission.CONTRIBUTE


_ACTION_LABELS = {
    BulkAction.ASSIGN: _l("Assign to"),
    BulkAction.TAG: _l("Tag with"),
    BulkAction.MOVE: _l("Move to"),
    BulkAction.DISMISS: _l("Dismiss"),
}


class BulkError(ValueError):
    """A bulk request that cannot start (nothing chosen, a reason missing); a message for the person."""


@dataclass(frozen=True)
class BulkRequest:
    action: BulkAction
    claim_ids: Sequence[int]
    # Given to every claim's changeset, and as the dismissal reason or the move's comment.
    reason: str | None = None
    # The person to assign, the tag to add, the state to move to.
    user_id: int | None = None
    tag: str | None = None
    to_state: ClaimState | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one claim."""

    claim_id: int
    claim: Claim | None
    done: bool
    message: str


def _describe(request: BulkRequest) -> str:
    """The changeset reason when the person gave none: what the bulk action did.
    Stored in the audit history, so in English whatever the page's language."""
    with force_locale("en"):
        return _describe_in_english(request)


def _describe_in_english(request: BulkRequest) -> str:
    if request.action == BulkAction.ASSIGN:
        return "Bulk action: assigned"
    if request.action == BulkAction.TAG:
        return f"Bulk action: tagged “{request.tag}”"
    if request.action == BulkAction.MOVE and request.to_state is not None:
        return f"Bulk action: moved to {request.to_state.label}"
    return "Bulk action: dismissed"


def _check(request: BulkRequest) -> None:
    if not request.claim_ids:
        raise BulkError(_("Choose at least one claim."))
    if len(request.claim_ids) > MAX_CLAIMS:
        raise BulkError(_("Choose at most %(max)d claims at a time.", max=MAX_CLAIMS))
    if request.action == BulkAction.ASSIGN and request.user_id is None:
        raise BulkError(_("Choose a person to assign."))
    if request.action == BulkAction.TAG and not (request.tag or "").strip():
        raise BulkError(_("Type a tag."))
    if request.action == BulkAction.MOVE and request.to_state is None:
        raise BulkError(_("Choose where to move the claims."))
    if request.action == BulkAction.DISMISS and not (request.reason or "").strip():
        raise BulkError(_("Give a reason for dismissing the claims."))
    if len(request.reason or "") > workflow.MAX_COMMENT_LENGTH:
        raise BulkError(_("The reason is longer than %(max)d characters.", max=workflow.MAX_COMMENT_LENGTH))


def _step(db: Session, actor: Any, request: BulkRequest) -> Callable[[Claim], str]:
    """The single-claim operation the action runs, returning what it did."""
    reason = (request.reason or "").strip() or None

    def assign(claim: Claim) -> str:
        assignment = editing.assign(db, actor, claim, request.user_id)
        return _("Assigned %(name)s.", name=assignment.user.name)

    def tag(claim: Claim) -> str:
        had = {existing.name for existing in claim.tags}
        added = editing.add_tag(db, actor, claim, request.tag)
        return (
            _("Already tagged “%(tag)s”.", tag=added.name)
            if added.name in had
            else _("Tagged “%(tag)s”.", tag=added.name)
        )

    def move(claim: Claim) -> str:
        target = request.to_state or claim.state
        step = workflow.transition(db, claim, actor, target, reason)
        return _("Moved to %(state)s.", state=step.to_state.label)

    def dismiss(claim: Claim) -> str:
        workflow.transition(db, claim, actor, ClaimState.DISMISSED, reason)
        return _("Dismissed.")

    return {
        BulkAction.ASSIGN: assign,
        BulkAction.TAG: tag,
        BulkAction.MOVE: move,
        BulkAction.DISMISS: dismiss,
    }[request.action]


def _sentence(message: str) -> str:
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else message + "."


def apply(db: Session, actor: Any, request: BulkRequest) -> list[Outcome]:
    """Apply the action to each chosen claim, in the order chosen; flushes, never commits.

    Raises PermissionDenied when the actor may not take the action at all (a
    reviewer assigning), BulkError when the request cannot start. Otherwise
    every claim gets an :class:`Outcome`: done, or refused with the rule's
    message (a claim that does not exist is refused too).
    """
    require(actor, request.action.permission)
    _check(request)
    reason = (request.reason or "").strip() or _describe(request)
    step = _step(db, actor, request)
    ids = list(dict.fromkeys(request.claim_ids))
    found = {claim.id: claim for claim in db.scalars(select(Claim).where(Claim.id.in_(ids)))}
    audit_actor = changesets.get_actor(db)
    outcomes = []
    for claim_id in ids:
        claim = found.get(claim_id)
        if claim is None:
            outcomes.append(Outcome(claim_id, None, False, _("There is no such claim.")))
            continue
        try:
            with db.begin_nested():
                changesets.set_reason(db, reason)
                message = step(claim)
        except (workflow.WorkflowError, editing.ClaimEditError, editing.AssignmentError) as exc:
            outcomes.append(Outcome(claim_id, claim, False, _sentence(str(exc))))
            continue
        except PermissionDenied as exc:
            outcomes.append(Outcome(claim_id, claim, False, _sentence(str(exc))))
            continue
        # Seal this claim's changeset now, so the next claim's changes get one of their own.
        changesets.set_actor(db, audit_actor)
        outcomes.append(Outcome(claim_id, claim, True, message))
    return outcomes
