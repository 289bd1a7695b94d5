"""The worker: claims jobs and runs their handlers, one at a time, until told to stop.

A handler is a function ``handler(session, job)`` registered for a job kind with
:func:`handler`. It runs in a transaction of its own, which also marks the job
succeeded, so its writes and the job's end commit together. It must be safe to
run twice (a worker may die after the work and before that commit): webhook
deliveries carry a stable id for receivers to drop duplicates.

A handler that raises fails the try: its writes roll back, and the job goes back
to the queue after a backoff, or is failed after its last try. A handler that
raises :class:`TryAgain` keeps its writes (a webhook delivery records the
receiver's answer) and is retried the same way.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from factcheck.audit.changesets import Actor, set_actor
from factcheck.db import get_database
from factcheck.jobs import queue
from factcheck.jobs.models import JobState
from factcheck.jobs.queue import Claimed, Policy

log = logging.getLogger(__name__)

Handler = Callable[[Session, Claimed], None]
_HANDLERS: dict[str, Handler] = {}
# How long an idle worker sleeps between looks at the queue.
DEFAULT_POLL_SECONDS = 1.0
WORKER_ACTOR_NAME = "Background worker"


class TryAgain(Exception):
    """Raised by a handler whose try failed but whose writes should be kept."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""

    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def handlers() -> dict[str, Handler]:
    _load_handlers()
    return dict(_HANDLERS)


def _load_handlers() -> None:
    # The modules that register handlers; imported here, not at start-up, so the app stays light.
    from factcheck.documents import fetching  # noqa: F401
    from factcheck.dossier import prepared  # noqa: F401
    from factcheck.notifications import email  # noqa: F401
    from factcheck.public import stored  # noqa: F401
    from factcheck.sources import archiving  # noqa: F401
    from factcheck.webhooks import delivery  # noqa: F401


def worker_name() -> str:
    """Unique per worker: host, process and a random part (threads of one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Outcome:
    job_id: int
    kind: str
    state: JobState | None
    error: str | None = None


class Worker:
    """Runs jobs for one app. :meth:`run_one` runs at most one job; :meth:`run` loops."""

    def __init__(self, app: Flask, *, name: str | None = None, poll_seconds: float | None = None) -> None:
        self.app = app
        self.name = name or worker_name()
        self.policy = Policy.from_config(app.config)
        self.poll_seconds = (
            poll_seconds if poll_seconds is not None else float(app.config.get("JOBS_POLL_SECONDS", 1.0))
        )
        self.stopping = threading.Event()

    def stop(self) -> None:
        """Finish the job in hand, then return from :meth:`run`."""
        self.stopping.set()

    def _session(self) -> Session:
        session = get_database(self.app).write_sessions()
        # Handlers that change audited data are attributed to the worker.
        set_actor(session, Actor.system(WORKER_ACTOR_NAME, "worker"))
        return session

    def _schedule_recurring(self) -> None:
        """Queue the next run of the periodic jobs (each queues its own next run when it ends);
        their keys make this a no-op when one is queued already."""
        from factcheck.sources.archiving import schedule_link_checks

        with self.app.app_context():
            session = self._session()
            try:
                schedule_link_checks(session, self.app.config)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("could not schedule the periodic jobs")
            finally:
                session.close()

    def _anything_due(self) -> bool:
        # A read transaction (DEFERRED on SQLite): polling an empty queue never queues writers.
        session = get_database(self.app).read_sessions()
        try:
            return queue.any_due(session)
        finally:
            session.rollback()
            session.close()

    def run_one(self) -> Outcome | None:
        """Claim one due job and run it; None when nothing is due."""
        _load_handlers()
        with self.app.app_context():
            if not self._anything_due():
                return None
            session = self._session()
            try:
                claimed = queue.claim(session, self.name, self.policy)
            finally:
                session.close()
            if claimed is None:
                return None
            return self._run(claimed)

    def _run(self, claimed: Claimed) -> Outcome:
        function = _HANDLERS.get(claimed.kind)
        session = self._session()
        try:
            if function is None:
                raise LookupError(f"no handler for jobs of kind {claimed.kind!r}")
            function(session, claimed)
            kept = queue.succeed(session, claimed, self.name)
            session.commit()
            if not kept:
                log.warning("job %s finished after its lease ran out; another worker has it", claimed.id)
            return Outcome(claimed.id, claimed.kind, JobState.SUCCEEDED if kept else None)
        except TryAgain as exc:
            state = queue.fail(session, claimed, self.name, str(exc), self.policy)
            session.commit()
            return Outcome(claimed.id, claimed.kind, state, str(exc))
        except Exception as exc:
            session.rollback()
            error = f"{type(exc).__name__}: {exc}"
            log.exception("job %s (%s) failed", claimed.id, claimed.kind)
            state = queue.fail(session, claimed, self.name, error, self.policy)
            session.commit()
            return Outcome(claimed.id, claimed.kind, state, error)
        finally:
            session.close()

    def run(self, *, burst: bool = False, limit: int | None = None) -> int:
        """Run jobs until stopped; with ``burst``, until nothing is due. Returns the number run."""
        done = 0
        if not burst:
            self._schedule_recurring()
        while not self.stopping.is_set():
            if limit is not None and done >= limit:
                break
            try:
                outcome = self.run_one()
            except Exception:
                # A lost database connection, say: wait and try again rather than die.
                log.exception("the worker could not claim a job")
                if burst:
                    raise
                self.stopping.wait(self.poll_seconds)
                continue
            if outcome is None:
                if burst:
                    break
                self.stopping.wait(self.poll_seconds)
                continue
            done += 1
        return done


def start_in_thread(app: Flask) -> Worker:
    """One worker in a daemon thread of this process (``factcheck run``)."""
    worker = Worker(app)
    thread = threading.Thread(target=worker.run, name="factcheck-worker", daemon=True)
    thread.start()
    return worker


def run_all(app: Flask, **kwargs: Any) -> int:
    """Run every due job now (tests, scripts)."""
    return Worker(app, **kwargs).run(burst=True)
