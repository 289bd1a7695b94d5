"""Adding a document by its address: the page is fetched, read and archived.

On the desk and in the API the fetch is a background job (``documents.fetch``):
the document is stored at once, in the state "fetching", with the job in the
same transaction; the worker fetches the page outside any transaction, then
fills in the text and metadata and links the archived snapshot, or records why
it failed. ``factcheck documents add URL`` runs the same steps (:func:`fetch_into`)
in the command. docs/documents.md says what is fetched and refused.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from factcheck.archive import snapshots
from factcheck.archive.fetching import FetchError, FetchSettings
from factcheck.audit.changesets import Actor, set_actor
from factcheck.documents.models import Document, FetchState
from factcheck.documents.operations import (
    MAX_NAME_LENGTH,
    MAX_TITLE_LENGTH,
    DocumentError,
    DocumentValues,
    clean_url,
    text_digest,
)
from factcheck.jobs.queue import Claimed, enqueue
from factcheck.jobs.runner import handler
from factcheck.security.permissions import Permission, require

FETCH_JOB = "documents.fetch"


def request_fetch(
    session: Session, actor: Any, url: str, *, title: str | None = None, language: str | None = None
) -> Document:
    """Store a document to be fetched from ``url`` and queue the fetch in the same transaction.

    Until the page is read the document has no text and, unless given, the address as title.
    Raises PermissionDenied or DocumentError.
    """
    require(actor, Permission.CONTRIBUTE)
    address = clean_url(url)
    if address is None:
        raise DocumentError("url", _("Give the page's web address."))
    # The same checks as for a pasted document, on a stand-in text, for the title and language.
    checked = DocumentValues(title=title or address, text=address, language=language).checked()
    document = Document(
        title=checked["title"],
        text="",
        text_sha256=text_digest(""),
        url=address,
        language=checked["language"],
        fetch_state=FetchState.FETCHING,
        created_by_id=actor.id,
    )
    session.add(document)
    session.flush()
    _enqueue(session, document, keep_title=bool((title or "").strip()))
    return document


def retry_fetch(session: Session, actor: Any, document: Document) -> None:
    """Queue the fetch of a document whose fetch failed again. Raises PermissionDenied or DocumentError."""
    require(actor, Permission.CONTRIBUTE)
    if document.fetch_state != FetchState.FAILED:
        raise DocumentError("url", _("Only a document whose fetch failed can be fetched again."))
    document.fetch_state = FetchState.FETCHING
    document.fetch_error = None
    session.flush()
    # The title is the address still when none was given: let the page name it.
    _enqueue(session, document, keep_title=document.title != document.url)


def _enqueue(session: Session, document: Document, *, keep_title: bool) -> None:
    enqueue(session, FETCH_JOB, {"document_id": document.id, "keep_title": keep_title})


def fill_from_page(session: Session, document: Document, page: snapshots.Page, *, keep_title: bool) -> None:
    """Archive the page and fill in the document's text and metadata from it; what the person
    gave is kept. Raises DocumentError (say, a text over MAX_DOCUMENT_BYTES) before any write."""
    extracted = page.extracted
    values = DocumentValues(title=None, text=extracted.text).checked(_max_bytes())
    snapshot = snapshots.store(session, page)
    metadata = extracted.metadata
    document.text = values["text"]
    document.text_sha256 = values["text_sha256"]
    if not keep_title:
        document.title = str(metadata.get("title") or values["title"])[:MAX_TITLE_LENGTH]
    for field, key in (("author", "author"), ("outlet", "outlet")):
        if getattr(document, field) is None and metadata.get(key):
            setattr(document, field, str(metadata[key])[:MAX_NAME_LENGTH])
    if document.published_on is None and metadata.get("published_on"):
        document.published_on = metadata["published_on"]  # type: ignore[assignment]
    if document.language is None and metadata.get("language"):
        document.language = str(metadata["language"])
    document.snapshot = snapshot
    document.fetch_state = FetchState.FETCHED
    document.fetch_error = None


def _max_bytes() -> int:
    from factcheck.documents.operations import DEFAULT_MAX_BYTES

    return int(current_app.config.get("MAX_DOCUMENT_BYTES", DEFAULT_MAX_BYTES))


def add_fetched(
    session: Session,
    actor: Any,
    url: str,
    settings: FetchSettings,
    *,
    title: str | None = None,
    language: str | None = None,
) -> Document:
    """Fetch ``url`` now and store the document with its snapshot (the command line's way).
    Raises PermissionDenied, DocumentError or FetchError; call it outside a write transaction."""
    require(actor, Permission.CONTRIBUTE)
    address = clean_url(url)
    if address is None:
        raise DocumentError("url", _("Give the page's web address."))
    page = snapshots.fetch_page(address, settings)
    checked = DocumentValues(title=title or address, text=address, language=language).checked()
    document = Document(
        title=checked["title"],
        text="",
        text_sha256=text_digest(""),
        url=address,
        language=checked["language"],
        created_by_id=actor.id,
    )
    session.add(document)
    fill_from_page(session, document, page, keep_title=bool((title or "").strip()))
    session.flush()
    return document


@handler(FETCH_JOB)
def run_fetch(session: Session, job: Claimed) -> None:
    """The worker's fetch. A failure is the document's (shown on its page, retried from there),
    not the job's: retrying a refused address or a 404 by itself would only repeat it."""
    document = session.get(Document, job.payload["document_id"])
    if document is None or document.fetch_state != FetchState.FETCHING:
        # Removed meanwhile, or an earlier try finished and died before the job was marked.
        return
    document_id, url = document.id, document.url or ""
    # End the reading transaction before the request (on SQLite it would hold the lock).
    session.rollback()
    set_actor(session, Actor.system(f"Background worker, fetching document {document_id}", "worker"))
    settings = FetchSettings.from_config(current_app.config)
    try:
        page = snapshots.fetch_page(url, settings)
    except FetchError as exc:
        _record_failure(session, document_id, str(exc))
        return
    document = session.get_one(Document, document_id)
    try:
        fill_from_page(session, document, page, keep_title=job.payload["keep_title"])
    except DocumentError as exc:
        _record_failure(session, document_id, str(exc).rstrip("."))


def _record_failure(session: Session, document_id: int, reason: str) -> None:
    document = session.get_one(Document, document_id)
    document.fetch_state = FetchState.FAILED
    document.fetch_error = reason[:1000]
    session.flush()
