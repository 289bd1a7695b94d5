"""Tamper-evident: `factcheck audit verify` checks the hash chain and names the first bad changeset.

The tampering is done as the database owner would: the triggers that keep the
audit tables append-only (and the chain gap-free) are dropped first and put back after. One
database with a small history serves every case; each test's tampering is
undone afterwards from a pristine copy of the audit tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, delete, insert, update
from sqlalchemy.orm import Session

from factcheck.audit import chain, keys, triggers
from factcheck.audit.models import AuditVerification
from factcheck.audit.verification import last_verification
from factcheck.db import make_engine, utcnow
from tests.audit.helpers import (
    CHANGES,
    CHANGESETS,
    changes,
    changeset,
    changesets,
    drop_append_only_triggers,
    head,
    write_history,
)

# A pristine copy of the audit tables, kept in memory (a copy inside the database would be
# a table the history cannot explain).
PRISTINE: dict[str, list[dict[str, object]]] = {}


@pytest.fixture(scope="module")
def history_database(copy_of_migrated: Callable[[], str]) -> Iterator[str]:
    url = copy_of_migrated()
    engine = make_engine(url)
    try:
        write_history(engine)
        with engine.begin() as connection:
            for table in (CHANGESETS, CHANGES):
                # Raw rows: JSON stays the text the triggers wrote (the chain hashes that text).
                columns = ", ".join(
                    f"{column.name}::text AS {column.name}"
                    if connection.dialect.name == "postgresql" and column.name in ("row_key", "changes")
                    else column.name
                    for column in table.columns
                )
                rows = connection.exec_driver_sql(f"SELECT {columns} FROM {table.name}")  # noqa: S608
                PRISTINE[table.name] = [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()
    yield url


@pytest.fixture
def history_engine(history_database: str) -> Iterator[Engine]:
    """The history database, intact at the start of the test and restored after it."""
    engine = make_engine(history_database)
    with engine.connect() as connection:
        assert chain.verify(connection).ok
    yield engine
    with engine.begin() as connection:
        drop_append_only_triggers(connection)
        connection.execute(delete(CHANGES))
        connection.execute(delete(CHANGESETS))
        for table in (CHANGESETS, CHANGES):
            rows = PRISTINE[table.name]
            names = list(rows[0])
            marks = ", ".join("%s" if connection.dialect.name == "postgresql" else "?" for _ in names)
            connection.exec_driver_sql(
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",  # noqa: S608
                [tuple(row[name] for name in names) for row in rows],
            )
        triggers.sync(connection)
    engine.dispose()


@pytest.fixture
def history_app(make_real_app: Callable[..., Flask], history_database: str) -> Flask:
    return make_real_app(history_database)


def last_verification_row(connection: Connection) -> AuditVerification:
    with Session(bind=connection) as session:
        found = last_verification(session)
        assert found is not None
        return found


def run_verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_verify_reports_the_changesets_checked_and_the_head(
    history_app: Flask, history_engine: Engine
) -> None:
    with history_engine.connect() as connection:
        total = len(changesets(connection))
        current = head(connection)
    assert current is not None and total >= 6

    exit_code, output = run_verify(history_app)

    assert exit_code == 0, output
    assert f"{total} changesets (" in output
    assert f"head {current.seq} {current.hash}" in output
    with history_engine.connect() as connection:
        recorded = last_verification_row(connection)
    assert (recorded.ok, recorded.checked, recorded.head_seq, recorded.head_hash) == (
        True,
        total,
        current.seq,
        current.hash,
    )


# --- tampering: each returns the sequence number verify must name ------------------------


def change_ids(connection: Connection, seq: int) -> list[int]:
    return [row.id for row in changes(connection, seq)]


def alter_a_value(connection: Connection) -> int:
    seq = 4  # the tag renamed "health" -> "public health"
    (change,) = changes(connection, seq)
    assert change.operation == "UPDATE"
    connection.execute(
        update(CHANGES).where(CHANGES.c.id == change.id).values(changes={"name": ["health", "wellbeing"]})
    )
    return seq


def alter_an_actor_name(connection: Connection) -> int:
    connection.execute(update(CHANGESETS).where(CHANGESETS.c.seq == 3).values(actor_name="Somebody Else"))
    return 3


def delete_a_changeset_in_the_middle(connection: Connection) -> int:
    connection.execute(delete(CHANGES).where(CHANGES.c.changeset_seq == 3))
    connection.execute(delete(CHANGESETS).where(CHANGESETS.c.seq == 3))
    return 3


def delete_a_change(connection: Connection) -> int:
    first, _second = change_ids(connection, 2)
    connection.execute(delete(CHANGES).where(CHANGES.c.id == first))
    return 2


def insert_a_changeset_out_of_order(connection: Connection) -> int:
    current = head(connection)
    assert current is not None
    connection.execute(
        insert(CHANGESETS).values(
            seq=current.seq + 2,
            occurred_at=utcnow(),
            actor_name="Intruder",
            origin="web",
            prev_hash=current.hash,
            hash="f" * 64,
        )
    )
    return current.seq + 1


def append_a_forged_changeset(connection: Connection) -> int:
    current = head(connection)
    assert current is not None
    connection.execute(
        insert(CHANGESETS).values(
            seq=current.seq + 1,
            occurred_at=utcnow(),
            actor_name="Intruder",
            origin="web",
            prev_hash=current.hash,
            hash="e" * 64,
        )
    )
    return current.seq + 1


def move_a_change_to_another_changeset(connection: Connection) -> int:
    _claim, source = change_ids(connection, 3)
    connection.execute(update(CHANGES).where(CHANGES.c.id == source).values(changeset_seq=5))
    return 3


def alter_a_value_and_rehash_its_changeset(connection: Connection) -> int:
    """A careful forger recomputes the altered changeset's hash; the next link gives it away."""
    seq = 4
    (change,) = changes(connection, seq)
    connection.execute(
        update(CHANGES).where(CHANGES.c.id == change.id).values(changes={"name": ["health", "wellbeing"]})
    )
    row = changeset(connection, seq)
    assert row is not None
    record = chain.ChangesetRecord(
        *(getattr(row, name) for name in chain.ChangesetRecord.__dataclass_fields__)
    )
    # The forger has the database, not the audit key: the link is made with a key of their own.
    their_key = keys.Keyring.from_secrets("a key the forger made up, long enough to pass")
    forged_record = chain.ChangesetRecord(**{**record.values(), "key_id": their_key.current.key_id})
    forged = chain.changeset_hash(forged_record, chain.fetch_changes(connection, seq), their_key)
    connection.execute(update(CHANGESETS).where(CHANGESETS.c.seq == seq).values(hash=forged))
    return seq


TAMPERING = [
    alter_a_value,
    alter_an_actor_name,
    delete_a_changeset_in_the_middle,
    delete_a_change,
    insert_a_changeset_out_of_order,
    append_a_forged_changeset,
    move_a_change_to_another_changeset,
    alter_a_value_and_rehash_its_changeset,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda tamper: tamper.__name__)
def test_verify_names_the_first_bad_changeset(
    history_app: Flask, history_engine: Engine, tamper: Callable[[Connection], int]
) -> None:
    with history_engine.begin() as connection:
        assert [row.seq for row in changesets(connection)][:6] == [1, 2, 3, 4, 5, 6]
        # As the database owner would: the guards off, the deed, the guards back on.
        drop_append_only_triggers(connection)
        first_bad = tamper(connection)
        triggers.sync(connection)

    exit_code, output = run_verify(history_app)

    assert exit_code != 0
    match = re.search(r"chain: changeset (\d+):", output)
    assert match, output
    assert int(match.group(1)) == first_bad, output
    assert "Traceback" not in output
    with history_engine.connect() as connection:
        recorded = last_verification_row(connection)
    assert (recorded.ok, recorded.first_bad_seq) == (False, first_bad)
