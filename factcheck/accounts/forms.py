from __future__ import annotations

from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from factcheck.accounts.models import Role, TokenScope
from factcheck.accounts.passwords import MAX_PASSWORD_LENGTH
from factcheck.web.forms import Form, choices

ROLE_CHOICES = choices((role.value, role.label) for role in Role)


class LoginForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class NewPasswordMixin:
    password = PasswordField("New password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", "The passwords differ.")],
    )


class ChangePasswordForm(NewPasswordMixin, Form):
    current_password = PasswordField("Current password", validators=[DataRequired()])


class CreateUserForm(NewPasswordMixin, Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.REVIEWER.value)


class EditUserForm(Form):
    role = SelectField("Role", choices=ROLE_CHOICES)
    is_disabled = BooleanField("Account disabled (cannot sign in; open sessions end)")
    require_new_password = BooleanField(
        "Require a new password at the next sign-in (open sessions end; nothing else until it is set)"
    )


class NewTokenForm(Form):
    """An API token for oneself (factcheck/api/tokens.py)."""

    name = StringField("What is it for?", validators=[Length(max=120)])
    scope = SelectField(
        "Scope",
        choices=choices([(TokenScope.READ.value, "Read only"), (TokenScope.WRITE.value, "Read and write")]),
        default=TokenScope.READ.value,
    )
    expires_in_days = IntegerField(
        "Expires after (days)", validators=[Optional(), NumberRange(min=1, max=3650)]
    )
