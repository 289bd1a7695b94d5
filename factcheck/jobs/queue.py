"""Putting jobs in the queue, claiming them, and recording how they ended.

:func:`enqueue` only adds a row to the caller's session: the job commits or rolls
back with the change that caused it. The other functions are the worker's, each
run in a short transaction of its own:

- :func:`claim` takes the next due job (or one whose worker's lease ran out) and
  leases it: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers on
  several hosts never take the same row; on SQLite the claim transaction starts
  with ``BEGIN IMMEDIATE`` (factcheck/db.py), so one claimer at a time;
- :func:`succeed` and :func:`fail` record the end of a try, but only while the
  worker still holds the lease (a worker that overran it leaves the job alone);
- :func:`retry` puts a failed job back in the queue (admins).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from factcheck.db import utcnow
from factcheck.jobs.models import Job, JobState

DEFAULT_MAX_ATTEMPTS = 8
# The lease of a claimed job: a worker that dies mid-job holds it this long.
DEFAULT_LEASE_SECONDS = 300
DEFAULT_BACKOFF_SECONDS = 10.0
DEFAULT_BACKOFF_MAX_SECONDS = 3600.0
MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Policy:
    """How long leases last and how retries back off (config JOBS_*)."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
    backoff_max_seconds: float = DEFAULT_BACKOFF_MAX_SECONDS

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        return cls(
            max_attempts=max(1, int(config.get("JOBS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))),
            lease_seconds=float(config.get("JOBS_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)),
            backoff_seconds=float(config.get("JOBS_BACKOFF_SECONDS", DEFAULT_BACKOFF_SECONDS)),
            backoff_max_seconds=float(config.get("JOBS_BACKOFF_MAX_SECONDS", DEFAULT_BACKOFF_MAX_SECONDS)),
        )

    def backoff(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait before try ``attempts + 1``: exponential, capped, with "equal jitter"
        (half fixed, half random), so jobs that failed together do not all return together."""
        ceiling = min(self.backoff_max_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1))
        jitter = (rng or _random).random()
        return timedelta(seconds=ceiling / 2 + jitter * ceiling / 2)


_random = random.SystemRandom()


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    max_attempts: int | None = None,
    run_after: datetime | None = None,
) -> Job:
    """Add a job to the caller's transaction (it commits or rolls back with it).

    ``key`` makes it idempotent: a job with the same key already queued, run or
    failed is returned instead of a second one. ``max_attempts`` defaults to the
    worker's JOBS_MAX_ATTEMPTS, read when the job is claimed.
    """
    if key is not None:
        existing = session.scalar(select(Job).where(Job.idempotency_key == key))
        if existing is not None:
            return existing
        # Not yet flushed, in this session.
        for pending in session.new:
            if isinstance(pending, Job) and pending.idempotency_key == key:
                return pending
    job = Job(
        kind=kind,
        payload=payload or {},
        idempotency_key=key,
        state=JobState.QUEUED,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or utcnow(),
    )
    session.add(job)
    return job


@dataclass(frozen=True)
class Claimed:
    """A job leased to a worker: what the runner needs after the claim's transaction closed."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    max_attempts: int
    locked_until: datetime

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


def _due(now: datetime) -> Any:
    return or_(
        and_(Job.state == JobState.QUEUED, Job.run_after <= now),
        and_(Job.state == JobState.RUNNING, Job.locked_until < now),
    )


def any_due(session: Session, *, now: datetime | None = None) -> bool:
    """Whether a job is due: a plain read, so an idle worker's poll takes no write lock (SQLite)."""
    return session.scalar(select(Job.id).where(_due(now or utcnow())).limit(1)) is not None


def claim(
    session: Session,
    worker: str,
    policy: Policy,
    *,
    now: datetime | None = None,
    kinds: list[str] | None = None,
) -> Claimed | None:
    """Lease the next due job to ``worker`` and commit; None when nothing is due.

    A running job whose lease ran out (its worker died or hung) is due again; if
    that was its last try, it is marked failed instead of run once more.
    """
    now = now or utcnow()
    while True:
        query = select(Job).where(_due(now)).order_by(Job.run_after, Job.id).limit(1)
        if kinds:
            query = query.where(Job.kind.in_(kinds))
        job = session.scalar(query.with_for_update(skip_locked=True))
        if job is None:
            session.commit()
            return None
        max_attempts = job.max_attempts or policy.max_attempts
        if job.state == JobState.RUNNING and job.attempts >= max_attempts:
            _mark_failed(job, now, f"the worker ({job.locked_by}) stopped during the last try")
            session.commit()
            continue
        job.state = JobState.RUNNING
        job.attempts += 1
        job.locked_by = worker
        job.locked_until = now + timedelta(seconds=policy.lease_seconds)
        claimed = Claimed(
            id=job.id,
            kind=job.kind,
            payload=dict(job.payload or {}),
            attempt=job.attempts,
            max_attempts=max_attempts,
            locked_until=job.locked_until,
        )
        session.commit()
        return claimed


def _held(claimed: Claimed, worker: str) -> Any:
    """The job row, only while ``worker`` still holds this try's lease."""
    return and_(
        Job.id == claimed.id,
        Job.state == JobState.RUNNING,
        Job.locked_by == worker,
        Job.attempts == claimed.attempt,
    )


def succeed(session: Session, claimed: Claimed, worker: str, *, now: datetime | None = None) -> bool:
    """Mark the job done (in the caller's transaction, with the handler's writes); False if the
    lease was lost meanwhile (another worker has the job now)."""
    now = now or utcnow()
    result = session.execute(
        update(Job)
        .where(_held(claimed, worker))
        .values(state=JobState.SUCCEEDED, finished_at=now, locked_until=None, last_error=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def fail(
    session: Session,
    claimed: Claimed,
    worker: str,
    error: str,
    policy: Policy,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> JobState | None:
    """Record a failed try: back in the queue after a backoff, or failed after the last try.
    Returns the new state (None if the lease was lost meanwhile)."""
    now = now or utcnow()
    error = error.strip()[:MAX_ERROR_LENGTH] or "failed"
    if claimed.last_attempt:
        values: dict[str, Any] = {"state": JobState.FAILED, "finished_at": now}
    else:
        values = {"state": JobState.QUEUED, "run_after": now + policy.backoff(claimed.attempt, rng)}
    result = session.execute(
        update(Job)
        .where(_held(claimed, worker))
        .values(locked_until=None, last_error=error, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return values["state"] if result.rowcount == 1 else None


def _mark_failed(job: Job, now: datetime, error: str) -> None:
    job.state = JobState.FAILED
    job.finished_at = now
    job.locked_until = None
    job.last_error = error[:MAX_ERROR_LENGTH]


class RetryError(ValueError):
    """A retry the rules refuse (the job is not failed)."""


def retry(session: Session, job: Job, by: str, *, now: datetime | None = None) -> None:
    """Put a failed job back in the queue with all its tries again, now; ``by`` names the admin."""
    if job.state != JobState.FAILED:
        raise RetryError(
            _("only a failed job can be retried; this one is %(state)s", state=job.state.label.lower())
        )
    now = now or utcnow()
    job.state = JobState.QUEUED
    job.attempts = 0
    job.run_after = now
    job.finished_at = None
    job.locked_by = None
    job.locked_until = None
    job.retried_by = by[:200]
    job.retried_at = now
    session.flush()


def counts(session: Session) -> dict[JobState, int]:
    from sqlalchemy import func

    rows = session.execute(select(Job.state, func.count()).group_by(Job.state)).all()
    found = {state: 0 for state in JobState}
    found.update({state: number for state, number in rows})
    return found


def requeue(session: Session, job: Job, *, now: datetime | None = None) -> None:
    """Run a finished job again, now (a cached result it made is gone); not an admin's retry."""
    now = now or utcnow()
    job.state = JobState.QUEUED
    job.attempts = 0
    job.run_after = now
    job.finished_at = None
    job.locked_by = None
    job.locked_until = None
    job.last_error = None
    session.flush()
