"""Changesets: who changed what, opened on first write and sealed at commit.

A session carries an :class:`Actor` (set by the request, the CLI or a test).
The first write in a transaction opens a changeset: it takes the chain lock,
picks the next sequence number and tells the database triggers about it
(a transaction-local setting on PostgreSQL, the one-row ``audit_context``
table on SQLite). Just before commit the changeset is sealed: its changes
(written by the triggers) are read back, hashed onto the chain, and the
changeset row is inserted. A rollback discards all of it together.

Writes without an actor are refused here, and writes that bypass the session
are refused by the triggers.
"""

from __future__ import annotations

import getpass
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Dialect, event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from factcheck.audit import chain, checkpoints, keys
from factcheck.audit.models import AuditChangeset
from factcheck.audit.triggers import CHANGESET_SETTING, GENESIS_HASH, is_audited
from factcheck.db import utcnow

# PostgreSQL advisory lock key serialising changesets, so the chain never forks.
CHAIN_LOCK_KEY = 0x66_63_61_75_64_69_74  # "fcaudit"

# The statements of every changeset, as the driver's own SQL (exec_driver_sql): each
# runs in every audited transaction, and SQLAlchemy's compiling, cache-keying and
# parameter processing of them cost more than running them on SQLite (see
# bench/README.md). PostgreSQL needs 3 round trips per changeset, SQLite 3 (4 where the
# trigger that empties audit_context is missing).
_changesets = AuditChangeset.__table__
_CHANGESET_COLUMNS = (*(column.name for column in fields(chain.ChangesetRecord)), "hash")
# SQLite: opening is one statement: the next number into audit_context, returning it and
# the head's link; it inserts (and returns) nothing if a changeset is already open in
# this transaction. The write transaction (BEGIN IMMEDIATE) already excludes other writers.
_SQLITE_OPEN = (
    "INSERT INTO audit_context (id, seq) SELECT 1, coalesce((SELECT max(seq) FROM audit_changesets), 0) + 1 "
    "WHERE NOT EXISTS (SELECT 1 FROM audit_context) "
    "RETURNING seq, (SELECT hash FROM audit_changesets ORDER BY seq DESC LIMIT 1)"
)
# The same in two statements, for SQLite before 3.35 (no RETURNING).
_SQLITE_HEAD = "SELECT seq, hash FROM audit_changesets ORDER BY seq DESC LIMIT 1"
_SQLITE_OPEN_CONTEXT = (
    "INSERT INTO audit_context (id, seq) SELECT 1, ? WHERE NOT EXISTS (SELECT 1 FROM audit_context)"
)
_SQLITE_CLOSE_CONTEXT = "DELETE FROM audit_context"
_SQLITE_INSERT_CHANGESET = (
    f"INSERT INTO audit_changesets ({', '.join(_CHANGESET_COLUMNS)}) "  # noqa: S608 - constant names
    f"VALUES ({', '.join('?' for _ in _CHANGESET_COLUMNS)})"
)
# PostgreSQL: server-side functions (factcheck/audit/triggers.py) open a changeset in one
# round trip and seal it in another; the app's role needs no rights on the audit tables.
_PG_OPEN = "SELECT head_seq, head_hash FROM fc_audit_open(%s)"
_PG_SEAL = (
    "SELECT fc_audit_seal(%s::bigint, %s::timestamptz, %s::integer, %s::text, %s::text, %s::text, "
    "%s::text, %s::text, %s::text, %s::text, %s::text, %s::text)"
)
_PG_CLEAR_CONTEXT_SETTING = "SELECT set_config(%s, '', true)"

_ACTOR = "audit_actor"
_OPEN = "audit_open_changeset"
_RESOLVER = "audit_actor_resolver"
_REASON = "audit_pending_reason"
# The savepoint or transaction the open changeset was opened in (a rollback of it undoes it).
_SCOPE = "audit_open_changeset_scope"


class AuditError(RuntimeError):
    """A write the audit rules refuse (no actor, a required reason missing)."""


@dataclass(frozen=True)
class Actor:
    """Who a changeset is attributed to: an application user, or a named process."""

    name: str
    user_id: int | None = None
    role: str | None = None
    origin: str = "web"
    # The id the app gave the request, and the one the client sent (X-Request-ID), kept apart.
    request_id: str | None = None
    reason: str | None = None
    client_request_id: str | None = None

    @classmethod
    def for_user(
        cls,
        user: Any,
        *,
        origin: str = "web",
        request_id: str | None = None,
        client_request_id: str | None = None,
    ) -> Actor:
        return cls(
            name=user.name,
            user_id=user.id,
            role=str(user.role),
            origin=origin,
            request_id=request_id,
            client_request_id=client_request_id,
        )

    @classmethod
    def command_line(cls, command: str) -> Actor:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return cls(name=f"{command} (command line, {who})", origin="cli")

    @classmethod
    def system(cls, name: str, origin: str = "system") -> Actor:
        return cls(name=name, origin=origin)


