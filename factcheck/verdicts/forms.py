from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from factcheck.ratings.models import RatingLabel
from factcheck.ratings.translations import label_name
from factcheck.verdicts.operations import VerdictValues
from factcheck.web.forms import Form, choices

# The hidden version a form was based on: digits, or nothing for a new record.
VERSION_CHECK = [
    Optional(),
    Regexp(r"^[0-9]{1,9}$", message=_l("This form is damaged; reload the page and try again.")),
]


def based_on(field: Field) -> int | None:
    """The version number sent back by the form, or None if there was none."""
    return int(field.data) if field.data not in (None, "") else None


class VerdictForm(Form):
    label_id = SelectField(_l("Rating"), validators=[Optional()], default="")
    headline = StringField(
        _l("Headline"), validators=[DataRequired(_l("Write a headline.")), Length(max=300)]
    )
    summary = TextAreaField(_l("Summary (one paragraph, Markdown)"), validators=[Length(max=5000)])
    explanation = TextAreaField(
        _l("Explanation (Markdown; cite the sources)"), validators=[Length(max=100000)]
    )
    reason = TextAreaField(_l("Reason for the change"), validators=[Optional(), Length(max=2000)])
    # The version the editor started from; a save based on an older one is a conflict.
    version = HiddenField(validators=VERSION_CHECK)

    def offer(self, labels: list[RatingLabel]) -> VerdictForm:
        self.label_id.choices = choices(
            [
                ("", _("Not decided yet")),
                *((str(label.id), label_name(label, get_locale())) for label in labels),
            ]
        )
        return self

    def chosen_label_id(self) -> int | None:
        return int(self.label_id.data) if self.label_id.data else None

    def values(self) -> VerdictValues:
        return VerdictValues(
            headline=self.headline.data or "",
            label_id=self.chosen_label_id(),
            summary=self.summary.data or "",
            explanation=self.explanation.data or "",
        )
