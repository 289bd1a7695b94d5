"""The notification forms: each a button or a choice, each with its CSRF token."""

from __future__ import annotations

from wtforms import RadioField

from factcheck.notifications.models import EmailMode
from factcheck.web.forms import Form, choices


class ButtonForm(Form):
    """Follow, unfollow, mark read: nothing but the CSRF token."""


class EmailModeForm(Form):
    email = RadioField(
        "Notification e-mail",
        choices=choices([(mode.value, mode.label) for mode in EmailMode]),
        default=EmailMode.AT_ONCE.value,
    )
