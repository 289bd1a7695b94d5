"""The export page's form: format and filters, sent by GET (a download changes nothing)."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from factcheck.accounts.models import User
from factcheck.claims.models import ClaimState, Tag
from factcheck.exports import claims
from factcheck.exports.claims import ClaimExportFilter, InvalidFilter
from factcheck.ratings.models import RatingLabel
from factcheck.ratings.translations import scale_names
from factcheck.web.forms import Form, choices


class ExportForm(Form):
    """Filters of the claims export; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    format = SelectField(_l("Format"), choices=[], default="csv")
    date_field = SelectField(
        _l("Dates are"),
        choices=choices([("captured", _l("Captured")), ("published", _l("First published"))]),
        default="captured",
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    state = SelectField(
        _l("State"),
        choices=choices([("", _l("Any state")), *((state.value, state.value) for state in ClaimState)]),
        default="",
        validators=[Optional()],
    )
    label = SelectField(_l("Verdict label (draft)"), choices=[], default="", validators=[Optional()])
    tag = SelectField(_l("Tag"), choices=[], default="", validators=[Optional()])
    reviewer = SelectField(_l("Rated by"), choices=[], default="", validators=[Optional()])
    claimant = StringField(
        _l("Claimant contains"), validators=[Optional(), Length(max=claims.MAX_CLAIMANT_FILTER)]
    )


def export_form(session: Session, args: Any, formats: list[tuple[str, str]]) -> ExportForm:
    """The form with its choices: ``formats`` as (key, label), labels by key, tags by name, people by id."""
    form = ExportForm(args)
    form.format.choices = choices(formats)
    # The states' names in the page's language (the class's choices were made at import).
    form.state.choices = choices(
        [("", _("Any state")), *((state.value, state.label) for state in ClaimState)]
    )
    labels = session.execute(select(RatingLabel.key, RatingLabel.name).order_by(RatingLabel.position)).all()
    # In the desk's language where an admin gave one (factcheck/ratings/translations.py).
    names = scale_names(session, get_locale())
    form.label.choices = choices(
        [("", _("Any label")), *((key, names.name(name, key)) for key, name in labels)]
    )
    tags = session.scalars(select(Tag.name).order_by(Tag.name)).all()
    form.tag.choices = choices([("", _("Any tag")), *((name, name) for name in tags)])
    people = session.execute(select(User.id, User.name).order_by(User.name, User.id)).all()
    form.reviewer.choices = choices([("", _("Anyone")), *((str(id_), name) for id_, name in people)])
    return form


def validated_filter(session: Session, form: ExportForm) -> ClaimExportFilter | None:
    """The filter the form asks for, or None with the form's errors set."""
    if not form.validate():
        return None
    try:
        return claims.parse_filter(
            session,
            date_field=form.date_field.data,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            state=form.state.data,
            label=form.label.data,
            tag=form.tag.data,
            reviewer=form.reviewer.data,
            claimant=form.claimant.data,
        )
    except InvalidFilter as exc:
        field = getattr(form, exc.field, None)
        message = exc.message[0].upper() + exc.message[1:] + "."
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
        return None
