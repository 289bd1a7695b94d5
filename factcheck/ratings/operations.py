"""Rating a claim: one blind, independent rating per person, which they may revise.

Revisions are recorded by the audit history like every other change; the
history hides the labels and reasonings from reviewers who have not rated yet
(see :mod:`factcheck.ratings.visibility`).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.security.permissions import Permission, require


class RatingError(ValueError):
    """A rating the rules refuse; ``field`` names the form field to show the message on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def active_labels(db: Session) -> list[RatingLabel]:
    """The rating scale offered on forms, in its display order."""
    return list(
        db.scalars(
            select(RatingLabel)
            .where(RatingLabel.is_active.is_(True))
            .order_by(RatingLabel.position, RatingLabel.id)
        )
    )


def offered_labels(db: Session, current: RatingLabel | None = None) -> list[RatingLabel]:
    """The active scale, plus ``current`` if it was retired since it was chosen (so it stays selectable)."""
    labels = active_labels(db)
    if current is not None and current not in labels:
        labels.append(current)
    return labels


def own_rating(db: Session, actor: Any, claim: Claim) -> Rating | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return db.scalar(select(Rating).where(Rating.claim_id == claim.id, Rating.reviewer_id == actor.id))


def rate(db: Session, actor: Any, claim: Claim, *, label_id: int, reasoning: str) -> Rating:
    """Submit the actor's rating of the claim, or revise the one they submitted.

    Raises PermissionDenied for people who may not rate, RatingError for a
    label outside the active scale or an empty reasoning.
    """
    require(actor, Permission.CONTRIBUTE)
    rating = own_rating(db, actor, claim)
    label = db.get(RatingLabel, label_id)
    if label is None or (not label.is_active and (rating is None or rating.label_id != label.id)):
        raise RatingError("label", _("Choose a label from the rating scale."))
    reasoning = (reasoning or "").strip()
    if not reasoning:
        raise RatingError("reasoning", _("Say briefly why you rate the claim this way."))
    if rating is None:
        rating = Rating(claim=claim, reviewer_id=actor.id, label=label, reasoning=reasoning)
        db.add(rating)
    else:
        rating.label = label
        rating.reasoning = reasoning
    db.flush()
    return rating
