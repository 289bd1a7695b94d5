from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from factcheck.web.forms import Form, choices


class LogFilterForm(Form):
    """Filters of the audit log page; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    actor = SelectField(_l("Actor"), choices=[], default="", validators=[Optional()])
    record = SelectField(_l("Record type"), choices=[], default="", validators=[Optional()])
    action = SelectField(
        _l("Action"),
        choices=choices(
            [
                ("", _l("Any action")),
                ("INSERT", _l("Created")),
                ("UPDATE", _l("Changed")),
                ("DELETE", _l("Deleted")),
            ]
        ),
        default="",
        validators=[Optional()],
    )
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        valid = super().validate(extra_validators)
        if valid and self.since.data and self.until.data and self.since.data > self.until.data:
            self.until.errors = [_("The end date is before the start date.")]
            return False
        return valid
