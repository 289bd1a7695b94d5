"""Forms of the desk's publishing pages: publish a ready claim, publish a later revision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from factcheck.publishing.models import KIND_LABELS, PublicationKind
from factcheck.publishing.operations import MAX_NOTE_LENGTH, MAX_REASON_LENGTH, REVISION_KINDS
from factcheck.web.forms import Form, choices

# What a hidden version field may hold: digits, or nothing.
_VERSION = [
    Optional(),
    Regexp(r"^[0-9]{1,9}$", message=_l("This form is damaged; reload the page and try again.")),
]

# What each kind of revision is for, as the form explains it.
KIND_HINTS = {
    PublicationKind.CORRECTION: _l("We were wrong: the verdict, a fact or a source was in error."),
    PublicationKind.UPDATE: _l("New facts came to light since we published."),
    PublicationKind.RETRACTION: _l("The verdict cannot stand at all. Final: nothing is published after it."),
}


def version_of(field: HiddenField) -> int | None:
    """The number a hidden version field sent back, or None if it sent none."""
    return int(field.data) if field.data not in (None, "") else None


class PublishForm(Form):
    reason = TextAreaField(
        _l("Note for the history (optional)"),
        validators=[Optional(), Length(max=MAX_REASON_LENGTH)],
    )
    # The verdict version the preview showed; a verdict changed since must be looked at again.
    verdict_version = HiddenField(validators=_VERSION)


class RevisionForm(Form):
    kind = RadioField(
        _l("Kind of revision"),
        choices=choices((kind.value, KIND_LABELS[kind]) for kind in REVISION_KINDS),
        validators=[DataRequired(_l("Choose a correction, an update or a retraction."))],
        validate_choice=False,
    )
    note = TextAreaField(
        _l("Public note: what changed and why"),
        validators=[
            DataRequired(_l("Write the public note: what changed and why.")),
            Length(max=MAX_NOTE_LENGTH),
        ],
    )
    # What the editor saw: the latest revision and the verdict version, so news published
    # or saved meanwhile is looked at before it goes out.
    latest_revision = HiddenField(validators=_VERSION)
    verdict_version = HiddenField(validators=_VERSION)
