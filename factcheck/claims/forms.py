"""Forms of the claim page: editing a claim, moving it through the workflow, tags, assignees."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from factcheck.claims.editing import MAX_CLAIMANT_LENGTH, MAX_TAG_LENGTH, MAX_TEXT_LENGTH
from factcheck.claims.models import ClaimantKind, ClaimState
from factcheck.claims.workflow import MAX_COMMENT_LENGTH
from factcheck.db import utcnow
from factcheck.web.forms import Form, choices

STATE_VALUES = frozenset(state.value for state in ClaimState)
CLAIMANT_KIND_CHOICES = [
    (ClaimantKind.PERSON.value, _l("A person")),
    (ClaimantKind.ORGANISATION.value, _l("An organisation (a party, a company, a page, a group)")),
    (ClaimantKind.UNKNOWN.value, _l("Not known")),
]


def claimant_kind_field() -> RadioField:
    """The claimant's kind; a value not offered fails RadioField's own check ("Not a valid choice").

    Optional: a post without it (an older page, a script) keeps the claim's kind, see :func:`sent_kind`.
    """
    return RadioField(
        _l("The claimant is"),
        choices=choices(CLAIMANT_KIND_CHOICES),
        default=ClaimantKind.UNKNOWN.value,
        validators=[Optional()],
    )


def sent_kind(field: RadioField) -> ClaimantKind | None:
    """The kind the form sent, or None when it sent none (then the claim keeps its kind)."""
    if not field.raw_data or not field.data:
        return None
    return ClaimantKind(field.data)


def _a_state(_form: Any, field: Any) -> None:
    if field.data and field.data not in STATE_VALUES:
        raise ValidationError(_("There is no such state."))


class ClaimForm(Form):
    text = TextAreaField(
        _l("Wording"), validators=[DataRequired(_l("Give the claim's wording.")), Length(max=MAX_TEXT_LENGTH)]
    )
    claimant = StringField(
        _l("Claimant"),
        validators=[DataRequired(_l("Say who made the claim.")), Length(max=MAX_CLAIMANT_LENGTH)],
    )
    claimant_kind = claimant_kind_field()
    claimed_on = DateField(_l("Claim date"), validators=[Optional()])
    review_by = DateField(_l("Review by"), validators=[Optional()])
    # The claim's version the person started from (see factcheck.web.conflicts).
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    def validate_claimed_on(self, field: Any) -> None:
        # A day of slack: "today" in the claimant's time zone may be tomorrow in UTC.
        if field.data and (field.data - utcnow().date()).days > 1:
            raise ValidationError(_("The claim date cannot be in the future."))


class TransitionForm(Form):
    to_state = HiddenField(validators=[DataRequired(_l("Choose where to move the claim.")), _a_state])
    # The state the person saw, so a move chosen on a stale page is refused.
    from_state = HiddenField(validators=[Optional(), _a_state])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)])


class TagForm(Form):
    name = StringField(_l("Tag"), validators=[DataRequired(_l("Type a tag.")), Length(max=MAX_TAG_LENGTH)])


class AssignForm(Form):
    user_id = IntegerField(_l("Person"), validators=[InputRequired(_l("Choose a person to assign."))])
