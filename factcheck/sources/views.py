"""Sources of a claim: add, edit, remove."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.security.permissions import Permission, requires
from factcheck.sources import operations
from factcheck.sources.forms import RemoveForm, SourceForm, based_on
from factcheck.sources.models import Source
from factcheck.web.conflicts import EditConflict, render_conflict
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("sources", __name__, url_prefix="/claims")

FORM_TEMPLATE = "sources/form.html"


def _source_of(claim: Claim, source_id: int) -> Source | None:
    source = db.session().get(Source, source_id)
    return source if source is not None and source.claim_id == claim.id else None


def _back_to(claim: Claim) -> ResponseReturnValue:
    return redirect(url_for("claims.show", claim_id=claim.id, _anchor="sources-heading"))


def _show_error(form: SourceForm, error: operations.SourceError) -> None:
    field = getattr(form, error.field, form.title)
    field.errors = [*field.errors, str(error)]


@bp.route("/<id:claim_id>/sources/new", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def add(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    form = SourceForm()
    if form.validate_on_submit():
        try:
            source = operations.add_source(db.session(), current_actor(), claim, form.values())
        except operations.SourceError as error:
            _show_error(form, error)
        else:
            flash(_("Added the source “%(title)s”.", title=source.title), "success")
            return _back_to(claim)
    return render_template(FORM_TEMPLATE, form=form, claim=claim, source=None), form_status(form)


@bp.route("/<id:claim_id>/sources/<id:source_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def edit(claim_id: int, source_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    source = _source_of(claim, source_id)
    if source is None:
        return _removed_meanwhile(claim)
    operations.require_can_edit(current_user, source)
    # On POST only what was sent counts (a missing version is a conflict, not the current one).
    form = SourceForm(obj=source if request.method == "GET" else None)
    if form.validate_on_submit():
        version = based_on(form.version)
        try:
            operations.edit_source(db.session(), current_actor(), source, form.values(), based_on=version)
        except operations.SourceError as error:
            _show_error(form, error)
        except EditConflict as conflict:
            return render_conflict(db.session(), conflict, FORM_TEMPLATE, form, claim=claim, source=source)
        except StaleDataError:
            # Saved by someone else between our read and our write.
            db.session().rollback()
            source = _source_of(claim, source_id)
            if source is None:
                return _removed_meanwhile(claim)
            conflict = EditConflict(source, version or 0)
            return render_conflict(db.session(), conflict, FORM_TEMPLATE, form, claim=claim, source=source)
        else:
            flash(_("Saved the source “%(title)s”.", title=source.title), "success")
            return _back_to(claim)
    return render_template(FORM_TEMPLATE, form=form, claim=claim, source=source), form_status(form)


def _removed_meanwhile(claim: Claim) -> ResponseReturnValue:
    """A source removed while someone edited it: keep their text, offer to add it again."""
    if request.method != "POST":
        abort(404)
    form = SourceForm()
    form.validate()
    form.version.data = None
    return render_template(FORM_TEMPLATE, form=form, claim=claim, source=None, removed=True), 409


@bp.route("/<id:claim_id>/sources/<id:source_id>/remove", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def remove(claim_id: int, source_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    source = _source_of(claim, source_id)
    if source is None:
        abort(404)
    operations.require_can_edit(current_user, source)
    form = RemoveForm(obj=source if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.remove_source(db.session(), current_actor(), source, based_on=based_on(form.version))
        except EditConflict as conflict:
            return render_conflict(
                db.session(), conflict, "sources/remove.html", form, claim=claim, source=source
            )
        flash(_("Removed the source “%(title)s”.", title=source.title), "success")
        return _back_to(claim)
    return render_template("sources/remove.html", form=form, claim=claim, source=source), form_status(form)
