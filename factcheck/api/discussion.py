"""A claim's sources and comments through the API: list and add, through the desk's operations
(factcheck/sources/operations.py, factcheck/discussion/operations.py)."""

from __future__ import annotations

from typing import Any

from flask import Response
from spectree import Response as Responses

from factcheck import db
from factcheck.api.claims import CLAIM_ID, claim_or_404, person_data
from factcheck.api.core import bp, field_problem, json_response
from factcheck.api.schemas import CommentIn, CommentList, CommentOut, Problem, SourceIn, SourceList, SourceOut
from factcheck.api.spec import spec
from factcheck.discussion.models import Comment
from factcheck.discussion.operations import CommentError, add_comment
from factcheck.security.permissions import Permission, requires
from factcheck.sources.models import Source
from factcheck.sources.operations import SourceError, SourceValues, add_source
from factcheck.web.lookups import current_actor


def source_data(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "claim_id": source.claim_id,
        "title": source.title,
        "url": source.url,
        "citation": source.citation,
        "publisher": source.publisher,
        "published_on": source.published_on,
        "kind": str(source.kind),
        "stance": str(source.stance),
        "quote": source.quote,
        "note": source.note,
        "is_primary": source.is_primary,
        "version": source.version,
        "created_by": person_data(source.created_by),
        "created_at": source.created_at,
    }


def comment_data(comment: Comment) -> dict[str, Any]:
    removed = comment.deleted_at is not None
    return {
        "id": comment.id,
        "claim_id": comment.claim_id,
        # A removed comment keeps its place in the thread, as on the desk, but not its words.
        "author": None if removed else person_data(comment.author),
        "body": None if removed else comment.body,
        "removed": removed,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
    }


@bp.get(f"/claims/{CLAIM_ID}/sources")
@requires(Permission.READ_DESK)
@spec.validate(resp=Responses(HTTP_200=SourceList, HTTP_401=Problem, HTTP_404=Problem), tags=["sources"])
def list_sources(claim_id: int) -> Response:
    """The claim's sources, oldest first."""
    claim = claim_or_404(claim_id)
    return json_response({"items": [source_data(source) for source in claim.sources]})


@bp.post(f"/claims/{CLAIM_ID}/sources")
@requires(Permission.CONTRIBUTE)
@spec.validate(
    resp=Responses(
        HTTP_201=SourceOut, HTTP_401=Problem, HTTP_403=Problem, HTTP_404=Problem, HTTP_422=Problem
    ),
    tags=["sources"],
)
def create_source(claim_id: int, json: SourceIn) -> Response:
    """Add a source to the claim, as the token's user."""
    claim = claim_or_404(claim_id)
    values = SourceValues(**json.model_dump())
    try:
        source = add_source(db.session(), current_actor(), claim, values)
    except SourceError as error:
        return field_problem(error.field, str(error))
    return json_response(source_data(source), 201, etag=False)


@bp.get(f"/claims/{CLAIM_ID}/comments")
@requires(Permission.READ_DESK)
@spec.validate(resp=Responses(HTTP_200=CommentList, HTTP_401=Problem, HTTP_404=Problem), tags=["comments"])
def list_comments(claim_id: int) -> Response:
    """The team's discussion of the claim, oldest first; removed comments keep their place."""
    claim = claim_or_404(claim_id)
    return json_response({"items": [comment_data(comment) for comment in claim.comments]})


@bp.post(f"/claims/{CLAIM_ID}/comments")
@requires(Permission.CONTRIBUTE)
@spec.validate(
    resp=Responses(
        HTTP_201=CommentOut, HTTP_401=Problem, HTTP_403=Problem, HTTP_404=Problem, HTTP_422=Problem
    ),
    tags=["comments"],
)
def create_comment(claim_id: int, json: CommentIn) -> Response:
    """Comment on the claim (Markdown), as the token's user."""
    claim = claim_or_404(claim_id)
    try:
        comment = add_comment(db.session(), current_actor(), claim, json.body)
    except CommentError as error:
        return field_problem("body", str(error))
    return json_response(comment_data(comment), 201, etag=False)
