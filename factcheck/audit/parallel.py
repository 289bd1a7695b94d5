"""Verifying a large history in several processes: stretches of the chain, shares of the replay.

One Python thread reads, hashes and replays about 40,000 changesets a second
(bench/README.md); the work splits without changing what is checked. Each
worker is a process forked from the verifying one (so the audit key is never
sent anywhere), with its own connection in the verifying transaction's
snapshot, and checks:

- one stretch of the chain (``chain.Span``): the changesets after ``after`` up
  to ``upto``, from the stored link of changeset ``after``, which the worker
  before it checks; a missing boundary changeset is reported by both;
- one share of the replay: the changes and the live rows of the rows whose key
  falls in its share (``replay.changes_of``, ``Replay.compare``), and the
  schema changes, which concern every row.

Nothing goes unread: a stretch reads, in id order from the first change of its
first changeset on, every change of a changeset up to its end, so a change placed
among another stretch's changes is read there and is out of order, and the last
stretch reads to the end (changes of changesets that do not exist). If every
stretch checks out, the changes in id order are exactly the chain's, and every
change of a row is in that row's share: the replay of each share is the one-process
replay restricted to its rows. The first problem is the lowest changeset a
stretch reports, so the report names what one process would.

One snapshot for all: PostgreSQL exports the verifying transaction's
(``pg_export_snapshot``) and each worker imports it. SQLite has no such thing,
so it uses workers only when the verifying transaction holds the write lock
(``BEGIN IMMEDIATE``, as ``factcheck audit verify`` does): no write commits
until it ends, so every read transaction begun meanwhile sees the same data.
Either way the verifying transaction must not have written anything (the
workers would not see it): PostgreSQL checks, and every worker reports the head
it saw, which must be the verifying connection's, or the check runs in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, NullPool, create_engine

from factcheck.audit import chain, keys
from factcheck.audit.replay import MAX_LISTED, Replay, Share, changes_of
from factcheck.db import SQLITE_BEGIN, make_engine

# Below this many changes one process is done before the workers have started.
MIN_CHANGES = 50_000
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass(frozen=True)
class _Job:
    url: str
    dialect: str
    snapshot: str | None
    # The stretch of the chain (None: none), and the share of the replay (None: no replay).
    after: int | None
    upto: int | None
    share: Share | None
    wanted: frozenset[int]


@dataclass(frozen=True)
class _Outcome:
    # (newest changeset, its link, newest change id) as the worker's snapshot has them.
    head: tuple[Any, ...]
    chain: chain.Verification
    findings: list[str]
    unlisted: int


def verify(
    connection: Connection,
    keyring: keys.Keyring,
    *,
    wanted: Collection[int],
    replay: bool,
    workers: int,
) -> tuple[chain.Verification, list[str]] | None:
    """(the chain's verification, the replay's findings) checked by ``workers`` processes,
    or None when the history is small or the snapshot cannot be shared (verify in one
    process then). Raises AuditKeyError as chain.verify does."""
    if workers < 2:
        return None
    started = time.perf_counter()
    url = _shareable_url(connection)
    if url is None:
        return None
    head = _head(connection)
    if head[0] is None or (head[2] or 0) < MIN_CHANGES:
        return None
    snapshot = None
    if connection.dialect.name == "postgresql":
        if connection.exec_driver_sql("SELECT pg_current_xact_id_if_assigned()").scalar() is not None:
            return None  # this transaction wrote something the workers would not see
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    chain.check_keys(connection, keyring)  # a key error is raised here, not in a worker
    starts = _stretch_starts(connection, head[0], head[2], workers)
    bounds = [*starts, chain.NO_END]
    jobs = [
        _Job(
            url,
            connection.dialect.name,
            snapshot,
            # A worker beyond the stretches (a few huge changesets) only replays.
            bounds[n] if n < len(starts) else None,
            bounds[n + 1] if n < len(starts) else None,
            (n, workers) if replay else None,
            frozenset(wanted),
        )
        for n in range(workers)
    ]
    outcomes = _run(jobs, keyring)
    if any(outcome.head != head for outcome in outcomes):
        return None  # not the same snapshot after all
    return _merged(outcomes, time.perf_counter() - started)


def _stretch_starts(connection: Connection, head_seq: int, newest_change: int, workers: int) -> list[int]:
    """Where each stretch of the chain begins (the changeset before it): about as many changes
    in each, since reading and hashing them is most of the work."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    starts = {0}
    for n in range(1, workers):
        seq = connection.exec_driver_sql(
            f"SELECT changeset_seq FROM audit_changes WHERE id >= {marker} ORDER BY id LIMIT 1",  # noqa: S608
            (newest_change * n // workers,),
        ).scalar()
        if seq is not None and 1 < seq <= head_seq:
            starts.add(seq - 1)
    return sorted(starts)


def _shareable_url(connection: Connection) -> str | None:
    """The database's address if workers can see what ``connection`` sees."""
    url = connection.engine.url
    if connection.dialect.name == "postgresql":
        return url.render_as_string(hide_password=False)
    if connection.dialect.name != "sqlite" or url.database in (None, "", ":memory:") or "memory" in str(url):
        return None
    holds_write_lock = (
        connection.connection.driver_connection.in_transaction  # type: ignore[union-attr]
        and connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE") == "IMMEDIATE"
    )
    return url.render_as_string(hide_password=False) if holds_write_lock else None


def _head(connection: Connection) -> tuple[Any, ...]:
    seq, link = connection.exec_driver_sql(
        "SELECT seq, hash FROM audit_changesets ORDER BY seq DESC LIMIT 1"
    ).first() or (None, None)
    newest_change = connection.exec_driver_sql("SELECT max(id) FROM audit_changes").scalar()
    return seq, link, newest_change


def _run(jobs: list[_Job], keyring: keys.Keyring) -> list[_Outcome]:
    # Forked: the workers inherit the keyring; nothing secret crosses a pipe.
    context = multiprocessing.get_context("fork")
    started = []
    for job in jobs:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(job, keyring, send), daemon=True)
        process.start()
        send.close()
        started.append((process, receive))
    outcomes: list[_Outcome] = []
    failures: list[str] = []
    for process, receive in started:
        try:
            answer = receive.recv()
        except EOFError:
            answer = f"the worker ended with exit code {process.exitcode}"
        finally:
            receive.close()
        process.join()
        if isinstance(answer, _Outcome):
            outcomes.append(answer)
        else:
            failures.append(str(answer))
    if failures:
        raise RuntimeError(f"audit verification worker failed: {failures[0]}")
    return outcomes


