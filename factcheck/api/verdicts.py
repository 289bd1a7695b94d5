"""A claim's ratings and its verdict through the API, by the desk's operations
(factcheck/ratings/operations.py, factcheck/verdicts/operations.py): the same
permissions, the same blind rule (factcheck/ratings/visibility.py), the same audit."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from spectree import Response as Responses
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from factcheck import db
from factcheck.api.claims import CLAIM_ID, claim_or_404, person_data
from factcheck.api.core import bp, field_problem, if_match_fails, json_response, problem
from factcheck.api.schemas import Problem, RatingIn, RatingList, RatingOut, VerdictIn, VerdictOut
from factcheck.api.spec import spec
from factcheck.claims.models import Claim
from factcheck.ratings import operations as ratings
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.ratings.visibility import can_see_ratings
from factcheck.security.permissions import Permission, requires
from factcheck.verdicts import operations as verdicts
from factcheck.verdicts.models import Verdict
from factcheck.web.conflicts import EditConflict
from factcheck.web.lookups import current_actor


def label_data(label: RatingLabel | None) -> dict[str, Any] | None:
    return {"id": label.id, "key": label.key, "name": label.name} if label is not None else None


def rating_data(rating: Rating) -> dict[str, Any]:
    return {
        "id": rating.id,
        "claim_id": rating.claim_id,
        "reviewer": person_data(rating.reviewer),
        "label": label_data(rating.label),
        "reasoning": rating.reasoning,
        "created_at": rating.created_at,
        "updated_at": rating.updated_at,
    }


def verdict_data(verdict: Verdict) -> dict[str, Any]:
    return {
        "id": verdict.id,
        "claim_id": verdict.claim_id,
        "label": label_data(verdict.label),
        "imported_label": verdict.imported_label,
        "headline": verdict.headline,
        "summary": verdict.summary,
        "explanation": verdict.explanation,
        "author": person_data(verdict.author),
        "updated_by": person_data(verdict.updated_by),
        "version": verdict.version,
        "created_at": verdict.created_at,
        "updated_at": verdict.updated_at,
    }


# --- ratings --------------------------------------------------------------------------------------


@bp.get(f"/claims/{CLAIM_ID}/ratings")
@requires(Permission.READ_DESK)
@spec.validate(resp=Responses(HTTP_200=RatingList, HTTP_401=Problem, HTTP_404=Problem), tags=["ratings"])
def list_ratings(claim_id: int) -> Response:
    """The claim's ratings, blind as on the desk: a reviewer sees the others' only once they
    have rated it themselves (``visible``); before that, only how many there are."""
    claim = claim_or_404(claim_id)
    actor = current_actor()
    visible = can_see_ratings(actor, claim)
    mine = ratings.own_rating(db.session(), actor, claim)
    return json_response(
        {
            "visible": visible,
            "count": len(claim.ratings),
            "mine": rating_data(mine) if mine is not None else None,
            "items": [rating_data(rating) for rating in claim.ratings] if visible else [],
        }
    )


@bp.put(f"/claims/{CLAIM_ID}/rating")
@requires(Permission.CONTRIBUTE)
@spec.validate(
    resp=Responses(
        HTTP_200=RatingOut,
        HTTP_201=RatingOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_404=Problem,
        HTTP_409=Problem,
        HTTP_422=Problem,
    ),
    tags=["ratings"],
)
def rate_claim(claim_id: int, json: RatingIn) -> Response:
    """Submit your rating of the claim (201), or revise the one you submitted (200)."""
    session = db.session()
    claim = claim_or_404(claim_id)
    actor = current_actor()
    existed = ratings.own_rating(session, actor, claim) is not None
    try:
        rating = ratings.rate(session, actor, claim, label_id=json.label_id, reasoning=json.reasoning)
    except ratings.RatingError as error:
        return field_problem("label_id" if error.field == "label" else error.field, str(error))
    except IntegrityError:
        # Two submissions of a first rating at once: the first one stands, as on the desk.
        session.rollback()
        return problem(409, "Your rating was already saved meanwhile; send it again to revise it.")
    return json_response(rating_data(rating), 200 if existed else 201, etag=False)


# --- the verdict ---------------------------------------------------------------------------------


def _verdict_or_404(claim: Claim) -> Verdict | Response:
    if claim.verdict is None:
        return problem(404, f"Claim {claim.id} has no verdict yet.")
    return claim.verdict


@bp.get(f"/claims/{CLAIM_ID}/verdict")
@requires(Permission.READ_DESK)
@spec.validate(resp=Responses(HTTP_200=VerdictOut, HTTP_401=Problem, HTTP_404=Problem), tags=["verdicts"])
def get_verdict(claim_id: int) -> Response:
    """The claim's verdict: the editors' working draft that publications freeze."""
    verdict = _verdict_or_404(claim_or_404(claim_id))
    if isinstance(verdict, Response):
        return verdict
    return json_response(verdict_data(verdict))


def _verdict_conflict(verdict: Verdict, detail: str) -> Response:
    return problem(409, detail, current=verdict_data(verdict), current_version=verdict.version)


@bp.put(f"/claims/{CLAIM_ID}/verdict")
@requires(Permission.EDIT_VERDICTS)
@spec.validate(
    resp=Responses(
        HTTP_200=VerdictOut,
        HTTP_201=VerdictOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_404=Problem,
        HTTP_409=Problem,
        HTTP_412=Problem,
        HTTP_422=Problem,
        HTTP_428=Problem,
    ),
    tags=["verdicts"],
)
def put_verdict(claim_id: int, json: VerdictIn) -> Response:
    """Write the claim's verdict (201) or replace it (200; editors and admins).

    Replacing needs the version you read (``version``, or its ETag in If-Match): if someone
    changed the verdict since, 409 (412 for If-Match) with the verdict as it is now.
    """
    session = db.session()
    claim = claim_or_404(claim_id)
    verdict = claim.verdict
    based_on = json.version
    if verdict is not None:
        if if_match_fails(verdict_data(verdict)):
            return problem(
                412, "The verdict changed since the version named in If-Match.", current=verdict_data(verdict)
            )
        if based_on is None:
            if not request.if_match:
                return problem(
                    428, "The claim has a verdict: send the version you read (version, or If-Match)."
                )
            based_on = verdict.version
    values = verdicts.VerdictValues(
        headline=json.headline, label_id=json.label_id, summary=json.summary, explanation=json.explanation
    )
    try:
        saved = verdicts.save_verdict(
            session, current_actor(), claim, values, based_on=based_on, reason=json.reason
        )
    except verdicts.VerdictError as error:
        if verdict is None and based_on:
            return problem(409, str(error))
        return field_problem(error.field, str(error))
    except EditConflict:
        assert verdict is not None
        return _verdict_conflict(
            verdict, f"The verdict is at version {verdict.version}; you sent {based_on}."
        )
    except (StaleDataError, IntegrityError):
        # Someone saved (or wrote the first verdict) between the check and this write.
        session.rollback()
        current = claim_or_404(claim_id).verdict
        if current is None:
            return problem(409, "Someone saved the verdict at the same moment; read it again.")
        return _verdict_conflict(current, "Someone saved the verdict at the same moment.")
    return json_response(verdict_data(saved), 201 if verdict is None else 200)
