"""The bulk action route of the claim list; the rules are in factcheck.claims.bulk.

A reviewer asking for an editor's action gets the app's 403 page (PermissionDenied).
"""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from factcheck import db
from factcheck.claims import bulk
from factcheck.claims.blueprint import bp
from factcheck.claims.bulk_forms import BulkForm
from factcheck.claims.models import ClaimState
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor


@bp.route("/bulk", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def bulk_action() -> ResponseReturnValue:
    form = BulkForm()
    error = None
    if form.validate_on_submit():
        request = bulk.BulkRequest(
            action=bulk.BulkAction(form.action.data),
            claim_ids=form.chosen_ids(),
            reason=form.reason.data,
            user_id=form.user_id.data,
            tag=form.tag.data,
            to_state=ClaimState(form.to_state.data) if form.to_state.data else None,
        )
        try:
            outcomes = bulk.apply(db.session(), current_actor(), request)
        except bulk.BulkError as exc:
            error = str(exc)
        else:
            done = sum(outcome.done for outcome in outcomes)
            return render_template("claims/bulk.html", outcomes=outcomes, done=done, action=request.action)
    else:
        error = next(
            (str(errors[0]) for errors in form.errors.values() if errors), _("Please check the form.")
        )
    return render_template("claims/bulk.html", outcomes=None, error=error), 422
