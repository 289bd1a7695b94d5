"""Forms for capturing a claim and for recording where a claim appeared."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from factcheck.claims.capturing import MAX_QUOTE_LENGTH, AppearanceValues
from factcheck.claims.editing import MAX_CLAIMANT_LENGTH, MAX_TEXT_LENGTH, ClaimValues
from factcheck.claims.forms import claimant_kind_field, sent_kind
from factcheck.db import utcnow
from factcheck.documents.models import Document
from factcheck.documents.operations import MAX_URL_LENGTH
from factcheck.web.forms import Form
from factcheck.web.urls import http_url


def _not_in_future(_form: Any, field: Any) -> None:
    # A day of slack: "today" where it happened may be tomorrow in UTC.
    if field.data and (field.data - utcnow().date()).days > 1:
        raise ValidationError(_("The date cannot be in the future."))


def _whole_number(value: str | None) -> int | None:
    """A position sent by the page's script; a malformed one is ignored (the quote is the truth)."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number >= 0 else None


class AppearanceForm(Form):
    """The fields of one appearance; :meth:`validate_appearance` checks them alone."""

    appearance_fields: tuple[str, ...] = ()

    def validate_appearance(self) -> bool:
        """Validate only the appearance's fields (attaching it to another claim needs nothing else)."""
        valid = True
        for name in self.appearance_fields:
            field = self[name]
            if not field.validate(self):
                valid = False
            elif isinstance(field.data, str) and "\x00" in field.data:
                field.errors = [*field.errors, _("This contains a character that is not allowed.")]
                valid = False
        return valid


class QuoteFields(AppearanceForm):
    """A quote from a document: typed or pasted by the person, or selected in the page
    (then the page's script also sends the context and position, in code points)."""

    quote_exact = TextAreaField(
        _l("Quote from the document"),
        validators=[
            DataRequired(_l("Select the passage in the document, or paste it here.")),
            Length(max=MAX_QUOTE_LENGTH),
        ],
    )
    quote_prefix = HiddenField()
    quote_suffix = HiddenField()
    position_start = HiddenField()
    position_end = HiddenField()
    appeared_on = DateField(_l("Date it appeared"), validators=[Optional(), _not_in_future])

    appearance_fields = (
        "quote_exact",
        "quote_prefix",
        "quote_suffix",
        "position_start",
        "position_end",
        "appeared_on",
    )

    def appearance(self, document: Document) -> AppearanceValues:
        return AppearanceValues(
            document=document,
            quote=self.quote_exact.data,
            prefix=self.quote_prefix.data or None,
            suffix=self.quote_suffix.data or None,
            start=_whole_number(self.position_start.data),
            end=_whole_number(self.position_end.data),
            appeared_on=self.appeared_on.data,
        )


class UrlFields(AppearanceForm):
    """A place on the web, or a broadcast's page: where the claim appeared outside our documents."""

    url = StringField(
        _l("Web address where it appeared"),
        validators=[
            DataRequired(_l("Give the web address where the claim appeared.")),
            Length(max=MAX_URL_LENGTH),
            http_url,
        ],
        render_kw={"inputmode": "url"},
    )
    appeared_on = DateField(_l("Date it appeared"), validators=[Optional(), _not_in_future])

    appearance_fields = ("url", "appeared_on")

    def appearance(self) -> AppearanceValues:
        return AppearanceValues(url=self.url.data, appeared_on=self.appeared_on.data)


class ClaimFields:
    """The claim itself: its wording, who made it and when."""

    text = TextAreaField(
        _l("Wording"), validators=[DataRequired(_l("Give the claim's wording.")), Length(max=MAX_TEXT_LENGTH)]
    )
    claimant = StringField(
        _l("Claimant"),
        validators=[DataRequired(_l("Say who made the claim.")), Length(max=MAX_CLAIMANT_LENGTH)],
    )
    claimant_kind = claimant_kind_field()
    claimed_on = DateField(_l("Date the claim was made"), validators=[Optional(), _not_in_future])

    def claim_values(self) -> ClaimValues:
        return ClaimValues(
            text=self.text.data or "",
            claimant=self.claimant.data or "",
            claimant_kind=sent_kind(self.claimant_kind),
            claimed_on=self.claimed_on.data,
        )

    def wording(self) -> str:
        """What similar claims are looked for with: the wording, or else the quote."""
        return self.text.data or getattr(getattr(self, "quote_exact", None), "data", None) or ""


class CaptureFromDocumentForm(ClaimFields, QuoteFields):
    # Tells the "attach to that claim instead" route which document the quote is from.
    document_id = HiddenField()


class CaptureWithUrlForm(ClaimFields, UrlFields):
    pass


class AddQuoteForm(QuoteFields):
    """An appearance in one of the desk's documents, for an existing claim."""

    kind = HiddenField(default="document")
    document = SelectField(_l("Document"), coerce=int, validators=[InputRequired(_l("Choose the document."))])

    appearance_fields = ("document", *QuoteFields.appearance_fields)


class AddUrlForm(UrlFields):
    """An appearance elsewhere (a post, a broadcast), for an existing claim."""

    kind = HiddenField(default="url")
