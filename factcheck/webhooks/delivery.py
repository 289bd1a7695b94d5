"""Sending a delivery: the worker's handler for ``webhooks.deliver`` jobs.

The request is made outside any database transaction (on SQLite an open write
transaction would hold the lock for as long as the receiver takes). Safe to run
twice: a delivery already delivered is not sent again, and the ``webhook-id``
is the same on every try, so a receiver that got it but whose answer was lost
can drop the repeat.
"""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.db import utcnow
from factcheck.jobs.queue import Claimed
from factcheck.jobs.runner import TryAgain, handler
from factcheck.web import outgoing
from factcheck.webhooks import signing
from factcheck.webhooks.events import DELIVER_JOB
from factcheck.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSecret

EXCERPT_CHARACTERS = 500


def _is_success(status: int) -> bool:
    return 200 <= status < 300


@handler(DELIVER_JOB)
def deliver(session: Session, job: Claimed) -> None:
    message_id = job.payload["message_id"]
    delivery = session.scalar(select(WebhookDelivery).where(WebhookDelivery.message_id == message_id))
    if delivery is None or delivery.status == DeliveryStatus.DELIVERED:
        # Its endpoint was removed, or an earlier try delivered it and died before the job was marked.
        return
    endpoint = delivery.endpoint
    secret = session.get(WebhookSecret, endpoint.id)
    url, body = endpoint.url, delivery.body.encode("utf-8")
    key = secret.secret if secret is not None else None
    delivery_id = delivery.id
    # End the reading transaction before the request (see the module's docstring).
    session.rollback()
    if key is None:
        raise LookupError(f"the endpoint {url} has no secret")

    timestamp = int(time.time())
    limits = outgoing.Limits.from_config(current_app.config)
    started = time.monotonic()
    try:
        response = outgoing.post(
            url, body, limits=limits, headers=signing.headers(key, message_id, timestamp, body)
        )
    except outgoing.OutgoingError as exc:
        response, error = None, str(exc)
    else:
        error = None if _is_success(response.status) else f"the receiver answered {response.status}"

    delivery = session.get_one(WebhookDelivery, delivery_id)
    now = utcnow()
    delivery.attempts = job.attempt
    delivery.last_attempt_at = now
    delivery.response_status = response.status if response is not None else None
    delivery.duration_ms = (
        response.duration_ms if response is not None else round((time.monotonic() - started) * 1000)
    )
    delivery.response_excerpt = (
        response.body.decode("utf-8", "replace")[:EXCERPT_CHARACTERS] if response is not None else None
    )
    delivery.error = error[:500] if error else None
    if error is None:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        return
    delivery.status = DeliveryStatus.FAILED if job.last_attempt else DeliveryStatus.RETRYING
    raise TryAgain(error)
