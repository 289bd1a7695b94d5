"""The notification forms: each a button or a choice, each with its CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField

from factcheck.notifications.models import EMAIL_MODE_LABELS, EmailMode
from factcheck.web.forms import Form, choices


class ButtonForm(Form):
    """Follow, unfollow, mark read: nothing but the CSRF token."""


class EmailModeForm(Form):
    email = RadioField(
        _l("Notification e-mail"),
        choices=choices([(mode.value, EMAIL_MODE_LABELS[mode.value]) for mode in EmailMode]),
        default=EmailMode.AT_ONCE.value,
    )
