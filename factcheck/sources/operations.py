"""Adding, editing and removing the sources of a claim.

Anyone on the desk may add a source; its author may edit or remove it, and so
may editors and admins (:func:`~factcheck.security.permissions.can_edit_contribution`).
A source needs a URL (http or https only) or a full citation, or both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.security.permissions import Permission, PermissionDenied, can_edit_contribution, require
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.web.conflicts import check_version
from factcheck.web.urls import UrlProblem, clean_http_url


class SourceError(ValueError):
    """A source the rules refuse; ``field`` names the form field to show the message on."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def clean_url(url: str | None) -> str | None:
    """The URL as stored, or None when empty; SourceError on the url field otherwise."""
    try:
        return clean_http_url(url)
    except UrlProblem as problem:
        raise SourceError("url", str(problem)) from None


@dataclass
class SourceValues:
    """What a person fills in for a source; empty text means "not given"."""

    title: str
    url: str | None = None
    citation: str | None = None
    publisher: str | None = None
    published_on: date | None = None
    kind: SourceKind = SourceKind.OTHER
    stance: Stance = Stance.CONTEXT
    quote: str | None = None
    note: str | None = None
    is_primary: bool = False

    def checked(self) -> dict[str, Any]:
        """The values as columns; raises SourceError for a missing title, a bad URL, or neither URL nor citation."""
        title = (self.title or "").strip()
        if not title:
            raise SourceError("title", _("Give the source a title."))
        url = clean_url(self.url)
        citation = _text_or_none(self.citation)
        if url is None and citation is None:
            raise SourceError("url", _("Give a web address or a full citation (or both)."))
        return {
            "title": title,
            "url": url,
            "citation": citation,
            "publisher": _text_or_none(self.publisher),
            "published_on": self.published_on,
            "kind": SourceKind(self.kind),
            "stance": Stance(self.stance),
            "quote": _text_or_none(self.quote),
            "note": _text_or_none(self.note),
            "is_primary": bool(self.is_primary),
        }


def _text_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def require_can_edit(actor: Any, source: Source) -> None:
    """Raise PermissionDenied unless the actor wrote the source or may edit anyone's."""
    if not can_edit_contribution(actor, source.created_by_id):
        raise PermissionDenied(
            Permission.EDIT_ANY_CONTRIBUTION,
            _("Only the person who added this source, or an editor, may change it."),
        )


def add_source(db: Session, actor: Any, claim: Claim, values: SourceValues) -> Source:
    """Attach a new source to the claim, recorded as the actor's."""
    require(actor, Permission.CONTRIBUTE)
    source = Source(claim=claim, created_by_id=actor.id, **values.checked())
    db.add(source)
    db.flush()
    return source


def edit_source(
    db: Session, actor: Any, source: Source, values: SourceValues, *, based_on: int | None
) -> Source:
    """Change a source; raises EditConflict if it changed since version ``based_on``."""
    require_can_edit(actor, source)
    check_version(source, based_on)
    for name, value in values.checked().items():
        setattr(source, name, value)
    db.flush()
    return source


def remove_source(db: Session, actor: Any, source: Source, *, based_on: int | None = None) -> None:
    """Delete a source (its history stays in the audit log).

    With ``based_on``, refuses (EditConflict) if the source changed since the
    person looked at it, so nobody removes an edit they have not seen.
    """
    require_can_edit(actor, source)
    if based_on is not None:
        check_version(source, based_on)
    # Out of the claim's list too, so the claim page of this request no longer shows it.
    if source in source.claim.sources:
        source.claim.sources.remove(source)
    db.delete(source)
    db.flush()
