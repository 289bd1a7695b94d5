"""The form for adding a document: pasted text or an uploaded file, and what is known about it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from factcheck.documents.extract import ACCEPTED
from factcheck.documents.operations import (
    LANGUAGE_TAG,
    MAX_NAME_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_URL_LENGTH,
)
from factcheck.web.forms import Form
from factcheck.web.urls import http_url


def language_tag(_form: Any, field: Any) -> None:
    if field.data and not LANGUAGE_TAG.fullmatch(field.data):
        raise ValidationError(_("Give a language tag such as en, ru or pt-BR."))


class DocumentForm(Form):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=MAX_TITLE_LENGTH)])
    text = TextAreaField(_l("Text"), validators=[Optional()])
    upload = FileField(
        _l("Or upload a file (%(accepted)s)", accepted=ACCEPTED),
        render_kw={"accept": ".txt,.md,.html,.htm,.pdf"},
    )
    # Fetched by the worker, read and archived (factcheck/documents/fetching.py).
    fetch_url = StringField(
        _l("Or fetch it from the web"),
        validators=[Optional(), Length(max=MAX_URL_LENGTH), http_url],
        render_kw={"inputmode": "url"},
    )
    url = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=MAX_URL_LENGTH), http_url],
        render_kw={"inputmode": "url"},
    )
    outlet = StringField(_l("Outlet"), validators=[Optional(), Length(max=MAX_NAME_LENGTH)])
    author = StringField(_l("Author"), validators=[Optional(), Length(max=MAX_NAME_LENGTH)])
    published_on = DateField(_l("Publication date"), validators=[Optional()])
    language = StringField(_l("Language"), validators=[Optional(), Length(max=35), language_tag])
    # Shown once the same text turns out to be on the desk already.
    add_anyway = BooleanField(_l("Add it anyway (the same text is already on the desk)"))

    def uploaded(self) -> Any | None:
        """The uploaded file, or None when no file was chosen."""
        storage = self.upload.data
        return storage if storage is not None and getattr(storage, "filename", "") else None


class DocumentEditForm(Form):
    """Corrections to a document's details and text (a changed text re-anchors its quotes)."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=MAX_TITLE_LENGTH)])
    author = StringField(_l("Author"), validators=[Optional(), Length(max=MAX_NAME_LENGTH)])
    outlet = StringField(_l("Outlet"), validators=[Optional(), Length(max=MAX_NAME_LENGTH)])
    published_on = DateField(_l("Publication date"), validators=[Optional()])
    language = StringField(_l("Language"), validators=[Optional(), Length(max=35), language_tag])
    url = StringField(
        _l("Web address"),
        validators=[Optional(), Length(max=MAX_URL_LENGTH), http_url],
        render_kw={"inputmode": "url"},
    )
    text = TextAreaField(_l("Text"), validators=[Optional()], render_kw={"dir": "auto", "rows": 20})
