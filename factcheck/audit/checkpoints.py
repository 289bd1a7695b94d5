"""Signed checkpoints: statements of the chain head, kept where the database's holder cannot reach.

A checkpoint says "changeset *seq* has link *head*", with the time and the
key id, signed with the audit key's Ed25519 key. Each one is written three
times: to ``audit_checkpoints`` in the database, to an append-only directory
outside it (one file per checkpoint, never overwritten), and to the public
transparency page, where readers and partners can keep copies. Whoever
truncates, erases or rewrites the history up to a checkpoint cannot make the
copies agree, and cannot sign new ones without the key.

Checkpoints are made by ``factcheck audit checkpoint``, at every publication,
and after every ``every`` changesets or ``minutes`` minutes (checked as each
changeset is sealed; the row is written in that changeset's transaction, the
file once it has committed).
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from factcheck.audit import keys
from factcheck.audit.chain import utc_isoformat
from factcheck.audit.models import AuditChangeset, AuditCheckpoint
from factcheck.db import utcnow

TYPE = "factcheck-audit-checkpoint-v1"

COMMAND = "command"
INTERVAL = "interval"
PUBLICATION = "publication"


@dataclass(frozen=True)
class Statement:
    seq: int
    head: str
    made_at: datetime
    key_id: str
    cause: str
    signature: str = ""

    def message(self) -> bytes:
        """The signed bytes: compact JSON with sorted keys, the signature left out."""
        document = {key: value for key, value in self.to_json().items() if key != "signature"}
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": TYPE,
            "seq": self.seq,
            "head": self.head,
            "time": _timestamp(self.made_at),
            "key_id": self.key_id,
            "cause": self.cause,
            "signature": self.signature,
        }

    @classmethod
    def from_json(cls, document: Any) -> Statement:
        if not isinstance(document, dict) or document.get("type") != TYPE:
            raise ValueError("not a factcheck audit checkpoint")
        try:
            return cls(
                seq=int(document["seq"]),
                head=str(document["head"]),
                made_at=datetime.fromisoformat(str(document["time"]).replace("Z", "+00:00")),
                key_id=str(document["key_id"]),
                cause=str(document["cause"]),
                signature=str(document["signature"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"a checkpoint with a missing or malformed field: {exc}") from None

    @classmethod
    def from_row(cls, row: Any) -> Statement:
        return cls(row.seq, row.head_hash, row.made_at, row.key_id, row.cause, row.signature)

    @property
    def file_name(self) -> str:
        return f"{self.seq:012d}-{self.made_at.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{self.key_id}.json"

    def signed_by(self, keyring: keys.Keyring) -> bool | None:
        """True if signed by the key it names, False if not, None if that key is not configured."""
        key = keyring.get(self.key_id)
        if key is None:
            return None
        return keys.verify_signature(key.public_key, self.signature, self.message())


def _timestamp(value: datetime) -> str:
    return utc_isoformat(value).replace("+00:00", "Z")


def sign(
    seq: int, head: str, cause: str, keyring: keys.Keyring, made_at: datetime | None = None
) -> Statement:
    key = keyring.current
    # Microseconds are kept: the statement must read back exactly as it was signed.
    unsigned = Statement(seq, head, made_at or utcnow(), key.key_id, cause)
    return Statement(seq, head, unsigned.made_at, key.key_id, cause, key.sign(unsigned.message()))


# --- where checkpoints live ----------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """Where checkpoint files go, and how often checkpoints are made on their own."""

    directory: str | None
    # Changesets between checkpoints made on their own (0: only by command and at publications).
    every: int = 1000
    minutes: float = 60.0


_policy = Policy(directory=None, every=0)
# The newest checkpoint each database is known to have: (seq, made_at), by database URL.
_last_made: dict[str, tuple[int, datetime]] = {}


def configure(policy: Policy) -> None:
    global _policy
    _policy = policy
    _last_made.clear()


def policy() -> Policy:
    return _policy


_table = AuditCheckpoint.__table__
_INSERT = insert(_table)
_NEWEST = select(_table.c.seq, _table.c.made_at).order_by(_table.c.id.desc()).limit(1)
_HEAD = select(AuditChangeset.seq, AuditChangeset.hash).order_by(AuditChangeset.seq.desc()).limit(1)


def record(connection: Connection, statement: Statement) -> None:
    """Add a checkpoint to the database (in the caller's transaction)."""
    connection.execute(
        _INSERT,
        {
            "seq": statement.seq,
            "head_hash": statement.head,
            "made_at": statement.made_at,
            "key_id": statement.key_id,
            "cause": statement.cause,
            "signature": statement.signature,
        },
    )
    _last_made[_database_key(connection)] = (statement.seq, statement.made_at)


def write_file(statement: Statement, directory: str | None = None) -> str | None:
    """Write a checkpoint to the directory; an existing file is never replaced."""
    directory = directory or _policy.directory
    if not directory:
        return None
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, statement.file_name)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        return path
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(statement.to_json(), handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def make(connection: Connection, cause: str = COMMAND) -> Statement | None:
    """Sign the current head and record it in the database; the caller commits, then writes the file."""
    head = connection.execute(_HEAD).first()
    if head is None:
        return None
    statement = sign(head.seq, head.hash, cause, keys.active())
    record(connection, statement)
    return statement


def from_database(connection: Connection) -> list[Statement]:
    rows = connection.execute(select(_table).order_by(_table.c.id))
    return [Statement.from_row(row) for row in rows]


@dataclass(frozen=True)
class Found:
    """A checkpoint as read from somewhere, with where it came from."""

    statement: Statement
    source: str


class CheckpointSourceError(ValueError):
    """A copy of the checkpoints that cannot be read (a missing file, a bad URL, not JSON)."""


def from_directory(directory: str) -> Iterator[Found]:
    if not os.path.isdir(directory):
        return
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(directory, name)
        yield from _parse(_read_json(path), path)


def from_copy(location: str) -> list[Found]:
    """Checkpoints from a file or URL: one statement, a list, or the transparency page's JSON."""
    if location.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(location, timeout=30) as response:  # noqa: S310 - http(s) only
                document = json.load(response)
        except (OSError, ValueError) as exc:
            raise CheckpointSourceError(f"cannot read checkpoints from {location}: {exc}") from None
        return list(_parse(document, location))
    return list(_parse(_read_json(location), location))


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise CheckpointSourceError(f"cannot read checkpoints from {path}: {exc}") from None


def _parse(document: Any, source: str) -> Iterator[Found]:
    if isinstance(document, dict) and "checkpoints" in document:
        document = document["checkpoints"]
    items: Iterable[Any] = document if isinstance(document, list) else [document]
    for item in items:
        try:
            yield Found(Statement.from_json(item), source)
        except ValueError as exc:
            raise CheckpointSourceError(f"{source}: {exc}") from None


# --- made on their own ---------------------------------------------------------

_REQUESTED = "audit_checkpoint_requested"
_TO_WRITE = "audit_checkpoints_to_write"


def request(session: Session, cause: str = PUBLICATION) -> None:
    """Make a checkpoint when this session's changeset is sealed (publishing does)."""
    session.info[_REQUESTED] = cause


def _database_key(connection: Connection) -> str:
    return connection.engine.url.render_as_string(hide_password=True)


def _due(connection: Connection, seq: int) -> bool:
    key = _database_key(connection)
    last = _last_made.get(key)
    if last is None:
        newest = connection.execute(_NEWEST).first()
        last = (newest.seq, newest.made_at) if newest else (0, datetime.min.replace(tzinfo=UTC))
        _last_made[key] = last
    made_seq, made_at = last
    return seq - made_seq >= _policy.every or utcnow() - made_at >= timedelta(minutes=_policy.minutes)


def after_seal(session: Session, connection: Connection, seq: int, head: str) -> None:
    """Called with each sealed changeset: record a checkpoint if one is due or was requested."""
    cause = session.info.pop(_REQUESTED, None)
    if cause is None and _policy.every > 0 and _due(connection, seq):
        cause = INTERVAL
    if cause is None:
        return
    statement = sign(seq, head, cause, keys.active())
    record(connection, statement)
    session.info.setdefault(_TO_WRITE, []).append(statement)


def after_commit(session: Session) -> None:
    """Write the committed checkpoints to the directory (a rolled-back one never reaches it)."""
    if session.in_nested_transaction():
        # SQLAlchemy sends after_commit when a savepoint is released too, and the transaction
        # may still roll back: a file for a checkpoint the database never kept would read as
        # one deleted from it.
        return
    for statement in session.info.pop(_TO_WRITE, ()):
        write_file(statement)


def after_rollback(session: Session) -> None:
    session.info.pop(_TO_WRITE, None)
