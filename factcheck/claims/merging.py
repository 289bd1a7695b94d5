"""Merging a duplicate claim into the claim that survives, and undoing it (docs/merging.md).

A merge moves the duplicate's appearances, sources and comments to the
survivor, and its ratings where the survivor has none by the same person (one
person's two ratings conflict: they stay on the duplicate and are listed for
the editor). The ids of the rows that moved are recorded in ``claim_merges``
so an undo moves back exactly those. Both are one audited changeset with the
editor's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from factcheck.audit import changesets
from factcheck.claims.models import Appearance, Claim, ClaimMerge
from factcheck.db import utcnow
from factcheck.discussion.models import Comment
from factcheck.ratings.models import Rating
from factcheck.security.permissions import Permission, require
from factcheck.sources.models import Source

# What moves, by the key ``claim_merges.moved`` records it under.
MOVABLE: dict[str, Any] = {
    "appearances": Appearance,
    "sources": Source,
    "comments": Comment,
    "ratings": Rating,
}


class MergeError(ValueError):
    """A merge or undo the rules refuse; the message is for the editor."""


@dataclass(frozen=True)
class RatingConflict:
    """One person rated both claims: the duplicate's rating stays where it is."""

    kept: Rating
    left: Rating


@dataclass
class MergePlan:
    """What a merge of ``claim`` into ``survivor`` would move, for the confirmation page."""

    claim: Claim
    survivor: Claim
    moving: dict[str, list[Any]] = field(default_factory=dict)
    conflicts: list[RatingConflict] = field(default_factory=list)

    def ids(self) -> dict[str, list[int]]:
        return {key: [row.id for row in rows] for key, rows in self.moving.items()}


def active_merge(db: Session, claim_id: int) -> ClaimMerge | None:
    """The merge in force that merged this claim away, if any."""
    return db.scalar(
        select(ClaimMerge).where(ClaimMerge.claim_id == claim_id, ClaimMerge.undone_at.is_(None))
    )


def merged_here(db: Session, survivor_id: int) -> list[ClaimMerge]:
    """The merges in force that merged other claims into this one."""
    return list(
        db.scalars(
            select(ClaimMerge)
            .where(ClaimMerge.survivor_id == survivor_id, ClaimMerge.undone_at.is_(None))
            .order_by(ClaimMerge.id)
        )
    )


def plan(db: Session, claim: Claim, survivor: Claim | None) -> MergePlan:
    """What merging ``claim`` into ``survivor`` moves; refused when the pair cannot merge."""
    if survivor is None:
        raise MergeError(_("There is no claim with that number."))
    if survivor.id == claim.id:
        raise MergeError(_("A claim cannot be merged into itself."))
    if active_merge(db, claim.id) is not None:
        raise MergeError(_("Claim #%(id)s is already merged into another claim.", id=claim.id))
    if active_merge(db, survivor.id) is not None:
        raise MergeError(
            _("Claim #%(id)s was itself merged away; merge into the claim it went to.", id=survivor.id)
        )
    result = MergePlan(claim=claim, survivor=survivor)
    for key, model in MOVABLE.items():
        if key != "ratings":
            result.moving[key] = list(
                db.scalars(select(model).where(model.claim_id == claim.id).order_by(model.id))
            )
    kept = {rating.reviewer_id: rating for rating in survivor.ratings}
    result.moving["ratings"] = []
    for rating in claim.ratings:
        if rating.reviewer_id in kept:
            result.conflicts.append(RatingConflict(kept=kept[rating.reviewer_id], left=rating))
        else:
            result.moving["ratings"].append(rating)
    return result


def merge(db: Session, actor: Any, claim: Claim, survivor: Claim | None, reason: str | None) -> ClaimMerge:
    """Merge ``claim`` into ``survivor`` in the session's transaction (the caller commits)."""
    require(actor, Permission.EDIT_VERDICTS)
    if not (reason or "").strip():
        raise MergeError(_("Say why these claims are duplicates."))
    planned = plan(db, claim, survivor)
    assert survivor is not None  # plan refuses a missing survivor
    changesets.set_reason(db, reason)
    moved = planned.ids()
    _move(db, moved, survivor.id)
    record = ClaimMerge(
        claim_id=claim.id, survivor_id=survivor.id, moved=moved, merged_by_id=getattr(actor, "id", None)
    )
    db.add(record)
    db.flush()
    # The moves bypassed the loaded objects: read the claims' rows afresh.
    db.expire_all()
    return record


