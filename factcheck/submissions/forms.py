"""Forms of the public submission pages and of the editors' queue."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from factcheck.claims.editing import MAX_CLAIMANT_LENGTH
from factcheck.web.forms import Form
from factcheck.web.urls import MAX_URL_LENGTH, http_url

MIN_TEXT_LENGTH = 10
MAX_TEXT_LENGTH = 2000
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
MAX_RESPONSE_LENGTH = 5000


def _url_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=MAX_URL_LENGTH, message=_l("The web address is longer than %(max)d characters.")),
            http_url,
        ],
    )


def _text_length(_form: Any, field: Any) -> None:
    length = len(field.data or "")
    if length < MIN_TEXT_LENGTH:
        raise ValidationError(
            _(
                "Please write at least %(min)d characters (you wrote %(length)d).",
                min=MIN_TEXT_LENGTH,
                length=length,
            )
        )
    if length > MAX_TEXT_LENGTH:
        raise ValidationError(
            _(
                "Please keep it under %(max)d characters (you wrote %(length)d).",
                max=MAX_TEXT_LENGTH,
                length=length,
            )
        )


class ReaderForm(Form):
    """What both public forms share: who the reader is (optional) and the bot traps."""

    name = StringField(
        _l("Your name (optional)"),
        validators=[
            Optional(),
            Length(max=MAX_NAME_LENGTH, message=_l("Please keep your name under %(max)d characters.")),
        ],
    )
    email = EmailField(
        _l("Your email (optional)"),
        validators=[
            Optional(),
            Length(max=MAX_EMAIL_LENGTH, message=_l("The address is longer than %(max)d characters.")),
            Email(_l("This is not a valid email address."), check_deliverability=False),
        ],
    )
    # The honeypot: hidden by the stylesheet, so only bots fill it in (see factcheck.submissions.spam).
    website = StringField(_l("Leave this field empty"))
    # When the form was shown, signed.
    shown_at = HiddenField()


class SuggestForm(ReaderForm):
    text = TextAreaField(
        _l("The claim you would like us to check"),
        validators=[DataRequired(_l("Please write the claim you would like us to check.")), _text_length],
    )
    url = _url_field(_l("Where did you see it? (optional)"))


class ReportErrorForm(ReaderForm):
    text = TextAreaField(
        _l("What is wrong"),
        validators=[DataRequired(_l("Please tell us what is wrong.")), _text_length],
    )
    url = _url_field(_l("A link to evidence (optional)"))
    # The public revision the reader was reading (a link from an older revision sends it).
    revision = HiddenField()


class ConvertForm(Form):
    """Turn a suggestion into a claim on the desk."""

    text = TextAreaField(
        _l("The claim"), validators=[DataRequired(_l("Give the claim's wording.")), Length(max=5000)]
    )
    claimant = StringField(
        _l("Who made the claim"),
        validators=[DataRequired(_l("Say who made the claim.")), Length(max=MAX_CLAIMANT_LENGTH)],
    )
    url = StringField(
        _l("Where it appeared"),
        validators=[Optional(), Length(max=MAX_URL_LENGTH), http_url],
    )


class AnswerForm(Form):
    response = TextAreaField(
        _l("Answer to the reader"),
        validators=[DataRequired(_l("Write the answer first.")), Length(max=MAX_RESPONSE_LENGTH)],
    )


class CloseForm(Form):
    response = TextAreaField(
        _l("Why (optional, for the team)"), validators=[Optional(), Length(max=MAX_RESPONSE_LENGTH)]
    )
