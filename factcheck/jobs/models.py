"""The job queue's one table.

Not in the audit history (factcheck/audit/triggers.py, NOT_AUDITED): a job row
is operational bookkeeping that changes with every claim, lease and try, and the
change that caused it (a publication, a submission) is audited itself, in the
same transaction. docs/worker.md says more.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from factcheck.db import Base, Timestamps, UTCDateTime, str_enum, utcnow


class JobState(enum.StrEnum):
    # Waiting for its time (``run_after``) and a worker.
    QUEUED = "queued"
    # Claimed by a worker, whose lease runs until ``locked_until``.
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    # Every try failed; an admin may retry it.
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": _("Queued"),
            "running": _("Running"),
            "succeeded": _("Succeeded"),
            "failed": _("Failed"),
        }[self.value]


class Job(Timestamps, Base):
    __tablename__ = "jobs"
    # The claim query: due jobs in order, and running jobs whose lease ran out.
    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which handler runs it (factcheck/jobs/handlers.py), e.g. "webhooks.deliver".
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Enqueueing the same key twice makes one job.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    state: Mapped[JobState] = mapped_column(str_enum(JobState, "job_state"), default=JobState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    # None: the worker's JOBS_MAX_ATTEMPTS when it claims the job.
    max_attempts: Mapped[int | None]
    # Not before this time (a retry's backoff, or a job scheduled for later).
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The lease of the worker running it: after this time another worker may claim it.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last admin who put a failed job back in the queue, and when.
    retried_by: Mapped[str | None] = mapped_column(String(200))
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
