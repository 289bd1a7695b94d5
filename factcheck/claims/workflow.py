"""The workflow of a claim: which state it may move to, who may move it, and what it needs.

The moves are data (:data:`MOVES`); :func:`allowed_transitions` says for each
move out of the claim's state whether the actor may take it now or why not, and
:func:`transition` takes a move, enforcing the same rules (a hidden button is not
a rule) and recording it as a :class:`~factcheck.claims.models.ClaimTransition`.

The rules (docs/PRODUCT.md, "Workflow"):

- forward one step at a time: new → researching → in_review → ready → published;
- back one step, so editors can send work back: researching → new,
  in_review → researching, ready → in_review;
- new, researching and in_review may be dismissed, with a reason; a dismissed
  claim goes back to the state it was dismissed from;
- moving to ready needs a source, at least ``MIN_RATINGS`` ratings and a verdict
  with a label and a headline;
- only editors and admins move a claim to or from ready;
- publishing (ready → published) needs an editor or admin who is not the
  verdict's sole author (the four-eyes rule, config ``FOUR_EYES``). This module
  says whether it is open (:func:`publish_blockers`), but the move is taken only
  by :func:`factcheck.publishing.operations.publish`, which also freezes the
  publication; :func:`transition` refuses it and points there.

Every move, wherever it is taken, is recorded by :func:`record_move`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

import config
from factcheck.claims.models import Claim, ClaimState, ClaimTransition
from factcheck.security.permissions import Permission, can, require
from factcheck.webhooks import events as webhook_events

NEW = ClaimState.NEW
RESEARCHING = ClaimState.RESEARCHING
IN_REVIEW = ClaimState.IN_REVIEW
READY = ClaimState.READY
PUBLISHED = ClaimState.PUBLISHED
DISMISSED = ClaimState.DISMISSED

# Longest transition comment or dismissal reason accepted.
MAX_COMMENT_LENGTH = 2000

# Why transition() refuses ready → published: publishing freezes what readers see, so it has its own page.
PUBLISH_ELSEWHERE = _l("a claim is published from its Publish page, which shows first what readers will see")


@dataclass(frozen=True)
class Move:
    """One kind of step in the workflow."""

    start: ClaimState
    end: ClaimState
    # What the button says (translated when shown).
    label: LazyString
    # Dismissing needs a reason (stored on the claim and as the transition's comment).
    needs_reason: bool = False
    # The endpoint of the page that takes this move, for a move that belongs to another
    # feature (its route takes ``claim_id``); None for a move taken by :func:`transition`.
    taken_by: str | None = None

    @property
    def taken_here(self) -> bool:
        return self.taken_by is None

    @property
    def editors_only(self) -> bool:
        """Ready is the editors' gate: only they move a claim into it or out of it."""
        return READY in (self.start, self.end)

    @property
    def is_restore(self) -> bool:
        return self.start == DISMISSED


MOVES: tuple[Move, ...] = (
    Move(NEW, RESEARCHING, _l("Start research")),
    Move(RESEARCHING, IN_REVIEW, _l("Send to review")),
    Move(IN_REVIEW, READY, _l("Mark ready")),
    Move(READY, PUBLISHED, _l("Publish"), taken_by="publishing.publish"),
    Move(RESEARCHING, NEW, _l("Back to new")),
    Move(IN_REVIEW, RESEARCHING, _l("Back to research")),
    Move(READY, IN_REVIEW, _l("Send back to review")),
    Move(NEW, DISMISSED, _l("Dismiss"), needs_reason=True),
    Move(RESEARCHING, DISMISSED, _l("Dismiss"), needs_reason=True),
    Move(IN_REVIEW, DISMISSED, _l("Dismiss"), needs_reason=True),
    # Back to where it was dismissed from; only the one matching the last dismissal applies.
    Move(DISMISSED, NEW, _l("Restore to New")),
    Move(DISMISSED, RESEARCHING, _l("Restore to Researching")),
    Move(DISMISSED, IN_REVIEW, _l("Restore to In review")),
)


class WorkflowError(Exception):
    """A move the workflow refuses; the message is meant for the person who asked.

    ``forbidden`` is True when the actor's role is what blocks it (a reviewer
    asking for an editor's move), False when the claim is not ready for it.
    """

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        self.forbidden = forbidden
        super().__init__(message)


