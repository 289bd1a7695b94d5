"""Capturing claims: a new claim with where it appeared, or one more appearance of a known claim.

An appearance is either a quote from one of the desk's documents or a web
address (a post, a broadcast's page). A quote is always looked up in the
document's text here, whatever the browser sent: the stored selectors are the
text's own (see :mod:`factcheck.claims.anchoring`), and a quote the text does not
hold is refused with a message for the person who pasted it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from factcheck.claims.anchoring import anchor, selector_at
from factcheck.claims.editing import ClaimEditError, ClaimValues
from factcheck.claims.models import AnchorStatus, Appearance, Claim, ClaimantKind, ClaimState, ClaimTransition
from factcheck.documents.models import Document
from factcheck.documents.operations import DocumentError, clean_url
from factcheck.security.permissions import Permission, require

# Longest quote accepted, in characters (a claim is a sentence or two, not an article).
MAX_QUOTE_LENGTH = 5000


class CaptureError(ValueError):
    """A capture the rules refuse; ``field`` names the form field to show the message on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass
class AppearanceValues:
    """Where a claim appeared: a quote from a document, or a web address.

    ``prefix``, ``suffix``, ``start`` and ``end`` come from a selection in the
    document's page (code points); without them the quote's first occurrence counts.
    """

    document: Document | None = None
    quote: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None
    url: str | None = None
    appeared_on: date | None = None

    def columns(self) -> dict[str, Any]:
        """The appearance's columns. Raises CaptureError for a quote not in the document,
        an overlong quote, or a missing or unsafe web address."""
        if self.document is None:
            try:
                url = clean_url(self.url)
            except DocumentError as error:
                raise CaptureError("url", str(error)) from None
            if url is None:
                raise CaptureError("url", _("Give the web address where the claim appeared."))
            return {"url": url, "appeared_on": self.appeared_on}
        # Browsers send line breaks in form fields as CRLF; the stored text has LF only.
        quote = _lines(self.quote).strip()
        if not quote:
            raise CaptureError("quote_exact", _("Select the passage in the document, or paste it here."))
        if len(quote) > MAX_QUOTE_LENGTH:
            raise CaptureError(
                "quote_exact", _("The quote is longer than %(max)d characters.", max=MAX_QUOTE_LENGTH)
            )
        span = anchor(
            self.document.text, quote, _lines(self.prefix), _lines(self.suffix), self.start, self.end
        )
        if span is None:
            raise CaptureError(
                "quote_exact",
                _(
                    "This quote is not in the document. Copy it exactly from the document's text, "
                    "or select it on the document's page."
                ),
            )
        selector = selector_at(self.document.text, *span)
        return {
            "document": self.document,
            "appeared_on": self.appeared_on or self.document.published_on,
            "quote_exact": selector.exact,
            "quote_prefix": selector.prefix,
            "quote_suffix": selector.suffix,
            "position_start": selector.start,
            "position_end": selector.end,
            "page": self.document.page_at(selector.start),
            "anchor_status": AnchorStatus.ANCHORED,
        }


def _lines(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def capture_claim(db: Session, actor: Any, claim: ClaimValues, appearance: AppearanceValues) -> Claim:
    """A new claim (state new) with its first appearance and the transition that opened it.

    Raises PermissionDenied, or CaptureError for invalid values.
    """
    require(actor, Permission.CONTRIBUTE)
    try:
        checked = claim.checked()
    except ClaimEditError as error:
        raise CaptureError(error.field, str(error)) from None
    columns = appearance.columns()
    captured = Claim(
        text=checked["text"],
        claimant=checked["claimant"],
        claimant_kind=checked.get("claimant_kind", ClaimantKind.UNKNOWN),
        claimed_on=checked["claimed_on"],
        state=ClaimState.NEW,
        created_by_id=actor.id,
    )
    captured.transitions.append(ClaimTransition(from_state=None, to_state=ClaimState.NEW, actor_id=actor.id))
    captured.appearances.append(Appearance(**columns, created_by_id=actor.id))
    db.add(captured)
    db.flush()
    return captured


def add_appearance(db: Session, actor: Any, claim: Claim, appearance: AppearanceValues) -> Appearance:
    """Record one more place the claim appeared.

    Raises PermissionDenied, or CaptureError for invalid values and for an
    appearance the claim already has (the same span of a document, or the same address).
    """
    require(actor, Permission.CONTRIBUTE)
    columns = appearance.columns()
    for known in claim.appearances:
        if "document" in columns:
            same = known.document_id == columns["document"].id and (
                known.position_start,
                known.position_end,
            ) == (
                columns["position_start"],
                columns["position_end"],
            )
            field = "quote_exact"
        else:
            same = known.document_id is None and known.url == columns["url"]
            field = "url"
        if same:
            raise CaptureError(field, _("Claim #%(id)s already has this appearance.", id=claim.id))
    added = Appearance(**columns, created_by_id=actor.id)
    claim.appearances.append(added)
    db.flush()
    return added
