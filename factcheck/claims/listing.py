"""The list of claims on the desk."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from factcheck import db
from factcheck.claims.blueprint import bp
from factcheck.claims.models import Claim, ClaimState
from factcheck.security.permissions import Permission, requires

PAGE_SIZE = 50


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
