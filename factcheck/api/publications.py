"""A claim's publications and its history through the API, by the desk's operations
(factcheck/publishing/operations.py, factcheck/audit/history.py): the four-eyes rule,
the refusals and their statuses, and the blind rule in the history are the desk's."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from spectree import Response as Responses

from factcheck import db
from factcheck.api.claims import CLAIM_ID, claim_or_404, person_data
from factcheck.api.core import bp, field_problem, json_response, problem
from factcheck.api.schemas import HistoryOut, Problem, PublicationIn, PublicationList, PublicationOut
from factcheck.api.spec import spec
from factcheck.audit.history import HistoryEntry, claim_history
from factcheck.publishing import operations as publishing
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.visibility import can_see_ratings
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor


def publication_data(publication: Publication) -> dict[str, Any]:
    return {
        "id": publication.id,
        "claim_id": publication.claim_id,
        "revision": publication.revision,
        "kind": str(publication.kind),
        "note": publication.note,
        "label_name": publication.label_name,
        "headline": publication.headline,
        "published_at": publication.published_at,
        "published_by": person_data(publication.published_by),
        "snapshot": publication.snapshot,
        "links": {
            "html": url_for("claims.revision", claim_id=publication.claim_id, revision=publication.revision)
        },
    }


@bp.get(f"/claims/{CLAIM_ID}/publications")
@requires(Permission.READ_DESK)
@spec.validate(
    resp=Responses(HTTP_200=PublicationList, HTTP_401=Problem, HTTP_404=Problem), tags=["publications"]
)
def list_publications(claim_id: int) -> Response:
    """The claim's public revisions, the first publication first."""
    claim = claim_or_404(claim_id)
    return json_response({"items": [publication_data(publication) for publication in claim.publications]})


@bp.post(f"/claims/{CLAIM_ID}/publications")
@requires(Permission.EDIT_VERDICTS)
@spec.validate(
    resp=Responses(
        HTTP_201=PublicationOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_404=Problem,
        HTTP_409=Problem,
        HTTP_422=Problem,
    ),
    tags=["publications"],
)
def create_publication(claim_id: int, json: PublicationIn) -> Response:
    """Publish the claim's verdict, or a correction, update or retraction of it (editors, admins).

    The desk's rules: the four-eyes rule (the verdict's sole author may not publish it, nor
    correct or update it: 403, naming who may), someone else publishing meanwhile (409), a
    claim not ready or a retracted one (422).
    """
    session = db.session()
    claim = claim_or_404(claim_id)
    latest = publishing.latest_revision(session, claim.id)
    if json.kind == PublicationKind.PUBLICATION and json.note is not None:
        return field_problem("note", "A first publication has no public note; give its reason instead.")
    if json.kind != PublicationKind.PUBLICATION and json.reason is not None:
        return field_problem("reason", "A revision's public note is its reason; send note only.")
    if json.latest_revision is not None and json.latest_revision != (latest.revision if latest else None):
        return problem(
            409,
            f"Revision {latest.revision if latest else 'none'} is the newest now: read it before publishing.",
            current_revision=latest.revision if latest else None,
        )
    verdict_version = claim.verdict.version if claim.verdict is not None else None
    if (
        json.verdict_version is not None
        and json.verdict_version != verdict_version
        and json.kind
        != PublicationKind.RETRACTION  # a retraction republishes the last revision, not the draft
    ):
        return problem(
            409,
            "The verdict changed since the version you reviewed: check it again.",
            current_version=verdict_version,
        )
    try:
        if json.kind == PublicationKind.PUBLICATION:
            publication = publishing.publish(session, claim, current_actor(), reason=json.reason)
        else:
            publication = publishing.publish_revision(
                session, claim, current_actor(), kind=json.kind, note=json.note or ""
            )
    except publishing.PublishingError as error:
        message = publishing.as_sentence(str(error))
        status = publishing.refusal_status(error)
        if status == 422 and error.field:
            return field_problem(error.field, message)
        return problem(status, message)
    return json_response(publication_data(publication), 201, etag=False)


# --- the history ----------------------------------------------------------------------------------


def history_entry_data(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at,
        "actor_name": entry.actor_name,
        "actor_role": entry.actor_role,
        "origin": entry.origin,
        "reason": entry.reason,
        "items": [
            {
                "sentence": item.sentence,
                "table": item.table,
                "operation": item.operation,
                "fields": [{"name": f.name, "old": f.old, "new": f.new} for f in item.fields],
            }
            for item in entry.items
        ],
    }


@bp.get(f"/claims/{CLAIM_ID}/history")
@requires(Permission.READ_CLAIM_HISTORY)
@spec.validate(resp=Responses(HTTP_200=HistoryOut, HTTP_401=Problem, HTTP_404=Problem), tags=["history"])
def get_history(claim_id: int) -> Response:
    """The desk's history of the claim: who changed what, when, from where and why, oldest first.
    Rating labels and reasonings are hidden until you may see the ratings (the blind rule)."""
    claim = claim_or_404(claim_id)
    visible = can_see_ratings(current_actor(), claim)
    entries = claim_history(db.session(), claim.id, ratings_visible=visible)
    return json_response({"ratings_visible": visible, "items": [history_entry_data(e) for e in entries]})
