"""The desk's view of claims: the list, one claim, its history and its publication revisions."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from factcheck import db
from factcheck.audit.history import claim_history
from factcheck.claims.models import Claim, ClaimState
from factcheck.publishing.models import Publication
from factcheck.ratings.visibility import can_see_ratings
from factcheck.security.permissions import Permission, requires

bp = Blueprint("claims", __name__, url_prefix="/claims")

PAGE_SIZE = 50


def _claim_or_404(claim_id: int) -> Claim:
    claim = db.session().get(Claim, claim_id)
    if claim is None:
        abort(404)
    return claim


@bp.route("/")
@requires(Permission.READ_DESK)
def index() -> ResponseReturnValue:
    state_value = request.args.get("state") or None
    state = ClaimState(state_value) if state_value in {s.value for s in ClaimState} else None
    before = request.args.get("before", type=int)
    query = select(Claim)
    if state is not None:
        query = query.where(Claim.state == state)
    if before is not None:
        query = query.where(Claim.id < before)
    claims = db.session().scalars(query.order_by(Claim.id.desc()).limit(PAGE_SIZE + 1)).all()
    more = len(claims) > PAGE_SIZE
    claims = claims[:PAGE_SIZE]
    counts = dict(db.session().execute(select(Claim.state, func.count()).group_by(Claim.state)).all())
    return render_template(
        "claims/index.html",
        claims=claims,
        state=state,
        states=list(ClaimState),
        counts=counts,
        next_before=claims[-1].id if more and claims else None,
    )


@bp.route("/<int:claim_id>")
@requires(Permission.READ_DESK)
def show(claim_id: int) -> ResponseReturnValue:
    claim = _claim_or_404(claim_id)
    return render_template(
        "claims/show.html", claim=claim, tab="overview", ratings_visible=can_see_ratings(current_user, claim)
    )


@bp.route("/<int:claim_id>/history")
@requires(Permission.READ_CLAIM_HISTORY)
def history(claim_id: int) -> ResponseReturnValue:
    claim = _claim_or_404(claim_id)
    visible = can_see_ratings(current_user, claim)
    entries = claim_history(db.session(), claim.id, ratings_visible=visible)
    return render_template("claims/history.html", claim=claim, tab="history", entries=entries)


@bp.route("/<int:claim_id>/revisions/<int:revision>")
@requires(Permission.READ_DESK)
def revision(claim_id: int, revision: int) -> ResponseReturnValue:
    claim = _claim_or_404(claim_id)
    publication = db.session().scalar(
        select(Publication).where(Publication.claim_id == claim.id, Publication.revision == revision)
    )
    if publication is None:
        abort(404)
    return render_template("claims/revision.html", claim=claim, tab="history", publication=publication)
