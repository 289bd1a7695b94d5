"""Documents through the API: create from text or from a web address (fetched in the
background: 202), read."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for
from spectree import Response as Responses

from factcheck import db
from factcheck.api.core import bp, field_problem, json_response
from factcheck.api.schemas import DocumentIn, DocumentOut, Problem
from factcheck.api.spec import spec
from factcheck.documents import fetching
from factcheck.documents.models import Document
from factcheck.documents.operations import DocumentError, DocumentValues, add_document
from factcheck.security.permissions import Permission, requires
from factcheck.web.converters import MAX_ROW_ID
from factcheck.web.lookups import current_actor, get_or_404


def document_data(document: Document) -> dict[str, Any]:
    links = {
        "self": url_for("api.get_document", document_id=document.id),
        "html": url_for("documents.show", document_id=document.id),
    }
    if document.snapshot is not None:
        links["archived"] = url_for("archive.page", snapshot_id=document.snapshot.id)
        links["warc"] = url_for("archive.download", snapshot_id=document.snapshot.id)
    return {
        "id": document.id,
        "title": document.title,
        "url": document.url,
        "outlet": document.outlet,
        "author": document.author,
        "published_on": document.published_on,
        "language": document.language,
        "text": document.text,
        "text_sha256": document.text_sha256,
        "created_at": document.created_at,
        "fetch_state": document.fetch_state.value if document.fetch_state else None,
        "fetch_error": document.fetch_error,
        "fetched_at": document.snapshot.fetched_at if document.snapshot else None,
        "links": links,
    }


@bp.post("/documents")
@requires(Permission.CONTRIBUTE)
@spec.validate(
    resp=Responses(
        HTTP_201=DocumentOut, HTTP_202=DocumentOut, HTTP_401=Problem, HTTP_403=Problem, HTTP_422=Problem
    ),
    tags=["documents"],
)
def create_document(json: DocumentIn) -> Response:
    """Store a document from its text (normalised as on the desk), or from ``url`` alone: 202, the
    page is fetched, read and archived in the background; GET the Location until ``fetch_state``
    is ``fetched`` (or ``failed``, with ``fetch_error``)."""
    if json.text is None:
        return _fetch_document(json)
    values = DocumentValues(
        title=json.title,
        text=json.text,
        url=json.url,
        outlet=json.outlet,
        author=json.author,
        published_on=json.published_on,
        language=json.language,
    )
    try:
        document = add_document(
            db.session(), current_actor(), values, max_bytes=int(current_app.config["MAX_DOCUMENT_BYTES"])
        )
    except DocumentError as error:
        return field_problem(error.field, str(error))
    data = document_data(document)
    return json_response(data, 201, headers={"Location": data["links"]["self"]})


def _fetch_document(json: DocumentIn) -> Response:
    if not json.url:
        return field_problem("text", "Give the document's text, or a url to fetch it from.")
    try:
        document = fetching.request_fetch(
            db.session(), current_actor(), json.url, title=json.title, language=json.language
        )
    except DocumentError as error:
        return field_problem(error.field, str(error))
    data = document_data(document)
    return json_response(data, 202, headers={"Location": data["links"]["self"]})


@bp.get(f"/documents/<int(min=1, max={MAX_ROW_ID}):document_id>")
@requires(Permission.READ_DESK)
@spec.validate(resp=Responses(HTTP_200=DocumentOut, HTTP_401=Problem, HTTP_404=Problem), tags=["documents"])
def get_document(document_id: int) -> Response:
    """One document with its text."""
    return json_response(document_data(get_or_404(Document, document_id)))
