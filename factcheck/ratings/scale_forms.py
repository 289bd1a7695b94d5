"""The admin's form for one rating label's name and definition in the interface's other languages."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from factcheck.ratings.translations import TRANSLATED_LANGUAGES, LabelText
from factcheck.web.forms import Form

# As long as the label's own columns (rating_labels.name, and a definition is a paragraph).
MAX_NAME_LENGTH = 80
MAX_DEFINITION_LENGTH = 2_000


class LabelTranslationsForm(Form):
    """A name and a definition per translated language (``name_es``, ``definition_es``, ...);
    both may be left empty: readers then see the label's own text."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        # A field left out of the submission is not an emptied one: refuse rather than erase.
        for field in self:
            if field.name != "csrf_token" and not field.raw_data:
                field.errors = [*field.errors, _("This field was missing from the form.")]
                valid = False
        return valid

    def language_fields(self, language: str) -> tuple[Any, Any]:
        return self[f"name_{language}"], self[f"definition_{language}"]

    def texts(self) -> dict[str, LabelText]:
        return {
            language: LabelText(name.data or "", definition.data or "")
            for language in TRANSLATED_LANGUAGES
            for name, definition in [self.language_fields(language)]
        }


for _language in TRANSLATED_LANGUAGES:
    setattr(
        LabelTranslationsForm,
        f"name_{_language}",
        StringField(_l("Name"), validators=[Length(max=MAX_NAME_LENGTH)]),
    )
    setattr(
        LabelTranslationsForm,
        f"definition_{_language}",
        TextAreaField(_l("Definition"), validators=[Length(max=MAX_DEFINITION_LENGTH)]),
    )
