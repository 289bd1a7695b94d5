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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from itertools import chain as chained
from typing import Any

from sqlalchemy import Connection, Select, Text, bindparam, cast, select

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
        # A shallow copy (the fields are immutable values); dataclasses.asdict() deep-copies.
        return {name: getattr(self, name) for name in _RECORD_FIELDS}


_RECORD_FIELDS = tuple(field.name for field in fields(ChangesetRecord))


def _timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _serialisation(record: Sequence[Any], changes: Iterable[Change]) -> bytes:
    """The canonical bytes of a changeset; ``record`` holds its fields in ChangesetRecord's order."""
    seq, occurred_at, actor_id, actor_name, actor_role, origin, request_id, reason, prev_hash = record[:9]
    # Absent values are empty; this runs once per changeset in verify(), hence inline.
    head = US.join(
        (
            VERSION,
            str(seq),
            _timestamp(occurred_at),
            "" if actor_id is None else str(actor_id),
            actor_name,
            "" if actor_role is None else str(actor_role),
            origin,
            "" if request_id is None else str(request_id),
            "" if reason is None else str(reason),
            prev_hash,
        )
    )
    body = "".join(
        [
            RS + US.join((table, key, operation, diff, "" if claim is None else str(claim)))
            for table, key, operation, diff, claim in changes
        ]
    )
    return (head + body).encode("utf-8")


def _digest(prev_hash: str, serialisation: bytes) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(serialisation)
    return digest.hexdigest()


def serialise(record: ChangesetRecord, changes: Sequence[Change]) -> bytes:
    return _serialisation([getattr(record, name) for name in _RECORD_FIELDS], changes)


def changeset_hash(record: ChangesetRecord, changes: Sequence[Change]) -> str:
    return _digest(record.prev_hash, serialise(record, changes))


# Statements are built once (Core columns, bound parameters) so that each use only
# binds new values: building and cache-keying a statement per call cost more than
# running it on SQLite.
_changesets = AuditChangeset.__table__
_changes = AuditChange.__table__

_CHANGE_COLUMNS = (
    _changes.c.table_name,
    cast(_changes.c.row_key, Text),
    _changes.c.operation,
    cast(_changes.c.changes, Text),
    _changes.c.claim_id,
)

_FETCH_CHANGES = (
    select(*_CHANGE_COLUMNS).where(_changes.c.changeset_seq == bindparam("seq")).order_by(_changes.c.id)
)


def fetch_changes(connection: Connection, seq: int) -> list[Change]:
    rows = connection.execute(_FETCH_CHANGES, {"seq": seq})
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


BATCH = 5000

# Changesets in seq order: the ChangesetRecord fields, then the stored hash.
_NEXT_CHANGESETS = (
    select(
        _changesets.c.seq,
        _changesets.c.occurred_at,
        _changesets.c.actor_id,
        _changesets.c.actor_name,
        _changesets.c.actor_role,
        _changesets.c.origin,
        _changesets.c.request_id,
        _changesets.c.reason,
        _changesets.c.prev_hash,
        _changesets.c.hash,
    )
    .where(_changesets.c.seq > bindparam("after"))
    .order_by(_changesets.c.seq)
    .limit(BATCH)
)
# Changes in id order: changeset_seq, the Change fields, then the id.
_NEXT_CHANGES = (
    select(_changes.c.changeset_seq, *_CHANGE_COLUMNS, _changes.c.id)
    .where(_changes.c.id > bindparam("after"))
    .order_by(_changes.c.id)
    .limit(BATCH * 4)
)


def _in_batches(connection: Connection, statement: Select[Any], key: int) -> Iterator[Any]:
    """All rows of ``statement``, fetched a batch at a time by keyset on column ``key``."""

    def batches() -> Iterator[Sequence[Any]]:
        after = 0
        while True:
            rows = connection.execute(statement, {"after": after}).all()
            if not rows:
                return
            yield rows
            after = rows[-1][key]

    return chained.from_iterable(batches())


def verify(connection: Connection) -> Verification:
    """Recompute the whole chain; report the first changeset that does not check out.

    Catches altered fields or changes, removed or reordered changesets, changes
    moved between changesets, and changes that belong to no changeset.
    """
    started = time.perf_counter()
    changes = _in_batches(connection, _NEXT_CHANGES, -1)
    pending = next(changes, None)
    expected_prev = GENESIS_HASH
    checked = 0
    head_seq: int | None = None
    head_hash: str | None = None

    def result(bad: int | None, problem: str | None) -> Verification:
        return Verification(checked, head_seq, head_hash, bad, problem, time.perf_counter() - started)

    for row in _in_batches(connection, _NEXT_CHANGESETS, 0):
        seq = row[0]
        expected_seq = checked + 1
        if seq != expected_seq:
            return result(expected_seq, f"changeset {expected_seq} is missing (found {seq} next)")
        own: list[Change] = []
        while pending is not None and pending[0] <= seq:
            if pending[0] < seq:
                return result(
                    pending[0], f"a change belongs to changeset {pending[0]}, which is out of order"
                )
            own.append(pending[1:6])
            pending = next(changes, None)
        prev_hash, stored_hash = row[8], row[9]
        if prev_hash != expected_prev:
            return result(seq, "its previous hash does not match the changeset before it")
        if _digest(prev_hash, _serialisation(row, own)) != stored_hash:
            return result(seq, "its contents do not match its hash (a field or change was altered)")
        expected_prev = stored_hash
        checked += 1
        head_seq, head_hash = seq, stored_hash
    if pending is not None:
        return result(pending[0], f"changes refer to changeset {pending[0]}, which does not exist")
    return result(None, None)
