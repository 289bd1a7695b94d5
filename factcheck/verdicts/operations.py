"""Writing the verdict of a claim (editors and admins).

The verdict is the working draft that publications freeze. Changing the rating
label of a verdict that already has one needs a reason, which the audit history
keeps with the change (and refuses the commit without).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from factcheck.audit.changesets import set_reason
from factcheck.claims.models import Claim
from factcheck.ratings.models import RatingLabel
from factcheck.security.permissions import Permission, require
from factcheck.verdicts.models import Verdict
from factcheck.web.conflicts import check_version


class VerdictError(ValueError):
    """A verdict the rules refuse; ``field`` names the form field to show the message on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass
class VerdictValues:
    headline: str
    label_id: int | None = None
    summary: str = ""
    explanation: str = ""


def label_changes(verdict: Verdict | None, label_id: int | None) -> bool:
    """Whether saving ``label_id`` changes a rating already given (which needs a reason)."""
    return verdict is not None and verdict.label_id is not None and verdict.label_id != label_id


def save_verdict(
    db: Session,
    actor: Any,
    claim: Claim,
    values: VerdictValues,
    *,
    based_on: int | None,
    reason: str | None = None,
) -> Verdict:
    """Write the claim's verdict, or change it.

    ``based_on`` is the verdict version the editor started from (None for a new
    verdict); if the verdict changed since, raises EditConflict. Raises
    VerdictError for an empty headline, a label outside the active scale, or a
    label change without a reason; PermissionDenied for non-editors.
    """
    require(actor, Permission.EDIT_VERDICTS)
    verdict = claim.verdict
    headline = (values.headline or "").strip()
    if not headline:
        raise VerdictError("headline", _("Write a headline."))
    label = None
    if values.label_id is not None:
        label = db.get(RatingLabel, values.label_id)
        keeps_retired = verdict is not None and verdict.label_id == values.label_id
        if label is None or not (label.is_active or keeps_retired):
            raise VerdictError("label_id", _("Choose a label from the rating scale."))
    reason = (reason or "").strip() or None
    if verdict is None:
        if based_on:
            # The editor started from a verdict that is gone: never silently recreate it.
            raise VerdictError("headline", _("This verdict no longer exists; reload the claim."))
        verdict = Verdict(claim=claim, author_id=actor.id)
        db.add(verdict)
    else:
        check_version(verdict, based_on)
        if label_changes(verdict, values.label_id) and not reason:
            raise VerdictError(
                "reason", _("Say why the rating changes: the reason is kept in the history with the change.")
            )
    verdict.label = label
    verdict.headline = headline
    verdict.summary = (values.summary or "").strip()
    verdict.explanation = (values.explanation or "").strip()
    verdict.updated_by_id = actor.id
    if reason:
        set_reason(db, reason)
    db.flush()
    return verdict