@dataclass
class OpenChangeset:
    seq: int
    prev_hash: str
    actor: Actor
    occurred_at: datetime
    reason: str | None = None
    reason_required_by: list[str] = field(default_factory=list)
    # Set once sealed.
    hash: str | None = None


def set_actor(session: Session, actor: Actor | None) -> None:
    """Attribute this session's writes to ``actor`` from now on.

    If a changeset is open it is sealed first, so one transaction may hold
    several changesets by different actors (the demo loader does this).
    """
    if _OPEN in session.info:
        session.flush()
        _seal(session)
    if actor is None:
        session.info.pop(_ACTOR, None)
    else:
        session.info[_ACTOR] = actor


def get_actor(session: Session) -> Actor | None:
    actor = session.info.get(_ACTOR)
    if actor is None and _RESOLVER in session.info:
        actor = session.info[_RESOLVER]()
    return actor


def set_actor_resolver(session: Session, resolver: Callable[[], Actor | None]) -> None:
    """Find the actor lazily, at the first write (the web layer: the signed-in user)."""
    session.info[_RESOLVER] = resolver


def set_reason(session: Session, reason: str | None) -> None:
    """Record why the current changes are made (shown in the history, hashed in the chain).

    Applies to the open changeset, or to the next one if none is open; it does
    not carry over to later changesets.
    """
    reason = (reason or "").strip() or None
    if _OPEN in session.info:
        session.info[_OPEN].reason = reason
    else:
        session.info[_REASON] = reason


def require_reason(session: Session, what: str) -> None:
    """Demand a reason before this transaction commits (e.g. changing a verdict's rating)."""
    opened = ensure_changeset(session)
    opened.reason_required_by.append(what)


def ensure_changeset(session: Session) -> OpenChangeset:
    """Open a changeset for this session's transaction if none is open; return it."""
    opened: OpenChangeset | None = session.info.get(_OPEN)
    if opened is not None:
        return opened
    actor = get_actor(session)
    if actor is None:
        raise AuditError("a write was attempted without an actor to attribute it to")
    reason = session.info.pop(_REASON, None)
    opened = open_changeset(session.connection(), actor)
    opened.reason = reason or opened.reason
    session.info[_OPEN] = opened
    session.info[_SCOPE] = _savepoint_or_transaction(session)
    return opened


def open_changeset(connection: Connection, actor: Actor) -> OpenChangeset:
    """Take the chain lock, pick the next sequence number and tell the triggers."""
    if connection.dialect.name == "postgresql":
        head_seq, head_hash = connection.exec_driver_sql(_PG_OPEN, (CHAIN_LOCK_KEY,)).one()
        if head_seq is None:
            head_seq, head_hash = 0, GENESIS_HASH
        seq = head_seq + 1
    elif connection.dialect.insert_returning:
        opened_row = connection.exec_driver_sql(_SQLITE_OPEN).first()
        if opened_row is None:
            raise AuditError(_ALREADY_OPEN)
        seq, head_hash = opened_row
        head_hash = GENESIS_HASH if head_hash is None else head_hash
    else:
        head_seq, head_hash = connection.exec_driver_sql(_SQLITE_HEAD).first() or (0, GENESIS_HASH)
        seq = head_seq + 1
        if connection.exec_driver_sql(_SQLITE_OPEN_CONTEXT, (seq,)).rowcount != 1:
            raise AuditError(_ALREADY_OPEN)
    return OpenChangeset(seq=seq, prev_hash=head_hash, actor=actor, occurred_at=utcnow(), reason=actor.reason)


_ALREADY_OPEN = (
    "another changeset is already open in this transaction (two sessions sharing one "
    "connection?); commit or roll back the other session's writes first"
)


def _seal(session: Session) -> None:
    opened: OpenChangeset | None = session.info.get(_OPEN)
    if opened is not None:
        connection = session.connection()
        if seal_changeset(connection, opened) is not None and opened.hash is not None:
            checkpoints.after_seal(session, connection, opened.seq, opened.hash)
        # Forgotten only once sealed: after an AuditError (a missing reason) it stays
        # open, so the reason can still be given and the commit retried.
        _forget(session)


