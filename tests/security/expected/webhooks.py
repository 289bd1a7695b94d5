"""Expected access to the webhook and job pages: admins only.

An empty endpoint form is refused (422); the buttons (ping, retry, remove) redirect,
a new secret is shown at once (200). The remove button runs before the other routes
of the endpoint, so the records are looked up afresh and made again when gone.
"""

from __future__ import annotations

from factcheck.jobs.models import Job, JobState
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSecret
from factcheck.webhooks.signing import generate_secret, hint
from tests.security.expected.world import LOGIN, Expected, World

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("jobs.index", "GET"): (LOGIN, 403, 403, 200),
    ("jobs.retry", "POST"): (LOGIN, 403, 403, 302),
    ("webhooks.index", "GET"): (LOGIN, 403, 403, 200),
    ("webhooks.create", "GET"): (LOGIN, 403, 403, 200),
    ("webhooks.create", "POST"): (LOGIN, 403, 403, 422),
    ("webhooks.show", "GET"): (LOGIN, 403, 403, 200),
    ("webhooks.show", "POST"): (LOGIN, 403, 403, 422),
    ("webhooks.ping", "POST"): (LOGIN, 403, 403, 302),
    ("webhooks.rotate_secret", "POST"): (LOGIN, 403, 403, 200),
    ("webhooks.delete", "POST"): (LOGIN, 403, 403, 302),
    ("webhooks.delivery", "GET"): (LOGIN, 403, 403, 200),
    ("webhooks.retry_delivery", "POST"): (LOGIN, 403, 403, 302),
}


def _endpoint(world: World) -> WebhookEndpoint:
    world.db.expire_all()  # a request may have removed it
    found = world.db.get(WebhookEndpoint, world._made.get("webhook_endpoint_id", 0))
    if found is None:
        secret = generate_secret()
        found = WebhookEndpoint(
            url="https://hooks.example.org/in", events=["claim.published"], secret_hint=hint(secret)
        )
        found.secret = WebhookSecret(secret=secret)
        world.db.add(found)
        world.db.commit()
        world._made["webhook_endpoint_id"] = found.id
    return found


def _delivery(world: World) -> WebhookDelivery:
    world.db.expire_all()
    found = world.db.get(WebhookDelivery, world._made.get("webhook_delivery_id", 0))
    if found is None:
        job = Job(
            kind="webhooks.deliver", payload={}, state=JobState.FAILED, attempts=8, last_error="refused"
        )
        world.db.add(job)
        world.db.flush()
        found = WebhookDelivery(
            endpoint_id=_endpoint(world).id,
            message_id=f"msg_security_{job.id}",
            event="claim.published",
            body="{}",
            job_id=job.id,
        )
        world.db.add(found)
        world.db.commit()
        world._made["webhook_delivery_id"] = found.id
    return found


def _failed_job(world: World) -> Job:
    job = Job(kind="tests.nothing", payload={}, state=JobState.FAILED, attempts=8, last_error="refused")
    world.db.add(job)
    world.db.commit()
    return job


ARGUMENTS = {
    "endpoint_id": lambda world: _endpoint(world).id,
    "delivery_id": lambda world: _delivery(world).id,
    "job_id": lambda world: world.get("failed_job", _failed_job).id,
}
