"""One claim on the desk: its page, its history and its publication revisions."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from factcheck import db
from factcheck.audit.history import claim_history
from factcheck.claims.blueprint import bp
from factcheck.claims.models import Claim
from factcheck.publishing.models import Publication
from factcheck.ratings.visibility import can_see_ratings
from factcheck.security.permissions import Permission, requires


def _claim_or_404(claim_id: int) -> Claim:
    claim = db.session().get(Claim, claim_id)
    if claim is None:
        abort(404)
    return claim


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
