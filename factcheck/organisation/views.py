"""The admin's page for the organisation's public details (about page, ClaimReview publisher)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from factcheck import db
from factcheck.organisation import settings
from factcheck.organisation.details import organisation
from factcheck.organisation.forms import OrganisationForm
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor

bp = Blueprint("organisation", __name__, url_prefix="/admin/organisation")


@bp.route("", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit() -> ResponseReturnValue:
    saved = organisation(db.session())
    if request.method == "POST":
        # Only what was sent: an empty POST is refused rather than saving the defaults.
        form = OrganisationForm()
    else:
        form = OrganisationForm(data=asdict(settings.current_values(db.session())))
    if form.validate_on_submit():
        settings.save(
            db.session(),
            current_actor(),
            settings.OrganisationValues(
                name=form.name.data or "",
                url=form.url.data or "",
                logo_url=form.logo_url.data,
                contact_email=form.contact_email.data,
                about=form.about.data or "",
                corrections_policy=form.corrections_policy.data or "",
                public_language=form.public_language.data or "en",
            ),
        )
        flash(_("The organisation's details were saved."), "success")
        return redirect(url_for("organisation.edit"))
    return render_template("organisation/edit.html", form=form, saved=saved), form_status(form)
