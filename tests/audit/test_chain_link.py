"""What the audit code does its own way for speed: its HMAC-SHA-256 (keys.keyed_link),
verify()'s reading of occurred_at and of PostgreSQL's batches ahead, and SQLite's trigger
that closes a changeset."""

from __future__ import annotations

import hmac
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, text

from factcheck.audit import chain, guards, keys, triggers
from factcheck.audit.changesets import Actor, connection_changeset


@pytest.mark.parametrize("key_length", [0, 1, 32, 63, 64, 65, 200])
def test_keyed_link_is_hmac_sha256(key_length: int) -> None:
    key = bytes(range(key_length))
    link = keys.keyed_link(key)
    for message in (b"", b"x", bytes(range(256)) * 20):
        assert link(message) == hmac.digest(key, message, "sha256").hex()
    # The pads are hashed once and copied: a link leaves nothing behind for the next.
    assert link(b"same") == link(b"same") == hmac.digest(key, b"same", "sha256").hex()


# --- occurred_at as the driver returns it --------------------------------------------
# verify() formats the stored timestamp without parsing it when it has the form the app
# writes; any other form is read as SQLAlchemy reads it, as before.


def _a_changeset(connection: Connection) -> int:
    with connection_changeset(connection, Actor.system("a test of chain.py", "test")) as opened:
        connection.execute(text("INSERT INTO tags (name) VALUES (:name)"), {"name": f"tag {uuid.uuid4()}"})
    return opened.seq


def _stored_timestamp(connection: Connection, seq: int) -> str:
    return connection.execute(
        text("SELECT occurred_at FROM audit_changesets WHERE seq = :seq"), {"seq": seq}
    ).scalar()


def _rewrite_sqlite_timestamp(connection: Connection, seq: int, value: str) -> None:
    """As the database's owner could: the append-only trigger out of the way for one UPDATE."""
    name = "fc_audit_audit_changesets_no_update"
    (ddl,) = connection.execute(
        text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": name}
    ).one()
    connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    connection.exec_driver_sql("UPDATE audit_changesets SET occurred_at = ? WHERE seq = ?", (value, seq))
    connection.exec_driver_sql(ddl)


def test_a_timestamp_in_another_equivalent_form_still_verifies(connection: Connection) -> None:
    seq = _a_changeset(connection)
    if connection.dialect.name == "postgresql":
        # Timestamps come back in the session's time zone, not in UTC.
        connection.exec_driver_sql("SET LOCAL TIME ZONE 'Asia/Kolkata'")
    else:
        stored = _stored_timestamp(connection, seq)
        assert len(stored) == 26 and stored[10] == " "
        _rewrite_sqlite_timestamp(connection, seq, stored.replace(" ", "T"))
    result = chain.verify(connection)
    assert result.ok, result.problem


def test_an_altered_timestamp_is_reported(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        pytest.skip("the text forms of a stored timestamp are SQLite's")
    seq = _a_changeset(connection)
    stored = _stored_timestamp(connection, seq)
    later = stored[:-1] + ("1" if stored[-1] != "1" else "2")
    _rewrite_sqlite_timestamp(connection, seq, later)
    result = chain.verify(connection)
    assert result.first_bad_seq == seq
    assert result.problem is not None and result.problem.startswith(
        "its contents do not match its keyed link"
    )


# --- fetched_ahead: the helper thread that reads PostgreSQL batches ahead ---------------


def test_fetched_ahead_gives_every_batch_in_order() -> None:
    assert list(chain.fetched_ahead(iter([[1], [2, 3], [], [4]]))) == [[1], [2, 3], [], [4]]


def test_fetched_ahead_raises_the_helpers_error() -> None:
    def batches() -> Iterator[list[int]]:
        yield [1]
        raise RuntimeError("the server went away")

    ahead = chain.fetched_ahead(batches())
    assert next(ahead) == [1]
    with pytest.raises(RuntimeError, match="the server went away"):
        next(ahead)


def test_fetched_ahead_stops_its_helper_when_closed_early() -> None:
    closed = threading.Event()

    def batches() -> Iterator[list[int]]:
        try:
            for n in range(1000):
                yield [n]
        finally:
            closed.set()

    before = threading.active_count()
    ahead = chain.fetched_ahead(batches())
    assert next(ahead) == [0]
    ahead.close()  # type: ignore[attr-defined]
    assert closed.is_set()
    assert threading.active_count() == before


# --- SQLite: the trigger that empties audit_context when a changeset is sealed ---------


def _context_rows(connection: Connection) -> int:
    return connection.execute(text("SELECT count(*) FROM audit_context")).scalar_one()


@pytest.mark.parametrize("with_trigger", [True, False], ids=["trigger", "trigger dropped"])
def test_sealing_empties_the_context_with_or_without_the_shortcut_trigger(
    connection: Connection, with_trigger: bool
) -> None:
    if connection.dialect.name == "postgresql":
        pytest.skip("audit_context is SQLite's")
    present = {name for _table, name in triggers.existing_triggers(connection)}
    assert triggers.SQLITE_CLOSE_TRIGGER in present
    if not with_trigger:
        connection.exec_driver_sql(f'DROP TRIGGER "{triggers.SQLITE_CLOSE_TRIGGER}"')
        # Not a guard: the guards do not miss it.
        assert guards.check(connection) == []
    first = _a_changeset(connection)
    assert _context_rows(connection) == 0
    second = _a_changeset(connection)
    assert second == first + 1
    assert _context_rows(connection) == 0
    assert chain.verify(connection).ok
