"""One claim on the desk: its page, editing it, its workflow, tags and assignees,
its history and its publication revisions."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from factcheck import db
from factcheck.audit.history import claim_history
from factcheck.claims import editing, merging, workflow
from factcheck.claims.blueprint import bp
from factcheck.claims.forms import AssignForm, ClaimForm, TagForm, TransitionForm, sent_kind
from factcheck.claims.models import Claim, ClaimState, Tag
from factcheck.db import utcnow
from factcheck.publishing.models import Publication
from factcheck.ratings.visibility import can_see_ratings
from factcheck.security.permissions import Permission, PermissionDenied, requires
from factcheck.web.conflicts import EditConflict, render_conflict
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor, get_or_404


def _min_ratings() -> int:
    return int(current_app.config["MIN_RATINGS"])


@bp.app_context_processor
def _claim_page_helpers() -> dict[str, Any]:
    """What the workflow partial asks about a claim, so it needs nothing from the view but the claim."""

    def workflow_options(claim: Claim) -> list[workflow.TransitionOption]:
        return workflow.allowed_transitions(claim, current_user, min_ratings=_min_ratings())

    def assignable_users(claim: Claim) -> list[Any]:
        return editing.assignable_users(db.session(), claim)

    def review_overdue(claim: Claim) -> bool:
        open_states = {ClaimState.PUBLISHED, ClaimState.DISMISSED}
        return (
            claim.review_by is not None
            and claim.state not in open_states
            and claim.review_by < utcnow().date()
        )

    def merged_into_here(claim: Claim) -> list[Any]:
        return merging.merged_here(db.session(), claim.id)

    return {
        "merged_into_here": merged_into_here,
        "workflow_options": workflow_options,
        "assignable_users": assignable_users,
        "review_overdue": review_overdue,
        "can_edit_claim": editing.can_edit_claim,
    }


def _claim_page(claim: Claim, status: int = 200, **context: Any) -> ResponseReturnValue:
    """The claim page; after a refused small form, with ``desk_error`` saying what went wrong."""
    return render_template(
        "claims/show.html",
        claim=claim,
        tab="overview",
        ratings_visible=can_see_ratings(current_user, claim),
        **context,
    ), status


def _refused(claim: Claim, form: str, message: str, status: int = 422, **typed: Any) -> ResponseReturnValue:
    return _claim_page(claim, status, desk_error={"form": form, "message": message, "typed": typed})


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return _("Please check the form.")


@bp.route("/<id:claim_id>")
@requires(Permission.READ_DESK)
def show(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    merge = merging.active_merge(db.session(), claim.id)
    if merge is not None:
        # A merged claim lives on in its survivor; its undo page is linked from there.
        flash(_("Claim #%(id)s was merged into this claim.", id=claim.id), "info")
        return redirect(url_for("claims.show", claim_id=merge.survivor_id))
    return _claim_page(claim)


@bp.route("/<id:claim_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def edit(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    actor = current_actor()
    if not editing.can_edit_claim(actor, claim):
        abort(403)
    # On a POST only what was sent counts: a missing field is missing, not the stored value.
    form = ClaimForm(obj=claim) if request.method == "GET" else ClaimForm()
    if form.validate_on_submit():
        values = editing.ClaimValues(
            text=form.text.data or "",
            claimant=form.claimant.data or "",
            claimant_kind=sent_kind(form.claimant_kind),
            claimed_on=form.claimed_on.data,
            review_by=form.review_by.data,
        )
        try:
            changed = editing.edit_claim(db.session(), actor, claim, values, based_on=form.version.data)
        except editing.ClaimEditError as exc:
            getattr(form, exc.field).errors = [str(exc)]
        except EditConflict as conflict:
            return render_conflict(db.session(), conflict, "claims/edit.html", form, claim=claim)
        except StaleDataError:
            # Someone saved between our version check and our write.
            db.session().rollback()
            claim = get_or_404(Claim, claim_id)
            conflict = EditConflict(claim, form.version.data or 0)
            return render_conflict(db.session(), conflict, "claims/edit.html", form, claim=claim)
        else:
            flash(
                _("Saved the claim.") if changed else _("Nothing to save: the claim is unchanged."), "success"
            )
            return redirect(url_for("claims.show", claim_id=claim.id))
    return render_template("claims/edit.html", form=form, claim=claim), form_status(form)


@bp.route("/<id:claim_id>/transition", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def transition(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    form = TransitionForm()
    typed = {"to_state": form.to_state.data, "comment": form.comment.data}
    if not form.validate_on_submit():
        return _refused(claim, "transition", _first_error(form), **typed)
    try:
        step = workflow.transition(
            db.session(),
            claim,
            current_actor(),
            form.to_state.data,
            form.comment.data,
            min_ratings=_min_ratings(),
            expected_state=form.from_state.data or None,
        )
    except workflow.WorkflowError as exc:
        message = str(exc)
        return _refused(
            claim,
            "transition",
            message[:1].upper() + message[1:] + ".",
            403 if exc.forbidden else 422,
            **typed,
        )
    except PermissionDenied as exc:
        return _refused(claim, "transition", str(exc), 403, **typed)
    flash(_("Moved the claim to %(state)s.", state=step.to_state.label), "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/<id:claim_id>/tags", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def add_tag(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    form = TagForm()
    if not form.validate_on_submit():
        return _refused(claim, "tag", _first_error(form), name=form.name.data)
    try:
        tag = editing.add_tag(db.session(), current_actor(), claim, form.name.data)
    except editing.ClaimEditError as exc:
        return _refused(claim, "tag", str(exc), name=form.name.data)
    flash(_("Tagged “%(tag)s”.", tag=tag.name), "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/<id:claim_id>/tags/<id:tag_id>/remove", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def remove_tag(claim_id: int, tag_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    tag = db.session().get(Tag, tag_id)
    if tag is None:
        abort(404)
    if editing.remove_tag(db.session(), current_actor(), claim, tag):
        flash(_("Removed the tag “%(tag)s”.", tag=tag.name), "success")
    else:
        flash(_("The claim was not tagged “%(tag)s”.", tag=tag.name), "info")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/<id:claim_id>/assignees", methods=["POST"])
@requires(Permission.EDIT_VERDICTS)
def assign(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _refused(claim, "assign", _first_error(form))
    try:
        assignment = editing.assign(db.session(), current_actor(), claim, form.user_id.data)
    except editing.AssignmentError as exc:
        return _refused(claim, "assign", str(exc))
    flash(_("Assigned %(name)s.", name=assignment.user.name), "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/<id:claim_id>/assignees/<id:user_id>/remove", methods=["POST"])
@requires(Permission.EDIT_VERDICTS)
def unassign(claim_id: int, user_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    if editing.unassign(db.session(), current_actor(), claim, user_id):
        flash(_("Removed the assignment."), "success")
    else:
        flash(_("That person was not assigned."), "info")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/<id:claim_id>/history")
@requires(Permission.READ_CLAIM_HISTORY)
def history(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    visible = can_see_ratings(current_user, claim)
    entries = claim_history(db.session(), claim.id, ratings_visible=visible)
    return render_template("claims/history.html", claim=claim, tab="history", entries=entries)


@bp.route("/<id:claim_id>/revisions/<id:revision>")
@requires(Permission.READ_DESK)
def revision(claim_id: int, revision: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    publication = db.session().scalar(
        select(Publication).where(Publication.claim_id == claim.id, Publication.revision == revision)
    )
    if publication is None:
        abort(404)
    return render_template("claims/revision.html", claim=claim, tab="history", publication=publication)
