"""What waits for a person: the home page's queues, each also a filter of the claim list.

Each queue is a set of SQL conditions on claims (:func:`conditions`), used both to
count it on the home page and to filter the claim list its count links to, so the
count and the list are the same claims by construction.

- ``assigned=me``: claims assigned to me that are still open;
- ``to_rate=me``: claims in review I have not rated. Only my own ratings are looked at,
  never how many others gave (the blind rule, factcheck/ratings);
- ``to_publish=me``: ready claims I may publish: I am an editor or admin and, under
  the four-eyes rule (``FOUR_EYES``), not the verdict's sole writer
  (:func:`factcheck.claims.workflow.four_eyes_blocker` says the same for one claim);
- ``due=overdue`` / ``due=soon``: open claims whose review-by date has passed, or comes
  within :data:`DUE_SOON_DAYS` days (today included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Assignment, Claim, ClaimState
from factcheck.ratings.models import Rating
from factcheck.security.permissions import Permission, can
from factcheck.verdicts.models import Verdict

OPEN_STATES = (ClaimState.NEW, ClaimState.RESEARCHING, ClaimState.IN_REVIEW, ClaimState.READY)
DUE_SOON_DAYS = 3
OVERDUE, SOON = "overdue", "soon"


@dataclass(frozen=True)
class QueueFilter:
    """The queues asked for; each set field narrows the claims."""

    assigned_to: int | None = None
    to_rate_by: int | None = None
    to_publish_by: int | None = None
    due: str | None = None


def assigned_to(user_id: int) -> ColumnElement[bool]:
    return and_(
        Claim.id.in_(select(Assignment.claim_id).where(Assignment.user_id == user_id)),
        Claim.state.in_(OPEN_STATES),
    )


def to_rate_by(user_id: int) -> ColumnElement[bool]:
    return and_(
        Claim.state == ClaimState.IN_REVIEW,
        Claim.id.not_in(select(Rating.claim_id).where(Rating.reviewer_id == user_id)),
    )


def to_publish_by(user: User | None, *, four_eyes: bool) -> ColumnElement[bool]:
    if user is None or not can(user, Permission.EDIT_VERDICTS):
        return false()
    ready = Claim.state == ClaimState.READY
    if not four_eyes:
        return ready
    # The sole writer: every known writer (author, last editor) is me, and there is one.
    sole_writer = select(Verdict.claim_id).where(
        func.coalesce(Verdict.author_id, user.id) == user.id,
        func.coalesce(Verdict.updated_by_id, user.id) == user.id,
        or_(Verdict.author_id.is_not(None), Verdict.updated_by_id.is_not(None)),
    )
    return and_(ready, not_(Claim.id.in_(sole_writer)))


def due(which: str, today: date) -> ColumnElement[bool]:
    open_claim = Claim.state.in_(OPEN_STATES)
    if which == OVERDUE:
        return and_(open_claim, Claim.review_by < today)
    return and_(
        open_claim, Claim.review_by >= today, Claim.review_by <= today + timedelta(days=DUE_SOON_DAYS)
    )


def conditions(
    session: Session, queue: QueueFilter, *, four_eyes: bool, today: date
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if queue.assigned_to is not None:
        where.append(assigned_to(queue.assigned_to))
    if queue.to_rate_by is not None:
        where.append(to_rate_by(queue.to_rate_by))
    if queue.to_publish_by is not None:
        where.append(to_publish_by(session.get(User, queue.to_publish_by), four_eyes=four_eyes))
    if queue.due in (OVERDUE, SOON):
        where.append(due(queue.due, today))
    return where


@dataclass(frozen=True)
class QueueCount:
    """One line of the home page: what, how many, and the claim list's arguments for exactly those."""

    key: str
    label: str
    count: int
    list_args: dict[str, str]


def count(session: Session, queue: QueueFilter, *, four_eyes: bool, today: date) -> int:
    where = conditions(session, queue, four_eyes=four_eyes, today=today)
    return session.scalar(select(func.count()).select_from(Claim).where(*where)) or 0


def waiting_for(session: Session, user: User, *, four_eyes: bool, today: date) -> list[QueueCount]:
    """The person's queues, in the order the home page shows them."""
    wanted: list[tuple[str, str, QueueFilter, dict[str, str]]] = [
        ("assigned", _("Assigned to you"), QueueFilter(assigned_to=user.id), {"assigned": "me"}),
        (
            "to_rate",
            _("In review, waiting for your rating"),
            QueueFilter(to_rate_by=user.id),
            {"to_rate": "me"},
        ),
    ]
    if can(user, Permission.EDIT_VERDICTS):
        wanted.append(
            (
                "to_publish",
                _("Ready, for you to publish"),
                QueueFilter(to_publish_by=user.id),
                {"to_publish": "me"},
            )
        )
    wanted += [
        ("overdue", _("Overdue (review-by date passed)"), QueueFilter(due=OVERDUE), {"due": OVERDUE}),
        (
            "soon",
            ngettext("Due within %(num)d day", "Due within %(num)d days", DUE_SOON_DAYS),
            QueueFilter(due=SOON),
            {"due": SOON},
        ),
    ]
    return [
        QueueCount(key, label, count(session, queue, four_eyes=four_eyes, today=today), args)
        for key, label, queue, args in wanted
    ]