# Why a moved row cannot go back, per kind of row: deleted since, or moved on to another claim.
# ({id} and {claim} are filled in with str.format: gettext's %-placeholders would be filled too early.)
_PROBLEMS = {
    "appearances": (
        _l("Appearance {id} was deleted since the merge."),
        _l("Appearance {id} was moved to claim #{claim} since the merge."),
    ),
    "sources": (
        _l("Source {id} was deleted since the merge."),
        _l("Source {id} was moved to claim #{claim} since the merge."),
    ),
    "comments": (
        _l("Comment {id} was deleted since the merge."),
        _l("Comment {id} was moved to claim #{claim} since the merge."),
    ),
    "ratings": (
        _l("Rating {id} was deleted since the merge."),
        _l("Rating {id} was moved to claim #{claim} since the merge."),
    ),
}


def undo_problems(db: Session, record: ClaimMerge) -> list[str]:
    """Why this merge cannot be undone: a moved row deleted or moved on, or a rating that would clash."""
    problems = []
    for key, ids in record.moved.items():
        model = MOVABLE[key]
        where = {
            row_id: claim_id
            for row_id, claim_id in db.execute(select(model.id, model.claim_id).where(model.id.in_(ids)))
        }
        deleted, moved_on = _PROBLEMS[key]
        for row_id in ids:
            if row_id not in where:
                problems.append(str(deleted).format(id=row_id))
            elif where[row_id] != record.survivor_id:
                problems.append(str(moved_on).format(id=row_id, claim=where[row_id]))
    rated_back = record.moved.get("ratings", [])
    if rated_back:
        reviewers = select(Rating.reviewer_id).where(Rating.id.in_(rated_back))
        clashing = db.scalars(
            select(Rating.id).where(Rating.claim_id == record.claim_id, Rating.reviewer_id.in_(reviewers))
        ).all()
        problems.extend(
            _(
                "Rating %(id)s on claim #%(claim)s is by someone whose moved rating would go back.",
                id=rating_id,
                claim=record.claim_id,
            )
            for rating_id in clashing
        )
    return problems


def undo(db: Session, actor: Any, record: ClaimMerge, reason: str | None) -> None:
    """Move back exactly what the merge moved and end the merge (the caller commits)."""
    require(actor, Permission.EDIT_VERDICTS)
    if record.undone_at is not None:
        raise MergeError(_("This merge was already undone."))
    if not (reason or "").strip():
        raise MergeError(_("Say why the merge is undone."))
    problems = undo_problems(db, record)
    if problems:
        raise MergeError(_("The merge cannot be undone: %(problems)s", problems=" ".join(problems)))
    changesets.set_reason(db, reason)
    _move(db, record.moved, record.claim_id)
    record.undone_at = utcnow()
    db.flush()
    db.expire_all()


def _move(db: Session, ids_by_key: dict[str, list[int]], to_claim_id: int) -> None:
    for key, ids in ids_by_key.items():
        if ids:
            model = MOVABLE[key]
            db.execute(
                update(model).where(model.id.in_(ids)).values(claim_id=to_claim_id),
                execution_options={"synchronize_session": False},
            )


def survivor_slug(claim_id: Any) -> Any:
    """The public slug of the claim ``claim_id`` is merged into, as a correlated scalar subquery.

    None when the claim is not merged or its survivor was never published. The public check
    page reads it in its one state query (factcheck.public.checks), so a merge costs no query.
    """
    survivor = Claim.__table__.alias("survivor")
    merges = ClaimMerge.__table__
    return (
        select(survivor.c.slug)
        .select_from(merges.join(survivor, survivor.c.id == merges.c.survivor_id))
        .where(merges.c.claim_id == claim_id, merges.c.undone_at.is_(None), survivor.c.slug.is_not(None))
        .limit(1)
        .scalar_subquery()
    )