def seal_changeset(connection: Connection, opened: OpenChangeset) -> int | None:
    """Hash the changeset onto the chain and close the trigger context.

    Returns its sequence number, or None when nothing was changed (then no
    changeset is written and the number is not used up).
    """
    changes = chain.fetch_changes(connection, opened.seq)
    if changes and not opened.reason:
        needing = [*opened.reason_required_by, *_changes_needing_a_reason(changes)]
        if needing:
            raise AuditError(f"a reason is required for: {', '.join(needing)}")
    if changes:
        keyring = keys.active()
        record = chain.ChangesetRecord(
            seq=opened.seq,
            occurred_at=opened.occurred_at,
            actor_id=opened.actor.user_id,
            actor_name=opened.actor.name,
            actor_role=opened.actor.role,
            origin=opened.actor.origin,
            request_id=opened.actor.request_id,
            reason=opened.reason,
            prev_hash=opened.prev_hash,
            key_id=keyring.current.key_id,
            client_request_id=opened.actor.client_request_id,
        )
        opened.hash = chain.changeset_hash(record, changes, keyring)
        values = record.values()
        # occurred_at as SQLAlchemy would bind it to the column (UTC; SQLite's text form).
        values["occurred_at"] = _occurred_at_binder(connection.dialect)(record.occurred_at)
        if connection.dialect.name == "postgresql":
            row = [values[name] for name in _PG_SEAL_ARGUMENTS]
            connection.exec_driver_sql(_PG_SEAL, (*row, opened.hash)).close()
            return opened.seq
        row = [values[name] for name in _CHANGESET_COLUMNS[:-1]]
        sqlite = connection.connection.driver_connection
        before = getattr(sqlite, "total_changes", None)
        connection.exec_driver_sql(_SQLITE_INSERT_CHANGESET, (*row, opened.hash))
        if before is not None and sqlite.total_changes - before == 2:  # type: ignore[union-attr]
            # The row and, by the trigger triggers.SQLITE_CLOSE_TRIGGER, the context.
            return opened.seq
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_PG_CLEAR_CONTEXT_SETTING, (CHANGESET_SETTING,))
    else:
        connection.exec_driver_sql(_SQLITE_CLOSE_CONTEXT)
    return opened.seq if changes else None


# fc_audit_seal's arguments before the link, in its order.
_PG_SEAL_ARGUMENTS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "origin",
    "request_id",
    "client_request_id",
    "reason",
    "key_id",
    "prev_hash",
)
_binders: dict[Dialect, Callable[[Any], Any]] = {}


def _occurred_at_binder(dialect: Dialect) -> Callable[[Any], Any]:
    """audit_changesets.occurred_at's bind processing for ``dialect`` (made once per dialect)."""
    binder = _binders.get(dialect)
    if binder is None:
        column_type = _changesets.c.occurred_at.type.dialect_impl(dialect)
        binder = _binders[dialect] = column_type.bind_processor(dialect) or (lambda value: value)
    return binder


def _changes_needing_a_reason(changes: list[chain.Change]) -> list[str]:
    """The rules of the trade: a verdict's rating and what readers see never change silently."""
    needing = []
    for table, _key, operation, diff, _claim in changes:
        if table == "publications" and operation == "INSERT":
            needing.append("publishing a revision")
        elif table == "verdicts" and operation == "UPDATE":
            label = json.loads(diff).get("label_id")
            if label and label[0] is not None:
                needing.append("changing a verdict's rating")
    return needing


@contextmanager
def connection_changeset(connection: Connection, actor: Actor) -> Iterator[OpenChangeset]:
    """A changeset for writes sent straight through a connection (migrations, tools)."""
    opened = open_changeset(connection, actor)
    yield opened
    seal_changeset(connection, opened)


# --- session events ------------------------------------------------------------


def _audited(table_name: str | None) -> bool:
    return table_name is not None and is_audited(table_name)


@event.listens_for(Session, "before_flush")
def _open_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _OPEN in session.info:
        return
    pending = itertools.chain(session.new, session.dirty, session.deleted)
    if any(_audited(getattr(type(instance), "__tablename__", None)) for instance in pending):
        ensure_changeset(session)


@event.listens_for(Session, "do_orm_execute")
def _open_before_bulk_write(state: ORMExecuteState) -> None:
    # insert()/update()/delete() statements executed through the session.
    if _OPEN in state.session.info or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if _audited(getattr(table, "name", None)):
        ensure_changeset(state.session)


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy calls this when a savepoint is released too; the changeset goes on
        # to the transaction's real commit (a savepoint rolled back takes its writes along).
        return
    # Flush first: the commit's own flush comes after this hook and may open a changeset.
    session.flush()
    if _OPEN in session.info:
        _seal(session)


def _savepoint_or_transaction(session: Session) -> SessionTransaction | None:
    """The database-level scope writes go to now: the innermost savepoint, else the transaction."""
    return session.get_nested_transaction() or session.get_transaction()


def _forget(session: Session) -> None:
    session.info.pop(_OPEN, None)
    session.info.pop(_SCOPE, None)


@event.listens_for(Session, "after_commit")
def _write_checkpoints_after_commit(session: Session) -> None:
    checkpoints.after_commit(session)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    checkpoints.after_rollback(session)
    # The database rolled back the innermost savepoint, or the whole transaction: a
    # changeset opened in it is gone with it; one opened before a savepoint stays.
    undone = _savepoint_or_transaction(session)
    scope = session.info.get(_SCOPE)
    while scope is not None and scope is not undone:
        scope = scope.parent
    if scope is undone:
        _forget(session)


@event.listens_for(Session, "after_transaction_end")
def _follow_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if _OPEN not in session.info:
        return
    if transaction.parent is None:
        # The session's transaction is over (commit, rollback or close()).
        _forget(session)
    elif transaction is session.info.get(_SCOPE):
        # A savepoint released: what was written in it belongs to the enclosing scope now.
        enclosing = transaction.parent
        while enclosing.parent is not None and not enclosing.nested:
            enclosing = enclosing.parent
        session.info[_SCOPE] = enclosing
