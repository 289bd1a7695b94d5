"""Webhook deliveries end to end: the event's transaction, the worker, a receiver that checks signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from factcheck.claims.models import ClaimState
from factcheck.db import utcnow
from factcheck.jobs import queue
from factcheck.jobs.models import Job, JobState
from factcheck.jobs.runner import Worker, run_all
from factcheck.publishing.models import PublicationKind
from factcheck.publishing.operations import publish_revision
from factcheck.security.models import SecurityEvent, SecurityEventKind
from factcheck.submissions import operations as submissions
from factcheck.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.claims.desk import acting_as
from tests.publishing.building import NOTE, published_claim
from tests.webhooks.receiver import running_receiver

ALL_EVENTS = [
    "claim.published",
    "claim.corrected",
    "claim.updated",
    "claim.retracted",
    "submission.received",
    "claim.state_changed",
]


def deliveries(db) -> list[WebhookDelivery]:
    db.expire_all()
    return list(db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def job_of(db, delivery: WebhookDelivery) -> Job:
    db.expire_all()
    job = db.get(Job, delivery.job_id)
    assert job is not None
    return job


def test_a_publication_reaches_the_receiver_signed_with_the_public_snapshot(
    app, db_session, team, add_endpoint
):
    with running_receiver() as receiver:
        endpoint, secret = add_endpoint(receiver.url, ["claim.published"])
        receiver.secret = secret
        with app.app_context():  # as in a request: the check's public address is known
            claim = published_claim(db_session, team)

        [delivery] = deliveries(db_session)
        assert (delivery.event, delivery.status, delivery.endpoint_id) == (
            "claim.published",
            "pending",
            endpoint.id,
        )
        assert job_of(db_session, delivery).state == JobState.QUEUED

        assert run_all(app) == 1

    [request] = receiver.received
    assert request.verified
    assert request.headers["webhook-id"] == delivery.message_id
    payload = request.payload
    assert payload["type"] == "claim.published"
    data = payload["data"]
    assert data["claim_id"] == claim.id
    assert data["revision"] == 1
    assert data["url"].endswith(f"/checks/{claim.slug}")
    assert data["snapshot"]["headline"] == "Not 480 km"
    assert data["snapshot"]["label"]["key"] == "false"

    [delivery] = deliveries(db_session)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.response_status == 200
    assert delivery.duration_ms is not None
    assert delivery.response_excerpt == '{"ok": true}'
    assert delivery.attempts == 1
    assert job_of(db_session, delivery).state == JobState.SUCCEEDED


def test_the_payload_holds_no_private_fields(app, db_session, team, add_endpoint):
    add_endpoint("https://hooks.example.org/in", ALL_EVENTS)
    published_claim(db_session, team)
    bodies = " ".join(delivery.body for delivery in deliveries(db_session))
    assert "claim.published" in bodies and "claim.state_changed" in bodies
    # Reviewers' names, their ratings' reasoning, the editors' names: none of it is public.
    for private in (
        "Anna Reviewer",
        "Ben Reviewer",
        "Eve Editor",
        "Ada Admin",
        "The US says 2,000 km or more.",
    ):
        assert private not in bodies
    for delivery in deliveries(db_session):
        data = delivery.payload()["data"]
        assert "ratings" not in data and "ratings" not in data.get("snapshot", {})


def test_each_kind_of_revision_and_each_move_is_its_own_event(app, db_session, team, add_endpoint):
    add_endpoint("https://hooks.example.org/in", ALL_EVENTS)
    claim = published_claim(db_session, team)
    acting_as(db_session, team["ed"])
    publish_revision(db_session, claim, team["ed"], kind=PublicationKind.CORRECTION, note=NOTE)
    publish_revision(db_session, claim, team["ed"], kind=PublicationKind.RETRACTION, note=NOTE)
    db_session.commit()

    events = [(d.event, d.payload()["data"]) for d in deliveries(db_session)]
    assert [event for event, _ in events if event != "claim.state_changed"] == [
        "claim.published",
        "claim.corrected",
        "claim.retracted",
    ]
    moves = [
        (data["from_state"], data["to_state"]) for event, data in events if event == "claim.state_changed"
    ]
    assert (ClaimState.READY.value, ClaimState.PUBLISHED.value) in moves
    corrected = next(data for event, data in events if event == "claim.corrected")
    assert (corrected["revision"], corrected["kind"], corrected["note"]) == (2, "correction", NOTE)


def test_an_endpoint_gets_only_the_events_it_chose(app, db_session, team, add_endpoint):
    add_endpoint("https://hooks.example.org/submissions", ["submission.received"])
    published_claim(db_session, team)
    assert deliveries(db_session) == []
    submissions.suggest(
        db_session, submissions.ReaderValues(text="Is the moon made of cheese?", email="r@example.org")
    )
    db_session.commit()
    [delivery] = deliveries(db_session)
    data = delivery.payload()["data"]
    assert (delivery.event, data["kind"], data["text"]) == (
        "submission.received",
        "suggestion",
        "Is the moon made of cheese?",
    )
    # The reader's e-mail address stays with the editors.
    assert "r@example.org" not in delivery.body


def test_a_rolled_back_change_leaves_no_delivery_and_no_job(app, db_session, team, add_endpoint):
    add_endpoint("https://hooks.example.org/in", ["submission.received"])
    with pytest.raises(RuntimeError), db_session.begin_nested():
        submissions.suggest(db_session, submissions.ReaderValues(text="A claim that is rolled back."))
        db_session.flush()
        raise RuntimeError("the request failed after the submission was added")
    assert deliveries(db_session) == []
    assert db_session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_failing_receiver_is_retried_with_backoff_then_failed_then_retried_by_an_admin(
    app, client, auth, db_session, team, add_endpoint
):
    with running_receiver(statuses=[500, 500, 503]) as receiver:
        _endpoint, receiver.secret = add_endpoint(receiver.url, ["claim.published"])
        published_claim(db_session, team)
        worker = Worker(app)

        before = utcnow()
        first = worker.run_one()
        assert first is not None and first.state == JobState.QUEUED
        [delivery] = deliveries(db_session)
        job = job_of(db_session, delivery)
        assert (delivery.status, delivery.response_status, delivery.attempts) == ("retrying", 500, 1)
        assert delivery.response_excerpt == "receiver error"
        # First wait: 5 to 10 seconds (JOBS_BACKOFF_SECONDS 10, half of it jitter).
        assert before + timedelta(seconds=5) <= job.run_after <= utcnow() + timedelta(seconds=10)
        assert worker.run_one() is None  # not due yet

        waits = []
        for _ in range(2):
            job.run_after = utcnow() - timedelta(seconds=1)  # time passes
            db_session.commit()
            started = utcnow()
            worker.run_one()
            job = job_of(db_session, delivery)
            waits.append(job.run_after - started)
        # After the third try of three: failed, and it says why.
        assert job.state == JobState.FAILED
        assert job.last_error == "the receiver answered 503"
        [delivery] = deliveries(db_session)
        assert (delivery.status, delivery.response_status, delivery.attempts) == ("failed", 503, 3)
        # Every try was the same message, signed afresh.
        assert len(receiver.received) == 3
        assert all(request.verified for request in receiver.received)
        assert {request.headers["webhook-id"] for request in receiver.received} == {delivery.message_id}

        # The admin sees it on the jobs page and retries it.
        auth.login(team["ada"].email)
        page = client.get("/admin/jobs/?state=failed")
        assert page.status_code == 200
        assert "the receiver answered 503" in page.get_data(as_text=True)
        response = client.post(f"/admin/jobs/{job.id}/retry")
        assert response.status_code == 302
        job = job_of(db_session, delivery)
        assert (job.state, job.attempts, job.retried_by) == (JobState.QUEUED, 0, "Ada Admin")
        # The retry is in the security log (and so in the audit history).
        [event] = db_session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == SecurityEventKind.JOB_RETRIED)
        ).all()
        assert (event.actor_id, event.detail["job_id"]) == (team["ada"].id, job.id)
        assert event.detail["error"] == "the receiver answered 503"

        assert worker.run_one().state == JobState.SUCCEEDED
    [delivery] = deliveries(db_session)
    assert (delivery.status, delivery.response_status) == ("delivered", 200)
    assert len(receiver.received) == 4


def test_a_worker_killed_mid_delivery_loses_nothing(app, db_session, team, add_endpoint):
    with running_receiver() as receiver:
        _endpoint, receiver.secret = add_endpoint(receiver.url, ["claim.published"])
        published_claim(db_session, team)
        policy = queue.Policy.from_config(app.config)

        # A worker claims the delivery and dies before sending it (or before recording the answer).
        dead = queue.claim(db_session, "dead worker", policy)
        assert dead is not None
        assert Worker(app, name="second worker").run_one() is None  # leased: left alone
        # Its lease runs out.
        [delivery] = deliveries(db_session)
        job_of(db_session, delivery).locked_until = utcnow() - timedelta(seconds=1)
        db_session.commit()
        # Its lease has run out: another worker takes the job and delivers it.
        outcome = Worker(app, name="second worker").run_one()
        assert outcome is not None and outcome.state == JobState.SUCCEEDED
        # The dead worker, back from the dead, cannot mark a job it no longer holds.
        assert queue.succeed(db_session, dead, "dead worker") is False
        db_session.commit()
    assert [request.verified for request in receiver.received] == [True]
    [delivery] = deliveries(db_session)
    assert delivery.status == DeliveryStatus.DELIVERED
    job = job_of(db_session, delivery)
    assert (job.state, job.attempts, job.locked_by) == (JobState.SUCCEEDED, 2, "second worker")


def test_a_leased_job_is_left_alone_until_its_lease_runs_out(app, db_session, team, add_endpoint):
    add_endpoint("https://hooks.example.org/in", ["claim.published"])
    published_claim(db_session, team)
    policy = queue.Policy.from_config(app.config)
    assert queue.claim(db_session, "busy worker", policy) is not None
    assert Worker(app).run_one() is None


def test_a_delivered_message_is_not_sent_twice(app, db_session, team, add_endpoint):
    with running_receiver() as receiver:
        _endpoint, receiver.secret = add_endpoint(receiver.url, ["claim.published"])
        published_claim(db_session, team)
        run_all(app)
        [delivery] = deliveries(db_session)
        # The job is run again (say its worker died after delivering, before marking the job).
        job = job_of(db_session, delivery)
        job.state, job.attempts = JobState.QUEUED, 0
        db_session.commit()
        assert run_all(app) == 1
    assert len(receiver.received) == 1


def test_a_refused_address_is_a_failed_try_with_the_reason(make_app, db_session, team, add_endpoint):
    strict = make_app(OUTGOING_ALLOW_PRIVATE_ADDRESSES=False)
    add_endpoint("http://localhost:9/hooks", ["claim.published"])
    published_claim(db_session, team)
    outcome = Worker(strict).run_one()
    assert outcome is not None and outcome.state == JobState.QUEUED
    [delivery] = deliveries(db_session)
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.response_status is None
    assert "private or local address" in (delivery.error or "")
