"""The base class of every form: CSRF-protected, with text trimmed on the way in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import SelectChoice


def strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            # Passwords keep their spaces; every other text field is trimmed.
            if unbound_field.field_class.__name__ != "PasswordField":
                options["filters"] = (*options.get("filters", ()), strip_text)
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
        for field in self:
            if isinstance(field.data, str) and "\x00" in field.data:
                field.errors = [*field.errors, _("This contains a character that is not allowed.")]
                valid = False
        return valid


def form_status(form: FlaskForm) -> int:
    """422 when a submitted form is shown again with errors, so the request's
    transaction rolls back and scripts see the failure; 200 otherwise."""
    return 422 if form.errors else 200


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
