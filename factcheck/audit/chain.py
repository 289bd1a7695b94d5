"""The hash chain over changesets, and its verification.

Canonical serialisation of changeset *n* (UTF-8 bytes, fields separated by
the ASCII unit separator 0x1F, records by the record separator 0x1E):

    "factcheck-audit-v1" US seq US occurred_at US actor_id US actor_name US
    actor_role US origin US request_id US reason US prev_hash
    then for each change, in id order:
    RS table_name US row_key US operation US changes US claim_id

``occurred_at`` is ISO 8601 in UTC with microseconds; absent values are
empty; ``row_key`` and ``changes`` are the JSON text exactly as the database
stores it (jsonb's canonical text on PostgreSQL, the triggers' json_object()
output on SQLite), so nothing is parsed and re-serialised on the way.
``hash(n) = SHA-256(prev_hash(n) || serialisation(n))``, hex, and
``prev_hash(n) = hash(n - 1)``, with 64 zeros before the first.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, select

from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.audit.triggers import GENESIS_HASH

VERSION = "factcheck-audit-v1"
US = "\x1f"
RS = "\x1e"

# (table_name, row_key JSON text, operation, changes JSON text, claim_id)
Change = tuple[str, str, str, str, int | None]


@dataclass(frozen=True)
class ChangesetRecord:
    seq: int
    occurred_at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str | None
    origin: str
    request_id: str | None
    reason: str | None
    prev_hash: str

    def values(self) -> dict[str, Any]:
        return asdict(self)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def serialise(record: ChangesetRecord, changes: Sequence[Change]) -> bytes:
    head = US.join(
        [
            VERSION,
            str(record.seq),
            _timestamp(record.occurred_at),
            _text(record.actor_id),
            record.actor_name,
            _text(record.actor_role),
            record.origin,
            _text(record.request_id),
            _text(record.reason),
            record.prev_hash,
        ]
    )
    body = "".join(
        RS + US.join((table, key, operation, diff, _text(claim)))
        for table, key, operation, diff, claim in changes
    )
    return (head + body).encode("utf-8")


def changeset_hash(record: ChangesetRecord, changes: Sequence[Change]) -> str:
    digest = hashlib.sha256(record.prev_hash.encode("ascii"))
    digest.update(serialise(record, changes))
    return digest.hexdigest()


_CHANGE_COLUMNS = (
    AuditChange.table_name,
    cast(AuditChange.row_key, Text),
    AuditChange.operation,
    cast(AuditChange.changes, Text),
    AuditChange.claim_id,
)


def fetch_changes(connection: Connection, seq: int) -> list[Change]:
    rows = connection.execute(
        select(*_CHANGE_COLUMNS).where(AuditChange.changeset_seq == seq).order_by(AuditChange.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


# --- verification --------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int | None
    head_hash: str | None
    first_bad_seq: int | None
    problem: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None

    @property
    def rate(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else float("inf")


_CHANGESET_COLUMNS = (
    AuditChangeset.seq,
    AuditChangeset.occurred_at,
    AuditChangeset.actor_id,
    AuditChangeset.actor_name,
    AuditChangeset.actor_role,
    AuditChangeset.origin,
    AuditChangeset.request_id,
    AuditChangeset.reason,
    AuditChangeset.prev_hash,
    AuditChangeset.hash,
)

BATCH = 5000


def _changesets(connection: Connection) -> Iterator[Any]:
    last = 0
    while True:
        rows = connection.execute(
            select(*_CHANGESET_COLUMNS)
            .where(AuditChangeset.seq > last)
            .order_by(AuditChangeset.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _changes(connection: Connection) -> Iterator[tuple[int, Change]]:
    last = 0
    while True:
        rows = connection.execute(
            select(AuditChange.id, AuditChange.changeset_seq, *_CHANGE_COLUMNS)
            .where(AuditChange.id > last)
            .order_by(AuditChange.id)
            .limit(BATCH * 4)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row[1], tuple(row[2:])  # type: ignore[misc]
        last = rows[-1][0]


def verify(connection: Connection) -> Verification:
    """Recompute the whole chain; report the first changeset that does not check out.

    Catches altered fields or changes, removed or reordered changesets, changes
    moved between changesets, and changes that belong to no changeset.
    """
    started = time.perf_counter()
    changes = _changes(connection)
    pending: tuple[int, Change] | None = next(changes, None)
    expected_prev = GENESIS_HASH
    checked = 0
    head_seq: int | None = None
    head_hash: str | None = None

    def result(bad: int | None, problem: str | None) -> Verification:
        return Verification(checked, head_seq, head_hash, bad, problem, time.perf_counter() - started)

    for row in _changesets(connection):
        expected_seq = checked + 1
        if row.seq != expected_seq:
            return result(expected_seq, f"changeset {expected_seq} is missing (found {row.seq} next)")
        own: list[Change] = []
        while pending is not None and pending[0] <= row.seq:
            if pending[0] < row.seq:
                return result(
                    pending[0], f"a change belongs to changeset {pending[0]}, which is out of order"
                )
            own.append(pending[1])
            pending = next(changes, None)
        if row.prev_hash != expected_prev:
            return result(row.seq, "its previous hash does not match the changeset before it")
        record = ChangesetRecord(*row[:9])
        if changeset_hash(record, own) != row.hash:
            return result(row.seq, "its contents do not match its hash (a field or change was altered)")
        expected_prev = row.hash
        checked += 1
        head_seq, head_hash = row.seq, row.hash
    if pending is not None:
        return result(pending[0], f"changes refer to changeset {pending[0]}, which does not exist")
    return result(None, None)