def _work(job: _Job, keyring: keys.Keyring, send: Any) -> None:
    try:
        send.send(_check(job, keyring))
    except BaseException as error:  # reported to the verifying process
        send.send(f"{type(error).__name__}: {error}")
    finally:
        send.close()


def _check(job: _Job, keyring: keys.Keyring) -> _Outcome:
    if job.dialect == "postgresql":
        engine = create_engine(job.url, poolclass=NullPool, connect_args={"options": "-c timezone=UTC"})
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    else:
        engine = make_engine(job.url).execution_options(**{SQLITE_BEGIN: "DEFERRED"})
    try:
        with engine.connect() as connection:
            if job.snapshot is not None:
                if not _SNAPSHOT_ID.fullmatch(job.snapshot):
                    raise ValueError(f"unexpected snapshot id {job.snapshot!r}")
                # The transaction's first statement: it sees what the verifying one sees.
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{job.snapshot}'")
                connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
            head = _head(connection)
            if job.after is None or job.upto is None:
                checked = chain.Verification(0, None, None, None, None, 0.0)
            elif (stretch := chain.span(connection, job.after, job.upto)) is None:
                checked = chain.Verification(
                    0, None, None, job.after, f"changeset {job.after} is missing", 0.0
                )
            else:
                checked = chain.verify(connection, keyring, wanted=job.wanted, stretch=stretch)
            replayed = Replay()
            if job.share is not None and checked.ok:
                for change in changes_of(connection, job.share):
                    replayed.apply(change)
                replayed.compare(connection, job.share, summarise=False)
            connection.rollback()
            return _Outcome(head, checked, replayed.findings, replayed.unlisted)
    finally:
        engine.dispose()


def _merged(outcomes: list[_Outcome], seconds: float) -> tuple[chain.Verification, list[str]]:
    """One verification as one process would report it: stretches in chain order up to the
    first that found a problem; the replay's findings only if the whole chain checks out."""
    checked = changes = legacy = 0
    head_seq = head_hash = bad = problem = None
    hashes: dict[int, str] = {}
    bad_outcome = min(
        (outcome for outcome in outcomes if not outcome.chain.ok),
        key=lambda outcome: outcome.chain.first_bad_seq,  # type: ignore[arg-type, return-value]
        default=None,
    )
    for outcome in outcomes:  # in chain order
        part = outcome.chain
        checked += part.checked
        changes += part.changes
        legacy += part.legacy
        hashes.update(part.hashes)
        if part.head_seq is not None:
            head_seq, head_hash = part.head_seq, part.head_hash
        if outcome is bad_outcome:
            bad, problem = part.first_bad_seq, part.problem
            break
    findings: list[str] = []
    unlisted = 0
    if bad is None:
        for outcome in outcomes:
            for finding in outcome.findings:
                if len(findings) < MAX_LISTED:
                    findings.append(finding)
                else:
                    unlisted += 1
            unlisted += outcome.unlisted
        if unlisted:
            findings.append(f"... and {unlisted} more differences")
    verification = chain.Verification(
        checked, head_seq, head_hash, bad, problem, seconds, changes, legacy, hashes
    )
    return verification, findings