@dataclass(frozen=True)
class TransitionOption:
    """A move out of the claim's current state, as seen by one actor."""

    move: Move
    # Why the actor cannot take it now; empty when they can.
    blocked_by: tuple[str, ...] = ()
    # True when the actor's role (not the claim) blocks it.
    forbidden: bool = False

    @property
    def to_state(self) -> ClaimState:
        return self.move.end

    @property
    def ok(self) -> bool:
        return not self.blocked_by

    @property
    def reason(self) -> str | None:
        """The blocked message, e.g. "needs 2 ratings, has 1"; None when allowed."""
        return "; ".join(self.blocked_by) or None

    @property
    def label(self) -> str:
        return str(self.move.label)

    @property
    def needs_reason(self) -> bool:
        return self.move.needs_reason

    @property
    def taken_by(self) -> str | None:
        """The endpoint of the page that takes the move, when it is not a plain workflow step."""
        return self.move.taken_by


def configured_min_ratings() -> int:
    """MIN_RATINGS of the running app, or the default outside one."""
    if has_app_context():
        return int(current_app.config.get("MIN_RATINGS", config.DefaultConfig.MIN_RATINGS))
    return config.DefaultConfig.MIN_RATINGS


def configured_four_eyes() -> bool:
    """FOUR_EYES of the running app, or the default outside one."""
    if has_app_context():
        return bool(current_app.config.get("FOUR_EYES", config.DefaultConfig.FOUR_EYES))
    return config.DefaultConfig.FOUR_EYES


def dismissed_from(claim: Claim) -> ClaimState:
    """The state a dismissed claim was in before its last dismissal (new if unknown)."""
    for step in reversed(claim.transitions):
        if step.to_state == DISMISSED:
            return step.from_state or NEW
    return NEW


def ready_blockers(claim: Claim, min_ratings: int) -> list[str]:
    """What the claim still needs before it can be ready; empty when nothing."""
    missing = []
    if not claim.sources:
        missing.append(_("needs at least one source"))
    ratings = len(claim.ratings)
    if ratings < min_ratings:
        missing.append(
            ngettext(
                "needs %(num)d rating, has %(has)d",
                "needs %(num)d ratings, has %(has)d",
                min_ratings,
                has=ratings,
            )
        )
    verdict = claim.verdict
    has_label = verdict is not None and verdict.label_id is not None
    has_headline = verdict is not None and bool((verdict.headline or "").strip())
    if not has_label and not has_headline:
        missing.append(_("needs a verdict with a label and a headline"))
    elif not has_label:
        missing.append(_("the verdict needs a label"))
    elif not has_headline:
        missing.append(_("the verdict needs a headline"))
    return missing


def verdict_writers(claim: Claim) -> set[int]:
    """The people known to have written the claim's verdict: its author and whoever changed it last."""
    verdict = claim.verdict
    if verdict is None:
        return set()
    return {person for person in (verdict.author_id, verdict.updated_by_id) if person is not None}


def four_eyes_blocker(claim: Claim, actor: Any) -> str | None:
    """Why the four-eyes rule stops ``actor`` publishing the claim's verdict; None when it does not.

    The actor is the verdict's sole author when every person known to have
    written it (:func:`verdict_writers`: its author and its last editor) is
    the actor. A verdict written by one person and changed by another has been
    through two pairs of hands, so either may publish it; a verdict with no
    known writer (accounts deleted, imported records) has no sole author.
    """
    writers = verdict_writers(claim)
    if writers and writers == {getattr(actor, "id", None)}:
        return _(
            "you wrote this verdict alone, and the four-eyes rule says its author may not publish it: "
            "another editor or admin must read it and publish it"
        )
    return None


def publish_blockers(claim: Claim, actor: Any, *, four_eyes: bool) -> list[str]:
    """What stops ``actor`` publishing the claim now; empty when nothing.

    The claim's state is not checked here (only a ready claim is offered the move).
    """
    blockers = []
    if not can(actor, Permission.EDIT_VERDICTS):
        blockers.append(_("only editors and admins can publish"))
    verdict = claim.verdict
    if verdict is None or verdict.label_id is None:
        blockers.append(_("the verdict needs a label"))
    if verdict is None or not (verdict.headline or "").strip():
        blockers.append(_("the verdict needs a headline"))
    if four_eyes and can(actor, Permission.EDIT_VERDICTS):
        blocker = four_eyes_blocker(claim, actor)
        if blocker:
            blockers.append(blocker)
    return blockers


def _role_blocker(move: Move, actor: Any) -> str | None:
    if move.editors_only and not can(actor, Permission.EDIT_VERDICTS):
        if move.start == READY:
            return _("only editors and admins can move a claim out of Ready")
        return _("only editors and admins can move a claim to Ready")
    return None


