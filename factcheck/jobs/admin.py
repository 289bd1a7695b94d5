"""What admins do with jobs: retrying a failed one, recorded in the security log.

The jobs table is not in the audit history (docs/worker.md), so the retry is
recorded as a security log event, which is (since revision 0005): who retried
which job, when, from which request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from factcheck.jobs import queue
from factcheck.jobs.models import Job
from factcheck.security import events
from factcheck.security.models import SecurityEventKind
from factcheck.security.permissions import Permission, require


def retry_job(session: Session, actor: Any, job: Job) -> None:
    """Queue a failed job again with all its tries; raises PermissionDenied or queue.RetryError."""
    require(actor, Permission.ADMINISTER)
    queue.retry(session, job, actor.name)
    events.record(
        session,
        SecurityEventKind.JOB_RETRIED,
        actor_id=actor.id,
        job_id=job.id,
        job_kind=job.kind,
        error=job.last_error,
    )
    session.flush()
