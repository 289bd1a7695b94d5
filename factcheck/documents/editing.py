"""Corrections to documents: their details and text, archiving, and removal.

A corrected text moves the quotes captured in it: each appearance is found
again (factcheck/claims/anchoring.py); one found at another place is flagged
``moved`` (someone should check it still says the same), one no longer found
``orphaned``. Both show on the claim's page and the document's page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from factcheck.claims.models import AnchorStatus, Appearance
from factcheck.db import utcnow
from factcheck.documents.models import Document
from factcheck.documents.operations import (
    DEFAULT_MAX_BYTES,
    DocumentValues,
    place_appearances,
)
from factcheck.publishing.models import Publication
from factcheck.security.permissions import Permission, require


@dataclass
class Correction:
    """What a correction did to the document's quotes."""

    moved: list[Appearance] = field(default_factory=list)
    orphaned: list[Appearance] = field(default_factory=list)


class DocumentInUse(ValueError):
    """The document cannot be removed; the message says why."""


def correct_document(
    db: Session, actor: Any, document: Document, values: DocumentValues, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Correction:
    """Store corrected details and text, and re-anchor the quotes if the text changed.

    Raises PermissionDenied or DocumentError. A PDF's page boundaries no longer hold
    once its text is edited, so they are dropped with the first text change (the
    appearances keep the page they were captured on).
    """
    require(actor, Permission.CONTRIBUTE)
    columns = values.checked(max_bytes)
    text_changed = columns["text_sha256"] != document.text_sha256
    for name in ("title", "url", "outlet", "author", "published_on", "language"):
        if getattr(document, name) != columns[name]:
            setattr(document, name, columns[name])
    correction = Correction()
    if text_changed:
        document.text = columns["text"]
        document.text_sha256 = columns["text_sha256"]
        document.page_starts = None
        correction = _reanchor_after_correction(document)
    db.flush()
    return correction


def _reanchor_after_correction(document: Document) -> Correction:
    anchors = place_appearances(document)
    correction = Correction()
    for placed in anchors.placed:
        appearance = placed.appearance
        moved = (appearance.position_start, appearance.position_end) != (placed.start, placed.end)
        if moved:
            appearance.position_start, appearance.position_end = placed.start, placed.end
            appearance.anchor_status = AnchorStatus.MOVED
            correction.moved.append(appearance)
        elif appearance.anchor_status == AnchorStatus.ORPHANED:
            appearance.anchor_status = AnchorStatus.MOVED
            correction.moved.append(appearance)
    for appearance in anchors.orphaned:
        if appearance.anchor_status != AnchorStatus.ORPHANED:
            appearance.anchor_status = AnchorStatus.ORPHANED
        correction.orphaned.append(appearance)
    return correction


def archive_document(db: Session, actor: Any, document: Document) -> None:
    """Hide the document from the lists; it keeps its claims and history. Raises PermissionDenied."""
    require(actor, Permission.CONTRIBUTE)
    if document.archived_at is None:
        document.archived_at = utcnow()
        db.flush()


def restore_document(db: Session, actor: Any, document: Document) -> None:
    require(actor, Permission.CONTRIBUTE)
    if document.archived_at is not None:
        document.archived_at = None
        db.flush()


def has_published_claims(db: Session, document: Document) -> bool:
    """Whether a claim captured in the document was ever published (readers may cite it)."""
    return bool(
        db.scalar(
            select(
                exists().where(
                    Appearance.document_id == document.id,
                    Publication.claim_id == Appearance.claim_id,
                )
            )
        )
    )


def remove_document(db: Session, actor: Any, document: Document) -> None:
    """Delete the document and the appearances captured in it (their claims stay).

    Raises PermissionDenied, or DocumentInUse when a claim captured in it was published:
    readers may have followed it, so it is archived instead.
    """
    require(actor, Permission.EDIT_ANY_CONTRIBUTION)
    if has_published_claims(db, document):
        raise DocumentInUse(
            _(
                "This document cannot be removed: claims captured in it have been published. "
                "Archive it instead to hide it from the lists."
            )
        )
    for appearance in list(document.appearances):
        db.delete(appearance)
    db.flush()
    db.delete(document)
    db.flush()
