from __future__ import annotations

from wtforms import DateField, SelectField
from wtforms.validators import Optional

from factcheck.web.forms import Form, choices


class LogFilterForm(Form):
    """Filters of the audit log page; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    actor = SelectField("Actor", choices=[], default="", validators=[Optional()])
    record = SelectField("Record type", choices=[], default="", validators=[Optional()])
    action = SelectField(
        "Action",
        choices=choices(
            [("", "Any action"), ("INSERT", "Created"), ("UPDATE", "Changed"), ("DELETE", "Deleted")]
        ),
        default="",
        validators=[Optional()],
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        if valid and self.since.data and self.until.data and self.since.data > self.until.data:
            self.until.errors = ["The end date is before the start date."]
            return False
        return valid
