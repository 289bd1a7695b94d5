"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select, text

from factcheck import db
from factcheck.claims.models import Claim, ClaimState
from factcheck.security.permissions import Permission, can, public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home() -> ResponseReturnValue:
    counts: dict[ClaimState, int] = {}
    if can(current_user, Permission.READ_DESK):
        rows = db.session().execute(select(Claim.state, func.count()).group_by(Claim.state))
        counts = {state: count for state, count in rows}
    return render_template("home.html", counts=counts, states=list(ClaimState))


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    """For load balancers: 200 when the app can reach its database."""
    db.session().execute(text("SELECT 1"))
    return {"status": "ok"}
