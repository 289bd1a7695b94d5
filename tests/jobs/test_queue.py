"""The job queue: the outbox, claims, leases, retries, several workers, the worker command."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from factcheck import create_app
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Tag
from factcheck.db import get_database, utcnow
from factcheck.jobs import queue, runner
from factcheck.jobs.models import Job, JobState
from factcheck.jobs.runner import Worker
from factcheck.submissions import operations as submissions
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSecret
from factcheck.webhooks.signing import generate_secret, hint
from tests.conftest import TEST_AUDIT_KEY, config_for_tests
from tests.webhooks.receiver import running_receiver

RECORD = "tests.record"
BREAK = "tests.break"
_ran: list[tuple[int, str]] = []
_ran_lock = threading.Lock()


@runner.handler(RECORD)
def _record(session: Session, job: queue.Claimed) -> None:
    time.sleep(0.005)  # long enough for claims to overlap
    with _ran_lock:
        _ran.append((job.id, threading.current_thread().name))


@runner.handler(BREAK)
def _break(session: Session, job: queue.Claimed) -> None:
    # A write that must not survive the failed try.
    session.add(Tag(name=f"written by job {job.id}"))
    session.flush()
    raise ValueError("the handler broke")


def real_session(app) -> Session:
    session = get_database(app).write_sessions()
    set_actor(session, Actor.system("job tests", "test"))
    return session


def count_jobs(session: Session, **where) -> int:
    query = select(func.count()).select_from(Job)
    for name, value in where.items():
        query = query.where(getattr(Job, name) == value)
    return session.scalar(query) or 0


@pytest.fixture
def clean_queue(real_app):
    """The committed database is shared: start each test with no jobs or endpoints."""
    with real_session(real_app) as session:
        session.execute(delete(WebhookDelivery))
        session.execute(delete(Job))
        session.execute(delete(WebhookSecret))
        endpoints = session.scalars(select(WebhookEndpoint)).all()
        for endpoint in endpoints:
            session.delete(endpoint)
        session.commit()
    return real_app


# --- the outbox -------------------------------------------------------------------


def test_a_rolled_back_change_leaves_no_job_and_a_committed_one_always_has_it(clean_queue):
    app = clean_queue
    with real_session(app) as session:
        secret = generate_secret()
        endpoint = WebhookEndpoint(
            url="https://hooks.example.org/in", events=["submission.received"], secret_hint=hint(secret)
        )
        endpoint.secret = WebhookSecret(secret=secret)
        session.add(endpoint)
        session.commit()

    with real_session(app) as session:
        set_actor(session, submissions.reader_actor())
        submissions.suggest(session, submissions.ReaderValues(text="Rolled back before it was stored."))
        session.rollback()
    with real_session(app) as session:
        assert count_jobs(session) == 0
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0

    with real_session(app) as session:
        set_actor(session, submissions.reader_actor())
        submissions.suggest(session, submissions.ReaderValues(text="Committed, so delivered."))
        session.commit()
    with real_session(app) as session:
        [delivery] = session.scalars(select(WebhookDelivery)).all()
        job = session.get(Job, delivery.job_id)
        assert job is not None and job.state == JobState.QUEUED
        assert job.payload == {"message_id": delivery.message_id}


def test_the_same_key_makes_one_job(clean_queue):
    with real_session(clean_queue) as session:
        first = queue.enqueue(session, RECORD, {"n": 1}, key="once")
        second = queue.enqueue(session, RECORD, {"n": 2}, key="once")
        session.commit()
        assert first is second
        assert queue.enqueue(session, RECORD, {"n": 3}, key="once").id == first.id
        session.commit()
        assert count_jobs(session) == 1


# --- retries ------------------------------------------------------------------------


def test_backoff_doubles_with_jitter_up_to_the_cap():
    policy = queue.Policy(backoff_seconds=10, backoff_max_seconds=60)
    rng = random.Random(7)
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        waits = [policy.backoff(attempts, rng).total_seconds() for _ in range(50)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(set(waits)) > 1  # jittered, not all the same


def test_a_handler_that_raises_keeps_none_of_its_writes_and_fails_after_its_last_try(
    make_real_app, clean_queue
):
    app = make_real_app(JOBS_MAX_ATTEMPTS=2, JOBS_BACKOFF_SECONDS=0)
    with real_session(app) as session:
        job = queue.enqueue(session, BREAK)
        session.commit()
        job_id = job.id
    worker = Worker(app)
    assert worker.run_one().state == JobState.QUEUED
    assert worker.run_one().state == JobState.FAILED
    assert worker.run_one() is None
    with real_session(app) as session:
        job = session.get(Job, job_id)
        assert (job.state, job.attempts, job.last_error) == (
            JobState.FAILED,
            2,
            "ValueError: the handler broke",
        )
        assert (
            session.scalar(select(func.count()).select_from(Tag).where(Tag.name.like("written by job%"))) == 0
        )
        queue.retry(session, job, "Ada Admin")
        session.commit()
        assert (job.state, job.attempts) == (JobState.QUEUED, 0)
        with pytest.raises(queue.RetryError, match="only a failed job"):
            queue.retry(session, job, "Ada Admin")


def test_a_job_of_an_unknown_kind_fails_with_the_reason(make_real_app, clean_queue):
    app = make_real_app(JOBS_MAX_ATTEMPTS=1)
    with real_session(app) as session:
        queue.enqueue(session, "no.such.kind")
        session.commit()
    outcome = Worker(app).run_one()
    assert outcome.state == JobState.FAILED
    assert "no handler for jobs of kind 'no.such.kind'" in outcome.error


# --- several workers ------------------------------------------------------------------

WORKERS = 3
JOBS = 40


def test_several_workers_never_run_the_same_job(make_real_app, clean_queue):
    with real_session(clean_queue) as session:
        jobs = [queue.enqueue(session, RECORD, {"n": n}) for n in range(JOBS)]
        session.commit()
        ids = [job.id for job in jobs]
    _ran.clear()
    # Each worker has an app and an engine of its own, like another process.
    apps = [make_real_app() for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def work(app) -> None:
        try:
            start.wait(timeout=10)
            Worker(app).run(burst=True)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(app,), name=f"worker-{n}") for n, app in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    runs = Counter(job_id for job_id, _ in _ran)
    assert sorted(runs) == sorted(ids)
    assert set(runs.values()) == {1}
    with real_session(clean_queue) as session:
        assert count_jobs(session, state=JobState.SUCCEEDED) == JOBS


# --- the command ---------------------------------------------------------------------


def test_worker_burst_runs_the_due_jobs_and_says_how_many(clean_queue):
    app = clean_queue
    with real_session(app) as session:
        queue.enqueue(session, RECORD)
        queue.enqueue(session, RECORD)
        queue.enqueue(session, RECORD, run_after=utcnow() + timedelta(hours=1))
        session.commit()
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output and result.output.strip().endswith("ran 1 job")
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("ran 1 job")
    with real_session(app) as session:
        assert count_jobs(session, state=JobState.QUEUED) == 1


def test_the_worker_stops_on_sigterm(committed_app_url, clean_queue, tmp_path):
    env = {
        **os.environ,
        "FACTCHECK_DATABASE_URL": committed_app_url,
        "FACTCHECK_AUDIT_KEY": TEST_AUDIT_KEY,
        "FACTCHECK_INSTANCE_PATH": str(tmp_path / "instance"),
        "FACTCHECK_JOBS_POLL_SECONDS": "0.1",
    }
    command = [os.path.join(os.path.dirname(sys.executable), "factcheck"), "worker"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        waiting = process.stderr.readline()
        assert "waiting for jobs" in waiting
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "SIGTERM: stopping" in err
    assert out.strip() == "ran 0 jobs"


# --- the audit history ------------------------------------------------------------------


def test_the_audit_history_verifies_after_webhooks_were_delivered(make_real_app, clean_queue):
    app = make_real_app(OUTGOING_ALLOW_PRIVATE_ADDRESSES=True, JOBS_BACKOFF_SECONDS=0)
    with running_receiver(statuses=[500]) as receiver:
        with real_session(app) as session:
            secret = generate_secret()
            receiver.secret = secret
            endpoint = WebhookEndpoint(
                url=receiver.url, events=["submission.received"], secret_hint=hint(secret)
            )
            endpoint.secret = WebhookSecret(secret=secret)
            session.add(endpoint)
            session.commit()
        with real_session(app) as session:
            set_actor(session, submissions.reader_actor())
            submissions.suggest(session, submissions.ReaderValues(text="Delivered on the second try."))
            session.commit()
        assert Worker(app).run(burst=True) == 2
    assert [request.verified for request in receiver.received] == [True, True]
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_the_worker_on_a_database_not_yet_upgraded_says_so_in_one_line(tmp_path, empty_database):
    app = create_app(config_for_tests(tmp_path, empty_database))
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot read the job queue (")
    assert "is the database upgraded (factcheck db upgrade)?" in result.output
    assert "Traceback" not in result.output
    get_database(app).engine.dispose()
