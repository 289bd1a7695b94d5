"""The editor's verdict on a claim: write, preview, change."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.ratings.operations import offered_labels
from factcheck.security.permissions import Permission, requires
from factcheck.verdicts import operations
from factcheck.verdicts.forms import VerdictForm, based_on
from factcheck.web.conflicts import EditConflict, render_conflict
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor

bp = Blueprint("verdicts", __name__, url_prefix="/claims")

FORM_TEMPLATE = "verdicts/form.html"


def _form(claim: Claim) -> VerdictForm:
    verdict = claim.verdict
    # The saved verdict fills the form on GET; on POST only what was sent counts.
    form = VerdictForm(obj=verdict if request.method == "GET" else None)
    return form.offer(offered_labels(db.session(), verdict.label if verdict else None))


def _context(claim: Claim, form: VerdictForm) -> dict[str, Any]:
    labels = {choice.value: choice.label for choice in form.label_id.choices or [] if choice.value}  # type: ignore[union-attr]
    return {
        "claim": claim,
        "verdict": claim.verdict,
        "label_names": labels,
    }


@bp.route("/<id:claim_id>/verdict", methods=["GET", "POST"])
@requires(Permission.EDIT_VERDICTS)
def edit(claim_id: int) -> ResponseReturnValue:
    session = db.session()
    claim = session.get(Claim, claim_id)
    if claim is None:
        abort(404)
    form = _form(claim)
    if request.method == "POST" and request.form.get("action") == "preview":
        # Shown, never saved: the same sanitised rendering the claim page uses.
        return render_template(FORM_TEMPLATE, form=form, preview=True, **_context(claim, form))
    if form.validate_on_submit():
        version = based_on(form.version)
        actor = current_actor()
        try:
            operations.save_verdict(
                session, actor, claim, form.values(), based_on=version, reason=form.reason.data
            )
        except operations.VerdictError as error:
            field = getattr(form, error.field)
            field.errors = [*field.errors, str(error)]
        except EditConflict as conflict:
            return render_conflict(session, conflict, FORM_TEMPLATE, form, **_context(claim, form))
        except StaleDataError:
            # Saved by someone else between our read and our write.
            session.rollback()
            claim = session.get(Claim, claim_id)
            if claim is None or claim.verdict is None:
                abort(404)
            conflict = EditConflict(claim.verdict, version or 0)
            return render_conflict(session, conflict, FORM_TEMPLATE, form, **_context(claim, form))
        else:
            flash(_("The verdict is saved."), "success")
            return redirect(url_for("claims.show", claim_id=claim.id, _anchor="verdict-heading"))
    return render_template(FORM_TEMPLATE, form=form, **_context(claim, form)), form_status(form)