def _option(
    claim: Claim, move: Move, actor: Any, min_ratings: int, four_eyes: bool = True
) -> TransitionOption:
    if move.end == PUBLISHED:
        blockers = publish_blockers(claim, actor, four_eyes=four_eyes)
        return TransitionOption(move, tuple(blockers), forbidden=not can(actor, Permission.EDIT_VERDICTS))
    blockers = []
    role = _role_blocker(move, actor)
    if role:
        blockers.append(role)
    if move.end == READY:
        blockers.extend(ready_blockers(claim, min_ratings))
    return TransitionOption(move, tuple(blockers), forbidden=role is not None)


def moves_from(claim: Claim) -> list[Move]:
    """The moves the workflow has out of the claim's current state."""
    moves = [move for move in MOVES if move.start == claim.state]
    if claim.state == DISMISSED:
        back = dismissed_from(claim)
        moves = [move for move in moves if move.end == back]
    return moves


def allowed_transitions(
    claim: Claim, actor: Any, *, min_ratings: int | None = None, four_eyes: bool | None = None
) -> list[TransitionOption]:
    """Every move out of the claim's state, each either open to the actor or with why it is blocked.

    An open move whose :attr:`~TransitionOption.taken_by` is set is taken on
    that page (publishing), not by :func:`transition`. Someone who may not work
    on the desk at all (signed out, disabled) gets an empty list.
    """
    if not can(actor, Permission.CONTRIBUTE):
        return []
    needed = configured_min_ratings() if min_ratings is None else min_ratings
    checked = configured_four_eyes() if four_eyes is None else four_eyes
    return [_option(claim, move, actor, needed, checked) for move in moves_from(claim)]


def transition(
    db: Session,
    claim: Claim,
    actor: Any,
    to_state: ClaimState | str,
    comment: str | None = None,
    *,
    min_ratings: int | None = None,
    expected_state: ClaimState | str | None = None,
) -> ClaimTransition:
    """Move the claim to ``to_state`` and record who did it, when, and their comment.

    ``expected_state`` is the state the person saw when they chose the move; if
    someone else moved the claim meanwhile, nothing happens. Raises
    PermissionDenied for someone who may not work on the desk, and WorkflowError
    (with a message for the person) for any move the workflow refuses.
    """
    require(actor, Permission.CONTRIBUTE)
    try:
        target = ClaimState(to_state)
    except ValueError:
        raise WorkflowError(_("there is no state called “%(state)s”", state=to_state)) from None
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT_LENGTH:
        raise WorkflowError(_("the comment is longer than %(max)d characters", max=MAX_COMMENT_LENGTH))
    start = claim.state
    if expected_state is not None and ClaimState(expected_state) != start:
        raise WorkflowError(
            _(
                "someone moved the claim to %(state)s meanwhile; look at it again before moving it",
                state=start.label,
            )
        )
    if target == start:
        raise WorkflowError(_("the claim is already %(state)s", state=start.label))

    move = next((m for m in MOVES if m.start == start and m.end == target), None)
    if move is None:
        raise WorkflowError(
            _("a claim cannot move from %(start)s to %(end)s", start=start.label, end=target.label)
        )
    if not move.taken_here:
        raise WorkflowError(str(PUBLISH_ELSEWHERE))
    if move.is_restore and target != dismissed_from(claim):
        raise WorkflowError(
            _(
                "a dismissed claim goes back to the state it was dismissed from (%(state)s)",
                state=dismissed_from(claim).label,
            )
        )
    needed = configured_min_ratings() if min_ratings is None else min_ratings
    option = _option(claim, move, actor, needed)
    if not option.ok:
        raise WorkflowError(option.reason or _("this move is not allowed"), forbidden=option.forbidden)
    if move.needs_reason and comment is None:
        raise WorkflowError(_("give a reason for dismissing the claim"))

    return record_move(db, claim, actor, target, comment)


def record_move(
    db: Session, claim: Claim, actor: Any, to_state: ClaimState, comment: str | None = None
) -> ClaimTransition:
    """Move the claim to ``to_state`` and record the step (actor, time, comment); flushes.

    No rule is checked here: callers (:func:`transition`, publishing) check theirs first.
    """
    start = claim.state
    step = ClaimTransition(from_state=start, to_state=to_state, actor_id=actor.id, comment=comment)
    claim.transitions.append(step)
    claim.state = to_state
    if to_state == DISMISSED:
        claim.dismissed_reason = comment
    elif start == DISMISSED:
        # The reason stays in the history, on the dismissal step.
        claim.dismissed_reason = None
    db.flush()
    # Webhook deliveries of the move, in the same transaction (factcheck/webhooks/events.py).
    webhook_events.state_changed(db, claim, step)
    return step
