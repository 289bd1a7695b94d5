"""Turning what happens on the desk into webhook deliveries, in the same transaction.

:func:`emit` is called where things happen (publishing, the workflow, reader
submissions). For each active endpoint that receives the event it adds a
delivery (its body fixed now) and the job that will send it, to the caller's
session: a committed change always has its deliveries, a rolled-back one none.

Payloads hold only what is public or meant for the team's own tools:
publication events carry the public snapshot (factcheck/publishing/snapshot.py:
never ratings, private notes or reviewers' names); a state change carries the
claim's id and states, not the comment or who moved it; a reader submission
its text and address, not the reader's name or e-mail.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.db import utcnow
from factcheck.jobs import queue
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

if TYPE_CHECKING:
    from factcheck.claims.models import Claim, ClaimTransition
    from factcheck.publishing.models import Publication
    from factcheck.submissions.models import ReaderSubmission

DELIVER_JOB = "webhooks.deliver"


def new_message_id() -> str:
    return "msg_" + uuid.uuid4().hex


def body_of(event: str, data: dict[str, Any], *, message_id: str) -> str:
    """The JSON sent: the Standard Webhooks envelope (type, timestamp, data)."""
    envelope = {"type": event, "timestamp": utcnow().isoformat(), "id": message_id, "data": data}
    return json.dumps(envelope, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def deliver_to(
    session: Session, endpoint: WebhookEndpoint, event: str, data: dict[str, Any]
) -> WebhookDelivery:
    """One delivery of ``event`` to ``endpoint`` and its job, in the caller's transaction."""
    message_id = new_message_id()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        message_id=message_id,
        event=event,
        body=body_of(event, data, message_id=message_id),
    )
    session.add(delivery)
    job = queue.enqueue(session, DELIVER_JOB, {"message_id": message_id}, key=f"webhook:{message_id}")
    session.flush()
    delivery.job_id = job.id
    return delivery


def emit(session: Session, event: WebhookEvent, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Deliver ``event`` to every active endpoint that receives it (none: nothing is written)."""
    endpoints = session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.is_active.is_(True)).order_by(WebhookEndpoint.id)
    ).all()
    return [deliver_to(session, endpoint, event, data) for endpoint in endpoints if endpoint.receives(event)]


# --- the events ------------------------------------------------------------------

_PUBLICATION_EVENTS = {
    "publication": WebhookEvent.CLAIM_PUBLISHED,
    "correction": WebhookEvent.CLAIM_CORRECTED,
    "update": WebhookEvent.CLAIM_UPDATED,
    "retraction": WebhookEvent.CLAIM_RETRACTED,
}


def _check_url(slug: str | None) -> str | None:
    from flask import has_app_context

    if not slug or not has_app_context():
        return None
    from factcheck.publishing.urls import check_url

    return check_url(slug)


def publication_data(claim: Claim, publication: Publication) -> dict[str, Any]:
    """What a publication event says: the revision and its public snapshot, nothing private."""
    return {
        "claim_id": claim.id,
        "slug": claim.slug,
        "url": _check_url(claim.slug),
        "revision": publication.revision,
        "kind": str(publication.kind),
        "note": publication.note,
        "published_at": publication.published_at.isoformat(),
        "snapshot": publication.snapshot,
    }


def publication_made(session: Session, claim: Claim, publication: Publication) -> None:
    event = _PUBLICATION_EVENTS[str(publication.kind)]
    emit(session, event, publication_data(claim, publication))


def state_changed(session: Session, claim: Claim, step: ClaimTransition) -> None:
    emit(
        session,
        WebhookEvent.CLAIM_STATE_CHANGED,
        {
            "claim_id": claim.id,
            "from_state": str(step.from_state),
            "to_state": str(step.to_state),
            "changed_at": (step.created_at or utcnow()).isoformat(),
        },
    )


def submission_received(session: Session, submission: ReaderSubmission) -> None:
    emit(
        session,
        WebhookEvent.SUBMISSION_RECEIVED,
        {
            "submission_id": submission.id,
            "kind": str(submission.kind),
            "text": submission.text,
            "url": submission.url,
            "claim_id": submission.claim_id,
            "revision": submission.revision,
            "received_at": (submission.created_at or utcnow()).isoformat(),
        },
    )
