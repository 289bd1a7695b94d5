from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, Field, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from factcheck.sources.models import SourceKind, Stance
from factcheck.sources.operations import SourceValues
from factcheck.web.forms import Form, choices
from factcheck.web.urls import http_url

# The hidden version a form was based on: digits, or nothing for a new record.
VERSION_CHECK = [
    Optional(),
    Regexp(r"^[0-9]{1,9}$", message=_l("This form is damaged; reload the page and try again.")),
]


def based_on(field: Field) -> int | None:
    """The version number sent back by the form, or None if there was none."""
    return int(field.data) if field.data not in (None, "") else None


class SourceForm(Form):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the source a title.")), Length(max=500)]
    )
    url = StringField(
        _l("Web address"), validators=[Optional(), Length(max=2000), http_url], render_kw={"inputmode": "url"}
    )
    citation = TextAreaField(_l("Full citation"), validators=[Optional(), Length(max=5000)])
    publisher = StringField(_l("Publisher"), validators=[Optional(), Length(max=200)])
    published_on = DateField(_l("Date"), validators=[Optional()])
    kind = SelectField(
        _l("Kind"),
        choices=choices((kind.value, kind.lazy_label) for kind in SourceKind),
        default=SourceKind.OTHER.value,
    )
    stance = SelectField(
        _l("Stance toward the claim"),
        choices=choices((stance.value, stance.lazy_label) for stance in Stance),
        default=Stance.CONTEXT.value,
    )
    quote = TextAreaField(_l("The passage that matters"), validators=[Optional(), Length(max=20000)])
    note = TextAreaField(
        _l("Your note (for the team, never public)"), validators=[Optional(), Length(max=20000)]
    )
    is_primary = BooleanField(_l("Primary source"))
    # The version the person edits; a save based on an older one is a conflict.
    version = HiddenField(validators=VERSION_CHECK)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if not self.url.data and not self.citation.data:
            self.url.errors = [*self.url.errors, _("Give a web address or a full citation (or both).")]
            valid = False
        return valid

    def values(self) -> SourceValues:
        return SourceValues(
            title=self.title.data or "",
            url=self.url.data,
            citation=self.citation.data,
            publisher=self.publisher.data,
            published_on=self.published_on.data,
            kind=SourceKind(self.kind.data),
            stance=Stance(self.stance.data),
            quote=self.quote.data,
            note=self.note.data,
            is_primary=bool(self.is_primary.data),
        )


class RemoveForm(Form):
    """The confirmation of a removal, carrying the version the person saw."""

    version = HiddenField(validators=VERSION_CHECK)
