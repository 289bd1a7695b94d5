from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from factcheck.accounts.models import ROLE_LABELS, Role, TokenScope
from factcheck.accounts.passwords import MAX_PASSWORD_LENGTH
from factcheck.web.forms import Form, choices

ROLE_CHOICES = choices((role.value, ROLE_LABELS[role.value]) for role in Role)


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class NewPasswordMixin:
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
    )


class ChangePasswordForm(NewPasswordMixin, Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class CreateUserForm(NewPasswordMixin, Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.REVIEWER.value)


class EditUserForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    is_disabled = BooleanField(_l("Account disabled (cannot sign in; open sessions end)"))
    require_new_password = BooleanField(
        _l("Require a new password at the next sign-in (open sessions end; nothing else until it is set)")
    )


class NewTokenForm(Form):
    """An API token for oneself (factcheck/api/tokens.py)."""

    name = StringField(_l("What is it for?"), validators=[Length(max=120)])
    scope = SelectField(
        _l("Scope"),
        choices=choices(
            [(TokenScope.READ.value, _l("Read only")), (TokenScope.WRITE.value, _l("Read and write"))]
        ),
        default=TokenScope.READ.value,
    )
    expires_in_days = IntegerField(
        _l("Expires after (days)"), validators=[Optional(), NumberRange(min=1, max=3650)]
    )
