"""Merging a duplicate claim into another and undoing it; the rules are in factcheck.claims.merging.

Editors only (a reviewer gets the app's 403 page).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from factcheck import db
from factcheck.claims import merging
from factcheck.claims.blueprint import bp
from factcheck.claims.merge_forms import MergeForm, UndoMergeForm
from factcheck.claims.models import Claim
from factcheck.claims.similar import similar_claims
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor, get_or_404


def _survivor(into: int | None) -> Claim | None:
    return db.session().get(Claim, into) if into else None


@bp.route("/<id:claim_id>/merge", methods=["GET", "POST"])
@requires(Permission.EDIT_VERDICTS)
def merge(claim_id: int) -> ResponseReturnValue:
    """Choose the surviving claim (by number or from the similar claims), confirm what moves, merge."""
    session = db.session()
    claim = get_or_404(Claim, claim_id)
    form = MergeForm()
    into = form.into.data if request.method == "POST" else request.args.get("into", type=int)
    error = None
    plan = None
    if into is not None or request.method == "POST":
        try:
            plan = merging.plan(session, claim, _survivor(into))
        except merging.MergeError as exc:
            error = str(exc)
    if request.method == "POST" and plan is not None:
        if form.validate_on_submit():
            try:
                merging.merge(session, current_actor(), claim, plan.survivor, form.reason.data)
            except merging.MergeError as exc:
                error = str(exc)
            else:
                session.commit()
                flash(_("Merged claim #%(id)s into this claim.", id=claim_id), "success")
                return redirect(url_for("claims.show", claim_id=into))
        else:
            error = next(
                (str(errors[0]) for errors in form.errors.values() if errors), _("Please check the form.")
            )
    if plan is not None:
        form.into.data = plan.survivor.id
    suggestions = [] if plan else similar_claims(session, claim.text, exclude=[claim.id])
    status = 422 if error and request.method == "POST" else 200
    return render_template(
        "claims/merge.html", claim=claim, plan=plan, form=form, error=error, suggestions=suggestions
    ), status


@bp.route("/<id:claim_id>/merge/undo", methods=["GET", "POST"])
@requires(Permission.EDIT_VERDICTS)
def undo_merge(claim_id: int) -> ResponseReturnValue:
    """Move back what the merge of this claim moved; the page says what will go back, or why it cannot."""
    session = db.session()
    claim = get_or_404(Claim, claim_id)
    record = merging.active_merge(session, claim.id)
    if record is None:
        flash(_("Claim #%(id)s is not merged into another claim.", id=claim_id), "info")
        return redirect(url_for("claims.show", claim_id=claim_id))
    form = UndoMergeForm()
    error = None
    if form.validate_on_submit():
        try:
            merging.undo(session, current_actor(), record, form.reason.data)
        except merging.MergeError as exc:
            error = str(exc)
        else:
            session.commit()
            flash(
                _(
                    "Undid the merge: claim #%(id)s has its own appearances, sources, comments and ratings again.",
                    id=claim_id,
                ),
                "success",
            )
            return redirect(url_for("claims.show", claim_id=claim_id))
    elif request.method == "POST":
        error = next(
            (str(errors[0]) for errors in form.errors.values() if errors), _("Please check the form.")
        )
    problems = merging.undo_problems(session, record)
    status = 422 if error else 200
    return render_template(
        "claims/undo_merge.html", claim=claim, record=record, form=form, error=error, problems=problems
    ), status
