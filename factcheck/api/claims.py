"""Claims through the API: capture, read, update, list, and the workflow's transitions.

Every write goes through the desk's own operations (factcheck/claims/capturing.py,
editing.py, workflow.py), so the rules, the permissions and the audit history are
the desk's; this module only translates JSON to their arguments and their refusals
to HTTP.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, g, request, url_for
from spectree import Response as Responses
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from factcheck import db
from factcheck.accounts.models import TokenScope
from factcheck.api.core import bp, field_problem, if_match_fails, json_response, problem
from factcheck.api.schemas import (
    ClaimIn,
    ClaimListQuery,
    ClaimOut,
    ClaimPage,
    ClaimUpdate,
    Problem,
    TransitionIn,
    TransitionOptions,
    TransitionOut,
)
from factcheck.api.spec import spec
from factcheck.claims import capturing, editing, workflow
from factcheck.claims.listing import NOBODY, ClaimFilter, affordable_sort, claim_page, effective_sort, sized
from factcheck.claims.models import Assignment, Claim, ClaimState, ClaimTransition, Tag
from factcheck.claims.selectors import web_annotation_selectors
from factcheck.documents.models import Document
from factcheck.search.query import parse
from factcheck.security.permissions import Permission, requires
from factcheck.web.conflicts import EditConflict
from factcheck.web.converters import MAX_ROW_ID
from factcheck.web.keyset import InvalidCursor
from factcheck.web.lookups import current_actor, get_or_404

# The range of <id:...> (factcheck/web/converters.py), spelt with werkzeug's int converter,
# which spectree reads into the OpenAPI document's path parameters.
CLAIM_ID = f"<int(min=1, max={MAX_ROW_ID}):claim_id>"
# The capture operation's field names, as this API calls them.
_CAPTURE_FIELDS = {"quote_exact": "appearance.quote", "url": "appearance.url"}


def person_data(user: Any) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name} if user is not None else None


def claim_data(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "text": claim.text,
        "claimant": claim.claimant,
        "claimant_kind": str(claim.claimant_kind),
        "claimed_on": claim.claimed_on,
        "review_by": claim.review_by,
        "state": str(claim.state),
        "dismissed_reason": claim.dismissed_reason,
        "version": claim.version,
        "created_at": claim.created_at,
        "updated_at": claim.updated_at,
        "created_by": person_data(claim.created_by),
        "tags": [tag.name for tag in claim.tags],
        "assignees": [person_data(assignment.user) for assignment in claim.assignments],
        "appearances": [
            {
                "id": appearance.id,
                "document_id": appearance.document_id,
                "url": appearance.url,
                "quote": appearance.quote_exact,
                "prefix": appearance.quote_prefix,
                "suffix": appearance.quote_suffix,
                "start": appearance.position_start,
                "end": appearance.position_end,
                "page": appearance.page,
                "selectors": web_annotation_selectors(appearance),
                "appeared_on": appearance.appeared_on,
                "anchor_status": str(appearance.anchor_status),
            }
            for appearance in claim.appearances
        ],
        "links": {
            "self": url_for("api.get_claim", claim_id=claim.id),
            "transitions": url_for("api.claim_transitions", claim_id=claim.id),
            "html": url_for("claims.show", claim_id=claim.id),
        },
    }


def claim_or_404(claim_id: int) -> Claim:
    return get_or_404(Claim, claim_id)


def _claim_response(claim: Claim, status: int = 200) -> Response:
    data = claim_data(claim)
    headers = {"Location": data["links"]["self"]} if status == 201 else None
    return json_response(data, status, headers=headers)


def _conflict(claim: Claim, detail: str) -> Response:
    current = claim_data(claim)
    return problem(409, detail, current=current, current_version=claim.version)


# --- capture and read -------------------------------------------------------------------


@bp.post("/claims")
@requires(Permission.CONTRIBUTE)
@spec.validate(
    resp=Responses(HTTP_201=ClaimOut, HTTP_401=Problem, HTTP_403=Problem, HTTP_422=Problem), tags=["claims"]
)
def create_claim(json: ClaimIn) -> Response:
    """Capture a claim with where it appeared: a quote from a document, or a web address."""
    given = json.appearance
    document = None
    if given.document_id is not None:
        document = db.session().get(Document, given.document_id)
        if document is None:
            return field_problem("appearance.document_id", f"There is no document {given.document_id}.")
    appearance = capturing.AppearanceValues(
        document=document,
        quote=given.quote,
        prefix=given.prefix,
        suffix=given.suffix,
        start=given.start,
        end=given.end,
        url=given.url,
        appeared_on=given.appeared_on,
    )
    values = editing.ClaimValues(
        text=json.text,
        claimant=json.claimant,
        claimed_on=json.claimed_on,
        review_by=json.review_by,
        claimant_kind=json.claimant_kind,
    )
    try:
        claim = capturing.capture_claim(db.session(), current_actor(), values, appearance)
    except capturing.CaptureError as error:
        return field_problem(_CAPTURE_FIELDS.get(error.field, error.field), str(error))
    return _claim_response(claim, 201)


@bp.get(f"/claims/{CLAIM_ID}")
@requires(Permission.READ_DESK)
@spec.validate(resp=Responses(HTTP_200=ClaimOut, HTTP_401=Problem, HTTP_404=Problem), tags=["claims"])
def get_claim(claim_id: int) -> Response:
    """One claim, its appearances, tags and assignees. Its ETag serves If-None-Match and If-Match."""
    claim = _with_details([claim_id]).get(claim_id)
    if claim is None:
        abort(404)
    return _claim_response(claim)


# --- update -----------------------------------------------------------------------------------


@bp.patch(f"/claims/{CLAIM_ID}")
@requires(Permission.CONTRIBUTE)
@spec.validate(
    resp=Responses(
        HTTP_200=ClaimOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_404=Problem,
        HTTP_409=Problem,
        HTTP_412=Problem,
        HTTP_422=Problem,
        HTTP_428=Problem,
    ),
    tags=["claims"],
)
def update_claim(claim_id: int, json: ClaimUpdate) -> Response:
    """Change the claim's wording, claimant, its kind, claim date or review-by date.

    Send the version you read (``version``) or its ETag (``If-Match``): if someone
    changed these fields since, 409 (412 for If-Match) with the claim as it is now.
    """
    session = db.session()
    claim = claim_or_404(claim_id)
    if if_match_fails(claim_data(claim)):
        return problem(
            412, "The claim changed since the version named in If-Match.", current=claim_data(claim)
        )
    based_on = json.version
    if based_on is None:
        if not request.if_match:
            return problem(428, "Send the version you read (the version field, or If-Match with its ETag).")
        based_on = claim.version
    given = json.model_fields_set

    def value(name: str) -> Any:
        return getattr(json, name) if name in given else getattr(claim, name)

    values = editing.ClaimValues(
        text=value("text"),
        claimant=value("claimant"),
        claimed_on=value("claimed_on"),
        review_by=value("review_by"),
        claimant_kind=json.claimant_kind if "claimant_kind" in given else None,
    )
    try:
        editing.edit_claim(session, current_actor(), claim, values, based_on=based_on)
    except editing.ClaimEditError as error:
        return field_problem(error.field, str(error))
    except EditConflict:
        return _conflict(claim, f"The claim is at version {claim.version}; you sent {based_on}.")
    except StaleDataError:
        # Someone saved between the version check and this write.
        session.rollback()
        return _conflict(claim_or_404(claim_id), "Someone saved the claim at the same moment.")
    return _claim_response(claim)


# --- the list ---------------------------------------------------------------------------------


@bp.get("/claims")
@requires(Permission.READ_DESK)
@spec.validate(resp=Responses(HTTP_200=ClaimPage, HTTP_401=Problem, HTTP_422=Problem), tags=["claims"])
def list_claims(query: ClaimListQuery) -> Response:
    """The desk's claim list: its filters, full-text search (``q``) and sorts, in pages of
    ``limit``; follow ``next`` (also in the Link header) for the following page."""
    session = db.session()
    tag_id = None
    if query.tag is not None:
        try:
            tag_name = editing.normalise_tag(query.tag)
        except editing.ClaimEditError as error:
            return field_problem("tag", str(error))
        tag_id = session.scalar(select(Tag.id).where(Tag.name == tag_name))
        if tag_id is None:
            return json_response({"items": [], "next": None})
    assignee = query.assignee if query.assignee in (None, NOBODY) else int(query.assignee)
    claim_filter = ClaimFilter(
        state=query.state,
        label_id=query.label,
        assignee=assignee,
        tag_id=tag_id,
        claimant=query.claimant or None,
        captured_from=query.captured_from,
        captured_to=query.captured_to,
        text=parse(query.q) or None if query.q else None,
    )
    claim_filter = sized(session, claim_filter)
    sort = affordable_sort(claim_filter, effective_sort(query.sort, claim_filter))
    try:
        claims, page = claim_page(session, claim_filter, sort, after=query.after or None, size=query.limit)
    except InvalidCursor:
        return field_problem("after", "This cursor was not made by this list; start again without it.")
    next_url = None
    headers = {}
    if page.next_cursor:
        args = {name: value for name, value in request.args.items() if name != "after"}
        next_url = url_for("api.list_claims", **args, after=page.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    loaded = _with_details([claim.id for claim in claims])
    return json_response(
        {"items": [claim_data(loaded[claim.id]) for claim in claims], "next": next_url}, headers=headers
    )


def _with_details(claim_ids: list[int]) -> dict[int, Claim]:
    """The claims with what their representation shows, in two or three queries for the page."""
    if not claim_ids:
        return {}
    rows = db.session().scalars(
        select(Claim)
        .where(Claim.id.in_(claim_ids))
        .options(
            selectinload(Claim.appearances),
            selectinload(Claim.tags),
            selectinload(Claim.assignments).selectinload(Assignment.user),
            selectinload(Claim.created_by),
        )
    )
    return {claim.id: claim for claim in rows}


# --- the workflow ---------------------------------------------------------------------------


def _min_ratings() -> int:
    return int(current_app.config["MIN_RATINGS"])


@bp.get(f"/claims/{CLAIM_ID}/transitions")
@requires(Permission.READ_DESK)
@spec.validate(
    resp=Responses(HTTP_200=TransitionOptions, HTTP_401=Problem, HTTP_404=Problem), tags=["transitions"]
)
def claim_transitions(claim_id: int) -> Response:
    """The moves out of the claim's state: whether the token's user may take each now, or why not."""
    claim = claim_or_404(claim_id)
    options = workflow.allowed_transitions(claim, current_actor(), min_ratings=_min_ratings())
    read_only = g.api_token.scope != TokenScope.WRITE
    return json_response(
        {
            "state": str(claim.state),
            "options": [
                {
                    "to_state": str(option.to_state),
                    "label": option.label,
                    "allowed": option.ok and not read_only,
                    "reason": "this token may only read" if read_only else option.reason,
                    "needs_reason": option.needs_reason,
                    "taken_elsewhere": option.taken_by is not None,
                }
                for option in options
            ],
        }
    )


@bp.post(f"/claims/{CLAIM_ID}/transitions")
@requires(Permission.CONTRIBUTE)
@spec.validate(
    resp=Responses(
        HTTP_201=TransitionOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_404=Problem,
        HTTP_409=Problem,
        HTTP_422=Problem,
    ),
    tags=["transitions"],
)
def transition_claim(claim_id: int, json: TransitionIn) -> Response:
    """Move the claim, with the desk's rules (a dismissal needs a comment: its reason).
    Publishing is not a transition here: it freezes a revision (POST .../publications)."""
    claim = claim_or_404(claim_id)
    try:
        step: ClaimTransition = workflow.transition(
            db.session(),
            claim,
            current_actor(),
            json.to_state,
            json.comment,
            min_ratings=_min_ratings(),
            expected_state=json.from_state,
        )
    except workflow.WorkflowError as error:
        message = str(error)
        message = message[:1].upper() + message[1:] + "."
        if error.forbidden:
            return problem(403, message)
        if json.from_state is not None and json.from_state != claim.state:
            return _conflict(claim, message)
        dismissing_silently = json.to_state == ClaimState.DISMISSED and not (json.comment or "").strip()
        return field_problem("comment" if dismissing_silently else "to_state", message)
    return json_response(
        {
            "id": step.id,
            "from_state": str(step.from_state) if step.from_state else None,
            "to_state": str(step.to_state),
            "comment": step.comment,
            "actor": person_data(current_actor()),
            "created_at": step.created_at,
            "claim": claim_data(claim),
        },
        201,
        etag=False,
    )
