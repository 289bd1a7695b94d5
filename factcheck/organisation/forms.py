"""The admin's form for the organisation's public details."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from factcheck.web.forms import Form
from factcheck.web.i18n import NATIVE_NAMES
from factcheck.web.urls import MAX_URL_LENGTH, http_url

MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
# About and the corrections policy are pages of Markdown, not books.
MAX_MARKDOWN_LENGTH = 50_000


class OrganisationForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the organisation's name.")), Length(max=MAX_NAME_LENGTH)],
    )
    url = StringField(
        _l("Website"),
        validators=[
            DataRequired(_l("Give the organisation's website.")),
            Length(max=MAX_URL_LENGTH),
            http_url,
        ],
    )
    logo_url = StringField(_l("Logo address"), validators=[Optional(), Length(max=MAX_URL_LENGTH), http_url])
    contact_email = EmailField(
        _l("Contact email"),
        validators=[
            Optional(),
            Length(max=MAX_EMAIL_LENGTH),
            Email(_l("This is not a valid email address."), check_deliverability=False),
        ],
    )
    about = TextAreaField(_l("About us"), validators=[Length(max=MAX_MARKDOWN_LENGTH)])
    corrections_policy = TextAreaField(_l("Corrections policy"), validators=[Length(max=MAX_MARKDOWN_LENGTH)])
    public_language = SelectField(
        _l("Language of the public site"),
        choices=[SelectChoice(code, name, render_kw={"lang": code}) for code, name in NATIVE_NAMES.items()],
        default="en",
    )
