"""Verifying the audit history against everything that can vouch for it, and keeping the result.

One run checks, in this order:

1. the guards: every audit trigger present, unchanged and enabled (factcheck/audit/guards.py);
2. the chain: every link recomputed with the audit key (factcheck/audit/chain.py);
3. the checkpoints: from the database, the checkpoint directory and any copies
   given; each signature checked, each compared with the chain (truncation,
   erasure, rewrites), and the directory's compared with the database's;
4. the data: the history replayed and compared with the live rows
   (factcheck/audit/replay.py), the security log included.

Every finding names what and where. A wrong or missing key is not a finding
but an :class:`~factcheck.audit.keys.AuditKeyError`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from factcheck.audit import chain, checkpoints, guards, keys, parallel
from factcheck.audit.models import AuditChangeset, AuditCheckpoint, AuditVerification
from factcheck.audit.replay import Replay


@dataclass(frozen=True)
class Finding:
    # "guard", "chain", "checkpoint" or "data"
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class Report:
    chain: chain.Verification
    findings: list[Finding] = field(default_factory=list)
    checkpoints: int = 0
    newest_checkpoint: checkpoints.Statement | None = None
    seconds: float = 0.0
    # Processes that checked the chain and the data (factcheck/audit/parallel.py).
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def rate(self) -> float:
        return self.chain.checked / self.seconds if self.seconds > 0 else float("inf")

    @property
    def first_bad_seq(self) -> int | None:
        return self.chain.first_bad_seq

    def summary(self) -> str | None:
        return "\n".join(str(finding) for finding in self.findings) or None


def verify(
    connection: Connection,
    keyring: keys.Keyring | None = None,
    *,
    directory: str | None = None,
    copies: Iterable[str] = (),
    replay: bool = True,
    workers: int = 1,
) -> Report:
    """Check the history every way there is; raises AuditKeyError or CheckpointSourceError
    for a key or a copy that cannot be used, never for tampering.

    ``workers`` > 1: a large history is checked by that many processes
    (factcheck/audit/parallel.py), if ``connection`` has written nothing in its
    transaction and, on SQLite, holds the write lock (``BEGIN IMMEDIATE``).
    """
    started = time.perf_counter()
    keyring = keyring or keys.active()
    if connection.dialect.name == "postgresql":
        # Timestamps compare as the triggers wrote them: in UTC (factcheck.db.make_engine).
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
    findings = [Finding("guard", problem) for problem in guards.check(connection)]

    stored = [
        checkpoints.Found(statement, "the database") for statement in checkpoints.from_database(connection)
    ]
    outside = list(checkpoints.from_directory(directory)) if directory else []
    for location in copies:
        outside.extend(checkpoints.from_copy(location))

    wanted = {found.statement.seq for found in [*stored, *outside]}
    replayed = Replay() if replay else None
    split = parallel.verify(connection, keyring, wanted=wanted, replay=replay, workers=workers)
    if split is not None:
        result, data_findings = split
        replayed = None
    else:
        result = chain.verify(
            connection, keyring, observe=replayed.apply if replayed else None, wanted=wanted
        )
    if not result.ok:
        findings.append(Finding("chain", f"changeset {result.first_bad_seq}: {result.problem}"))

    valid = []
    for found in [*stored, *outside]:
        problem = _checkpoint_problem(found, keyring, result)
        if problem:
            findings.append(Finding("checkpoint", problem))
        else:
            valid.append(found.statement)
    # A genuine checkpoint kept outside that the database no longer has was deleted from it.
    in_database = {found.statement for found in stored}
    for found in outside:
        statement = found.statement
        if statement not in in_database and statement.signed_by(keyring):
            findings.append(
                Finding(
                    "checkpoint",
                    f"the checkpoint of changeset {statement.seq} made {statement.to_json()['time']} "
                    f"({found.source}) is missing from the database's audit_checkpoints (deleted)",
                )
            )

    if replayed is not None and result.ok:
        findings.extend(Finding("data", problem) for problem in replayed.compare(connection))
    elif split is not None and result.ok:
        findings.extend(Finding("data", problem) for problem in data_findings)

    newest = max(valid, key=lambda statement: (statement.seq, statement.made_at), default=None)
    distinct = len({found.statement for found in [*stored, *outside]})
    return Report(
        result, findings, distinct, newest, time.perf_counter() - started, workers if split is not None else 1
    )


def _checkpoint_problem(
    found: checkpoints.Found, keyring: keys.Keyring, result: chain.Verification
) -> str | None:
    statement = found.statement
    made = statement.to_json()["time"]
    what = f"the checkpoint of changeset {statement.seq} made {made} ({found.source})"
    signed = statement.signed_by(keyring)
    if signed is None:
        return f"{what} names audit key {statement.key_id}, which is not configured"
    if not signed:
        return f"{what} has a signature that does not verify (forged or altered)"
    if result.first_bad_seq is not None and statement.seq >= result.first_bad_seq:
        return None  # the chain's own finding already says where it breaks
    if result.head_seq is None:
        return f"{what} vouches for changeset {statement.seq}, but the history is empty (erased)"
    if statement.seq > result.head_seq:
        return (
            f"{what} vouches for changeset {statement.seq}, but the history ends at changeset "
            f"{result.head_seq}: the newest changesets were removed"
        )
    if result.hashes.get(statement.seq) != statement.head:
        return f"changeset {statement.seq} is not the one {what} vouches for: the history was rewritten"
    return None


def verify_and_record(
    connection: Connection, *, copies: Iterable[str] = (), replay: bool = True, workers: int = 1
) -> Report:
    """Verify everything (with the configured checkpoint directory) and append the outcome
    to ``audit_verifications``."""
    report = verify(
        connection, directory=checkpoints.policy().directory, copies=copies, replay=replay, workers=workers
    )
    connection.execute(
        insert(AuditVerification).values(
            ok=report.ok,
            checked=report.chain.checked,
            head_seq=report.chain.head_seq,
            head_hash=report.chain.head_hash,
            first_bad_seq=report.first_bad_seq,
            problem=report.summary(),
            seconds=report.seconds,
        )
    )
    return report


def last_verification(db: Session) -> AuditVerification | None:
    return db.scalar(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1))


def chain_head(db: Session) -> AuditChangeset | None:
    return db.scalar(select(AuditChangeset).order_by(AuditChangeset.seq.desc()).limit(1))


def newest_checkpoint(db: Session) -> AuditCheckpoint | None:
    return db.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
