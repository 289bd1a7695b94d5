from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from factcheck.ratings.models import RatingLabel
from factcheck.ratings.translations import label_name
from factcheck.web.forms import Form, choices


class RatingForm(Form):
    label = SelectField(
        _l("Your rating"), validators=[DataRequired(_l("Choose a label from the rating scale."))]
    )
    reasoning = TextAreaField(
        _l("Your reasoning"),
        validators=[DataRequired(_l("Say briefly why you rate the claim this way.")), Length(max=20000)],
    )

    def offer(self, labels: list[RatingLabel]) -> RatingForm:
        self.label.choices = choices(
            [
                ("", _("Choose a label…")),
                *((str(label.id), label_name(label, get_locale())) for label in labels),
            ]
        )
        return self
