"""Building documents with captured claims, and reading document pages back."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

import lxml.html
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.anchoring import select_quote
from factcheck.claims.models import Appearance, Claim, ClaimState, ClaimTransition
from factcheck.documents.models import Document
from factcheck.documents.operations import text_digest


def make_document(
    db: Session, creator: User, text: str, *, title: str = "A document", **fields: Any
) -> Document:
    document = Document(title=title, text=text, text_sha256=text_digest(text), created_by=creator, **fields)
    db.add(document)
    db.commit()
    return document


def capture(
    db: Session,
    document: Document,
    quote: str,
    creator: User,
    *,
    occurrence: int = 0,
    text: str | None = None,
) -> Appearance:
    """A new claim whose wording is ``text`` (or the quote), anchored to the quote in the document."""
    selector = select_quote(document.text, quote, occurrence=occurrence)
    claim = Claim(text=text or quote, claimant="Someone", created_by=creator, state=ClaimState.NEW)
    claim.transitions.append(ClaimTransition(from_state=None, to_state=ClaimState.NEW, actor=creator))
    appearance = Appearance(
        document=document,
        quote_exact=selector.exact,
        quote_prefix=selector.prefix,
        quote_suffix=selector.suffix,
        position_start=selector.start,
        position_end=selector.end,
        created_by=creator,
    )
    claim.appearances.append(appearance)
    db.add(claim)
    db.commit()
    return appearance


def documents(db: Session) -> list[Document]:
    db.expire_all()
    return list(db.scalars(select(Document).order_by(Document.id)))


def upload(filename: str, data: bytes, **fields: Any) -> dict[str, Any]:
    """Form data with a file, for ``client.post(..., data=..., content_type="multipart/form-data")``."""
    return {**fields, "upload": (io.BytesIO(data), filename)}


def page(response: Any) -> Any:
    return lxml.html.fromstring(response.get_data(as_text=True))


def field_error(response: Any, field: str) -> str:
    """The error message shown next to a form field ('' when none)."""
    found = page(response).get_element_by_id(f"{field}-error", None)
    return found.text_content().strip() if found is not None else ""


def document_text(response: Any) -> Any:
    """The element holding the document's text."""
    containers = page(response).find_class("document-text")
    assert len(containers) == 1
    return containers[0]


class _ContainerText(HTMLParser):
    """The text inside the document-text element, exactly as a browser's DOM holds it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.depth += tag not in VOID_ELEMENTS
        elif tag == "div" and "document-text" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


VOID_ELEMENTS = frozenset({"br", "img", "input", "wbr", "hr"})


def text_in_page(response: Any) -> str:
    """The document text a script reads from the page's text container (its textContent)."""
    parser = _ContainerText()
    parser.feed(response.get_data(as_text=True))
    parser.close()
    return "".join(parser.parts)
