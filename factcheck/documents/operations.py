"""Adding documents, and keeping the quotes captured in them anchored."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from factcheck.claims.anchoring import anchor
from factcheck.claims.models import AnchorStatus, Appearance
from factcheck.documents.extract import normalise_text, readable_size
from factcheck.documents.models import Document, DocumentFile
from factcheck.documents.titles import guess_title
from factcheck.security.permissions import Permission, require
from factcheck.web.urls import UrlProblem, clean_http_url

MAX_TITLE_LENGTH = 500
MAX_URL_LENGTH = 2000
MAX_NAME_LENGTH = 200
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
# Bytes of UTF-8 text a document may hold unless the app says otherwise (MAX_DOCUMENT_BYTES).
DEFAULT_MAX_BYTES = 2 * 1024 * 1024


class DocumentError(ValueError):
    """Values the rules refuse; ``field`` names the form field to show the message on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def clean_url(url: str | None, field: str = "url") -> str | None:
    """The web address as stored, or None when empty; DocumentError on ``field`` otherwise."""
    try:
        return clean_http_url(url, MAX_URL_LENGTH)
    except UrlProblem as problem:
        raise DocumentError(field, str(problem)) from None


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class DocumentValues:
    """What a person gives for a new document; empty text means "not given"."""

    title: str | None
    text: str
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published_on: date | None = None
    language: str | None = None
    # Read from a PDF: where each page starts, and the original file kept for staff.
    page_starts: list[int] | None = None
    file_name: str | None = None
    file_type: str | None = None
    file_content: bytes | None = None

    def checked(self, max_bytes: int = DEFAULT_MAX_BYTES) -> dict[str, Any]:
        """The values as columns. Raises DocumentError for a missing, oversized or malformed value.

        Without a title, one is guessed from the text (its first heading or sentence).
        """
        text = normalise_text(self.text or "")
        if not text:
            raise DocumentError("text", _("Paste the document's text or upload a file."))
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise DocumentError(
                "text",
                _(
                    "The text is too long: %(size)s, the most is %(max)s.",
                    size=readable_size(size),
                    max=readable_size(max_bytes),
                ),
            )
        title = " ".join((self.title or "").split()) or guess_title(text)
        language = (self.language or "").strip() or None
        if language and not LANGUAGE_TAG.fullmatch(language):
            raise DocumentError("language", _("Give a language tag such as en, ru or pt-BR."))
        values = {
            "title": title[:MAX_TITLE_LENGTH],
            "text": text,
            "text_sha256": text_digest(text),
            "url": clean_url(self.url),
            "outlet": _optional(self.outlet),
            "author": _optional(self.author),
            "published_on": self.published_on,
            "language": language,
            "page_starts": self.page_starts,
            "file_name": self.file_name[:255] if self.file_name else None,
            "file_type": self.file_type,
            "file_sha256": hashlib.sha256(self.file_content).hexdigest() if self.file_content else None,
        }
        for name in ("outlet", "author"):
            if values[name] and len(values[name]) > MAX_NAME_LENGTH:
                raise DocumentError(name, _("This is longer than %(max)d characters.", max=MAX_NAME_LENGTH))
        return values


def _optional(value: str | None) -> str | None:
    return (value or "").strip() or None


def add_document(
    db: Session, actor: Any, values: DocumentValues, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Store a new document. Raises PermissionDenied or DocumentError."""
    require(actor, Permission.CONTRIBUTE)
    document = Document(**values.checked(max_bytes), created_by_id=actor.id)
    if values.file_content:
        document.file = DocumentFile(content=values.file_content)
    db.add(document)
    db.flush()
    return document


def same_text(db: Session, text: str, *, exclude_id: int | None = None) -> list[Document]:
    """Documents holding exactly this text (after the same normalisation as when stored)."""
    query = (
        select(Document)
        .options(defer(Document.text))
        .where(Document.text_sha256 == text_digest(normalise_text(text)))
    )
    if exclude_id is not None:
        query = query.where(Document.id != exclude_id)
    return list(db.scalars(query.order_by(Document.id)))


# --- anchors -----------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """An appearance found in its document's text now, at [start, end) in code points."""

    appearance: Appearance
    start: int
    end: int


@dataclass
class Anchors:
    """The appearances of one document: where each one is now, and those no longer found."""

    placed: list[Placed]
    orphaned: list[Appearance]

    @property
    def stale(self) -> list[Appearance]:
        """Appearances whose stored position or status differs from what the text says now."""
        moved = [
            p.appearance
            for p in self.placed
            if (p.appearance.position_start, p.appearance.position_end) != (p.start, p.end)
            or p.appearance.anchor_status != AnchorStatus.ANCHORED
        ]
        lost = [a for a in self.orphaned if a.anchor_status != AnchorStatus.ORPHANED]
        return moved + lost


def place_appearances(document: Document) -> Anchors:
    """Anchor every appearance of the document against its current text."""
    placed: list[Placed] = []
    orphaned: list[Appearance] = []
    for appearance in sorted(document.appearances, key=lambda a: a.id):
        span = anchor(
            document.text,
            appearance.quote_exact,
            appearance.quote_prefix,
            appearance.quote_suffix,
            appearance.position_start,
            appearance.position_end,
        )
        if span is None:
            orphaned.append(appearance)
        else:
            placed.append(Placed(appearance, *span))
    return Anchors(placed, orphaned)


def reanchor_document(db: Session, actor: Any, document: Document) -> Anchors:
    """Store where each quote of the document is now, and flag the ones no longer found as orphaned.

    An orphaned appearance keeps its quote and last known position, so nothing is lost;
    if the quote comes back, the next re-anchoring marks it anchored again.
    """
    require(actor, Permission.CONTRIBUTE)
    anchors = place_appearances(document)
    for placed in anchors.placed:
        appearance = placed.appearance
        if (appearance.position_start, appearance.position_end) != (placed.start, placed.end):
            appearance.position_start, appearance.position_end = placed.start, placed.end
        if appearance.anchor_status != AnchorStatus.ANCHORED:
            appearance.anchor_status = AnchorStatus.ANCHORED
    for appearance in anchors.orphaned:
        if appearance.anchor_status != AnchorStatus.ORPHANED:
            appearance.anchor_status = AnchorStatus.ORPHANED
    db.flush()
    return anchors
