"""Blind ratings of a claim: each person submits or revises their own."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.ratings import operations
from factcheck.ratings.forms import RatingForm
from factcheck.security.permissions import Permission, can, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor

bp = Blueprint("ratings", __name__, url_prefix="/claims")


@bp.app_template_global("rating_form")
def rating_form(claim: Claim) -> RatingForm | None:
    """The current person's rating form for the claim page (None if they may not rate)."""
    if not can(current_user, Permission.CONTRIBUTE):
        return None
    rating = operations.own_rating(db.session(), current_user, claim)
    form = RatingForm(
        formdata=None,
        label=str(rating.label_id) if rating else "",
        reasoning=rating.reasoning if rating else "",
    )
    return form.offer(operations.offered_labels(db.session(), rating.label if rating else None))


@bp.route("/<id:claim_id>/rating", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def rate(claim_id: int) -> ResponseReturnValue:
    session = db.session()
    claim = session.get(Claim, claim_id)
    if claim is None:
        abort(404)
    actor: Any = current_actor()
    rating = operations.own_rating(session, actor, claim)
    # The saved rating fills the form on GET; on POST only what was sent counts.
    saved = {"label": str(rating.label_id), "reasoning": rating.reasoning} if rating else {}
    form = RatingForm(**(saved if request.method == "GET" else {}))
    form.offer(operations.offered_labels(session, rating.label if rating else None))
    if form.validate_on_submit():
        try:
            operations.rate(
                session, actor, claim, label_id=int(form.label.data), reasoning=form.reasoning.data or ""
            )
        except operations.RatingError as error:
            field = getattr(form, error.field)
            field.errors = [*field.errors, str(error)]
        except IntegrityError:
            # A second submission raced the first (double click): the first one stands.
            session.rollback()
            flash(_("Your rating was already saved; revise it if you want to change it."), "info")
            return redirect(url_for("claims.show", claim_id=claim_id, _anchor="ratings-heading"))
        else:
            if rating is None:
                flash(_("Your rating is saved. You can now see the others' ratings."), "success")
            else:
                flash(_("Your revised rating is saved."), "success")
            return redirect(url_for("claims.show", claim_id=claim.id, _anchor="ratings-heading"))
    return render_template("ratings/form.html", form=form, claim=claim, rating=rating), form_status(form)
