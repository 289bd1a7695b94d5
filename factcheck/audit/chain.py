"""The keyed chain over changesets, and its verification.

Canonical serialisation of changeset *n* (UTF-8 bytes, fields separated by
the ASCII unit separator 0x1F, records by the record separator 0x1E):

    "factcheck-audit-v2" US seq US key_id US occurred_at US actor_id US
    actor_name US actor_role US origin US request_id US client_request_id US
    reason US prev_hash
    then for each change, in id order:
    RS table_name US row_key US operation US changes US claim_id

``occurred_at`` is ISO 8601 in UTC with microseconds; absent values are
empty; ``row_key`` and ``changes`` are the JSON text exactly as the database
stores it (jsonb's canonical text on PostgreSQL, the triggers' json_object()
output on SQLite), so nothing is parsed and re-serialised on the way.

``hash(n) = HMAC-SHA-256(link key of key_id, prev_hash(n) || serialisation(n))``,
hex, and ``prev_hash(n) = hash(n - 1)``, with 64 zeros before the first. The
link key is derived from the audit key, which never enters the database
(factcheck/audit/keys.py): whoever holds only the database cannot compute a
link that verifies.

Histories written before the key existed start with *legacy* changesets
(``key_id`` empty, version "factcheck-audit-v1" without the key id and the
client request id, plain SHA-256). They are accepted only as a prefix: once
a keyed changeset appears, every later one must be keyed too.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from itertools import chain as chained
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select

from factcheck.audit.keys import AuditKeyError, Keyring
from factcheck.audit.keys import active as active_keyring
from factcheck.audit.models import AuditChangeset
from factcheck.audit.triggers import GENESIS_HASH

VERSION = "factcheck-audit-v2"
LEGACY_VERSION = "factcheck-audit-v1"
US = "\x1f"
RS = "\x1e"

# (table_name, row_key JSON text, operation, changes JSON text, claim_id)
Change = tuple[str, str, str, str, int | None]
T = TypeVar("T")


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
    key_id: str | None
    client_request_id: str | None = None

    def values(self) -> dict[str, Any]:
        # A shallow copy (the fields are immutable values); dataclasses.asdict() deep-copies.
        return {name: getattr(self, name) for name in _RECORD_FIELDS}


_RECORD_FIELDS = tuple(field.name for field in fields(ChangesetRecord))


def utc_isoformat(value: datetime) -> str:
    """ISO 8601 in UTC with microseconds (naive values are UTC): the form the chain hashes."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _serialisation(record: Sequence[Any], changes: Iterable[Change], timestamp: str | None = None) -> bytes:
    """The canonical bytes of a changeset; ``record`` holds its fields in ChangesetRecord's order
    (``timestamp``: occurred_at's canonical text, when the caller has it already)."""
    seq, occurred_at, actor_id, actor_name, actor_role, origin, request_id, reason, prev_hash = record[:9]
    key_id, client_request_id = record[9], record[10]
    # This runs once per changeset in verify(), hence inline.
    if key_id is None:
        parts: tuple[str, ...] = (LEGACY_VERSION, str(seq))
    else:
        parts = (VERSION, str(seq), key_id)
    head = US.join(
        (
            *parts,
            utc_isoformat(occurred_at) if timestamp is None else timestamp,
            _text(actor_id),
            actor_name,
            _text(actor_role),
            origin,
            _text(request_id),
            *(() if key_id is None else (_text(client_request_id),)),
            _text(reason),
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


def serialise(record: ChangesetRecord, changes: Sequence[Change]) -> bytes:
    return _serialisation([getattr(record, name) for name in _RECORD_FIELDS], changes)


def changeset_hash(record: ChangesetRecord, changes: Sequence[Change], keyring: Keyring | None) -> str:
    """The link of a changeset: keyed with the key it names (the legacy form has none)."""
    message = record.prev_hash.encode("ascii") + serialise(record, changes)
    if record.key_id is None:
        return hashlib.sha256(message).hexdigest()
    key = keyring.get(record.key_id) if keyring else None
    if key is None:
        raise AuditKeyError(f"audit key {record.key_id} is not configured")
    return key.link(message)


_changesets = AuditChangeset.__table__

# A changeset's changes, sealed in every audited transaction: the driver's own SQL, with
# its parameter marker (no compiling or cache-keying per call).
_FETCH_CHANGES_SQL = (
    "SELECT table_name, CAST(row_key AS TEXT), operation, CAST(changes AS TEXT), claim_id "
    "FROM audit_changes WHERE changeset_seq = {seq} ORDER BY id"
)
_FETCH_CHANGES = {
    "qmark": _FETCH_CHANGES_SQL.format(seq="?"),
    "format": _FETCH_CHANGES_SQL.format(seq="%s"),
    "pyformat": _FETCH_CHANGES_SQL.format(seq="%s"),
}


def fetch_changes(connection: Connection, seq: int) -> list[Change]:
    rows = connection.exec_driver_sql(_FETCH_CHANGES[connection.dialect.paramstyle], (seq,))
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
    changes: int = 0
    legacy: int = 0
    # The stored hash of each changeset asked for (checkpoints compare against them).
    hashes: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None

    @property
    def rate(self) -> float:
        return self.checked / self.seconds if self.seconds > 0 else float("inf")


BATCH = 5000

# verify() reads through the driver's own cursor: 400,000 rows as SQLAlchemy Row objects,
# with occurred_at parsed into a datetime only to be formatted again, cost it more than
# the hashing. Keyset queries; {after} is the driver's parameter marker.
# Changesets in seq order: the ChangesetRecord fields, then the stored hash.
_NEXT_CHANGESETS_SQL = (
    f"SELECT {', '.join(_RECORD_FIELDS)}, hash FROM audit_changesets "  # noqa: S608 - constant names
    f"WHERE seq > {{after}}{{upto}} ORDER BY seq LIMIT {BATCH}"
)
# Changes in id order: changeset_seq, the Change fields (JSON as text, as fetch_changes reads
# them), then the id.
_NEXT_CHANGES_SQL = (
    "SELECT changeset_seq, table_name, CAST(row_key AS TEXT), operation, CAST(changes AS TEXT), "  # noqa: S608
    f"claim_id, id FROM audit_changes WHERE id > {{after}}{{upto}} ORDER BY id LIMIT {BATCH * 4}"
)
# A stretch's upper bound, by query (``changeset_seq + 0``: not by its index, which would
# make the database sort every batch instead of reading in id order).
_UPTO = {
    _NEXT_CHANGESETS_SQL: " AND seq <= {marker}",
    _NEXT_CHANGES_SQL: " AND changeset_seq + 0 <= {marker}",
}
# No upper bound: the whole history (seq and id are bigint on PostgreSQL).
NO_END = 2**63 - 1
_CHANGESET_SEQ = itemgetter(0)
# Each key id the history names, with the first changeset that names it.
_KEY_IDS = select(_changesets.c.key_id, func.min(_changesets.c.seq)).group_by(_changesets.c.key_id)


def _in_batches(
    connection: Connection, sql: str, key: int, after: int = 0, upto: int = NO_END
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of the keyset query ``sql`` as the driver returns them, a batch at a time
    by keyset on column ``key`` from ``after`` on, in the connection's transaction."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    bounded = upto != NO_END
    statement = sql.format(after=marker, upto=_UPTO[sql].format(marker=marker) if bounded else "")
    cursor = connection.connection.cursor()
    try:
        while True:
            cursor.execute(statement, (after, upto) if bounded else (after,))
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            after = rows[-1][key]
    finally:
        cursor.close()


_DONE = object()


def fetched_ahead(batches: Iterator[T], depth: int = 2) -> Iterator[T]:
    """``batches``, fetched by a helper thread up to ``depth`` batches ahead.

    For PostgreSQL, which does its part (reading, jsonb to text) in another process:
    the server makes the next batch while this thread works on the current one. The
    helper only runs the driver's cursor (psycopg connections serialise their users);
    it is stopped and joined when the iteration ends, however it ends (close() it).
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def fetch() -> None:
        try:
            for batch in batches:
                if not put(batch):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the consumer, which raises it
            put(error)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # a generator's cursor is closed in this thread, which used it

    helper = threading.Thread(target=fetch, name="factcheck-audit-fetch", daemon=True)
    helper.start()
    try:
        while (item := ready.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        helper.join()


@contextmanager
def _history(
    connection: Connection, span: Span
) -> Iterator[tuple[Iterator[tuple[Any, ...]], Iterator[tuple[Any, ...]]]]:
    """(changesets, changes) of ``span`` as verify() reads them: rows in seq and in id order.

    On PostgreSQL each is fetched a batch ahead by a helper thread (fetched_ahead);
    on SQLite, where the reading happens in this process anyway, as it is needed.
    """
    changesets = _in_batches(connection, _NEXT_CHANGESETS_SQL, 0, span.after, span.upto)
    changes = _in_batches(connection, _NEXT_CHANGES_SQL, -1, span.first_change_after, span.upto)
    if connection.dialect.name == "postgresql":
        changesets, changes = fetched_ahead(changesets), fetched_ahead(changes)
    try:
        yield chained.from_iterable(changesets), chained.from_iterable(changes)
    finally:
        changes.close()  # type: ignore[attr-defined]
        changesets.close()  # type: ignore[attr-defined]


def _timestamp_readers(connection: Connection) -> tuple[Callable[[Any], str], Callable[[Any], str]]:
    """(fast, exact): occurred_at as the driver returns it -> its canonical text.

    ``exact`` reads the value as SQLAlchemy does (the column type's result processing),
    then formats it. ``fast`` skips the parsing for the form the database keeps: the
    text 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC on SQLite, an aware datetime in UTC on
    PostgreSQL. Should it ever give another text than ``exact`` would, the link does
    not match, and verify() tries ``exact`` before reporting anything.
    """
    dialect = connection.dialect
    process = _changesets.c.occurred_at.type.dialect_impl(dialect).result_processor(dialect, None)

    def exact(value: Any) -> str:
        return utc_isoformat(process(value) if process is not None else value)

    if dialect.name == "sqlite":

        def fast(value: Any) -> str:
            if value.__class__ is str and len(value) == 26 and value[10] == " ":
                return value[:10] + "T" + value[11:] + "+00:00"
            return exact(value)

    else:

        def fast(value: Any) -> str:
            if value.__class__ is datetime and value.tzinfo is UTC:
                return value.isoformat(timespec="microseconds")
            return exact(value)

    return fast, exact


def _unkeyed_link(message: bytes) -> str:
    return hashlib.sha256(message).hexdigest()


def check_keys(connection: Connection, keyring: Keyring) -> None:
    """Refuse to verify with keys the history was not written with.

    A wrong or missing key is a configuration mistake, and reporting it as
    tampering would be a false alarm. A key id that no configured key has
    is named with the first changeset using it: either a retired key is
    missing from the configuration, or those changesets were forged.
    """
    used = {key_id: seq for key_id, seq in connection.execute(_KEY_IDS) if key_id is not None}
    unknown = {key_id: seq for key_id, seq in used.items() if keyring.get(key_id) is None}
    if not unknown:
        return
    configured = ", ".join(key.key_id for key in keyring.keys)
    if len(unknown) == len(used):
        raise AuditKeyError(
            f"none of the configured audit keys ({configured}) wrote this history (it names "
            f"{', '.join(sorted(used))}): set FACTCHECK_AUDIT_KEY and FACTCHECK_AUDIT_RETIRED_KEYS "
            "to this installation's keys"
        )
    named = ", ".join(f"{key_id} (from changeset {seq})" for key_id, seq in sorted(unknown.items()))
    raise AuditKeyError(
        f"the history names audit keys that are not configured: {named}; add a retired key to "
        "FACTCHECK_AUDIT_RETIRED_KEYS, or, if no such key was ever this installation's, those "
        "changesets were forged"
    )


@dataclass(frozen=True)
class Span:
    """A stretch of the chain: the changesets after ``after`` up to ``upto``, and the state
    the changesets before it leave (checked by whoever verifies them: factcheck/audit/parallel.py).

    The changes are read in id order from ``first_change_after`` on, those of changesets up
    to ``upto``: every change of the span's changesets, and any other one placed among them,
    which is then out of order.
    """

    after: int = 0
    upto: int = NO_END
    first_change_after: int = 0
    # The link of changeset ``after``, its key id, and the first keyed changeset up to it.
    prev_hash: str = GENESIS_HASH
    key_id: str | None = None
    keyed_since: int | None = None

    @property
    def whole(self) -> bool:
        return self.after == 0 and self.upto == NO_END


def span(connection: Connection, after: int, upto: int = NO_END) -> Span | None:
    """The stretch after changeset ``after`` (None if there is no such changeset)."""
    if after == 0:
        return Span(upto=upto)
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    boundary = connection.exec_driver_sql(
        f"SELECT hash, key_id FROM audit_changesets WHERE seq = {marker}",  # noqa: S608 - the marker
        (after,),
    ).first()
    if boundary is None:
        return None
    first_keyed = connection.exec_driver_sql(
        "SELECT min(seq) FROM audit_changesets WHERE key_id IS NOT NULL"
    ).scalar()
    first_change = connection.exec_driver_sql(
        f"SELECT min(id) FROM audit_changes WHERE changeset_seq > {marker}",  # noqa: S608 - the marker
        (after,),
    ).scalar()
    if first_change is None:  # no change after the boundary: read none
        first_change = (connection.exec_driver_sql("SELECT max(id) FROM audit_changes").scalar() or 0) + 1
    return Span(
        after,
        upto,
        first_change - 1,
        boundary[0],
        boundary[1],
        first_keyed if first_keyed is not None and first_keyed <= after else None,
    )


def verify(
    connection: Connection,
    keyring: Keyring | None = None,
    *,
    observe: Callable[[Change], Any] | None = None,
    wanted: Collection[int] = (),
    stretch: Span | None = None,
) -> Verification:
    """Recompute every link of the chain; report the first changeset that does not check out.

    Catches altered fields or changes, removed or reordered changesets, changes
    moved between changesets, changes that belong to no changeset, and links
    that were not made with the audit key (forged or rewritten changesets).
    ``observe`` sees every change in chain order (the replay of the data);
    the stored hashes of the changesets in ``wanted`` are returned. ``stretch``:
    only that part of the chain (``checked`` counts its changesets).
    """
    keyring = keyring or active_keyring()
    check_keys(connection, keyring)
    started = time.perf_counter()
    stretch = stretch or Span()
    with _history(connection, stretch) as (changesets, changes):
        return _verify(connection, keyring, observe, wanted, started, changesets, changes, stretch)


def _verify(
    connection: Connection,
    keyring: Keyring,
    observe: Callable[[Change], Any] | None,
    wanted: Collection[int],
    started: float,
    changesets: Iterator[tuple[Any, ...]],
    change_rows: Iterator[tuple[Any, ...]],
    stretch: Span,
) -> Verification:
    # The changes in id order, a group per changeset_seq.
    changes = groupby(change_rows, _CHANGESET_SEQ)
    pending_seq, pending = next(changes, (None, ()))
    timestamp, exact_timestamp = _timestamp_readers(connection)
    expected_prev = stretch.prev_hash
    checked = legacy = change_count = 0
    head_seq: int | None = None
    head_hash: str | None = None
    hashes: dict[int, str] = {}
    wanted = set(wanted)
    keyed_since = stretch.keyed_since
    links = {key.key_id: key.linker for key in keyring.keys}
    ranks = {key.key_id: rank for rank, key in enumerate(keyring.keys)}
    key_rank = -1 if stretch.key_id is None else ranks.get(stretch.key_id, -1)
    first = stretch.after + 1

    def result(bad: int | None, problem: str | None) -> Verification:
        return Verification(
            checked,
            head_seq,
            head_hash,
            bad,
            problem,
            time.perf_counter() - started,
            change_count,
            legacy,
            hashes,
        )

    for row in changesets:
        seq = row[0]
        expected_seq = first + checked
        if seq != expected_seq:
            return result(expected_seq, f"changeset {expected_seq} is missing (found {seq} next)")
        own: list[Change] = []
        if pending_seq == seq:
            own = [change[1:6] for change in pending]
            pending_seq, pending = next(changes, (None, ()))
        if pending_seq is not None and pending_seq < seq:
            return result(pending_seq, f"a change belongs to changeset {pending_seq}, which is out of order")
        if observe is not None:
            for change in own:
                observe(change)
        prev_hash, key_id, stored_hash = row[8], row[9], row[11]
        if prev_hash != expected_prev:
            return result(seq, "its previous hash does not match the changeset before it")
        when = timestamp(row[1])
        message = prev_hash.encode("ascii") + _serialisation(row, own, when)
        if key_id is None:
            if keyed_since is not None:
                return result(
                    seq,
                    f"it has no key id, but changeset {keyed_since} and those after it are keyed: "
                    "an unkeyed link after the audit key was in use is forged",
                )
            legacy += 1
            link = _unkeyed_link
        else:
            link = links.get(key_id)
            if link is None:
                return result(
                    seq,
                    f"it names audit key {key_id}, which is not configured: either a key is missing "
                    "from FACTCHECK_AUDIT_RETIRED_KEYS, or the changeset was forged",
                )
            if ranks[key_id] < key_rank:
                return result(
                    seq,
                    f"it is linked with retired key {key_id} after a newer key had taken over "
                    "(a link made with an old key)",
                )
            key_rank = ranks[key_id]
            if keyed_since is None:
                keyed_since = seq
        computed = link(message)
        if computed != stored_hash and exact_timestamp(row[1]) != when:
            computed = link(prev_hash.encode("ascii") + _serialisation(row, own, exact_timestamp(row[1])))
        if computed != stored_hash:
            return result(
                seq,
                "its contents do not match its keyed link (a field or change was altered, "
                "or the changeset was forged without the audit key)",
            )
        expected_prev = stored_hash
        checked += 1
        change_count += len(own)
        head_seq, head_hash = seq, stored_hash
        if seq in wanted:
            hashes[seq] = stored_hash
    if stretch.upto != NO_END and first + checked <= stretch.upto:
        return result(first + checked, f"changeset {first + checked} is missing")
    if pending_seq is not None:
        return result(pending_seq, f"changes refer to changeset {pending_seq}, which does not exist")
    return result(None, None)
