"""A large history is verified by several processes (factcheck/audit/parallel.py).

They must say what one process says: the same changesets checked, the same first
problem wherever the stretches of the chain meet, the same differences in the data
whichever share of the replay a row falls in. The attack tests (test_attacks.py)
run every attack both ways too; here each changeset is tampered with in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Connection, Engine, select, text

from factcheck.audit import parallel, verification
from factcheck.audit.changesets import Actor
from factcheck.claims.models import Tag
from factcheck.db import SQLITE_BEGIN, make_engine
from tests.audit.helpers import audited_session, drop_append_only_triggers, write_history

WORKERS = 3


@pytest.fixture
def engine(copy_of_migrated: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A committed history of about twenty changesets, which counts as large here."""
    monkeypatch.setattr(parallel, "MIN_CHANGES", 1)
    engine = make_engine(copy_of_migrated())
    write_history(engine)
    with audited_session(engine, Actor.system("tagger", "test")) as session:
        for n in range(12):
            session.add(Tag(name=f"tag {n}"))
            session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def splits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many workers each split verification started."""
    started: list[int] = []
    run = parallel._run

    def counted(jobs: list[parallel._Job], keyring: object) -> list[parallel._Outcome]:
        started.append(len(jobs))
        return run(jobs, keyring)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "_run", counted)
    return started


def verify(engine: Engine, workers: int) -> verification.Report:
    # As `factcheck audit verify` does: on SQLite a transaction that holds the write lock.
    with engine.begin() as connection:
        return verification.verify(connection, directory=None, workers=workers)


def outcome(report: verification.Report) -> tuple[object, ...]:
    result = report.chain
    return (
        result.checked,
        result.head_seq,
        result.head_hash,
        result.first_bad_seq,
        result.changes,
        sorted(str(finding) for finding in report.findings),
    )


def test_an_untouched_history_verifies_the_same_in_workers(engine: Engine, splits: list[int]) -> None:
    alone = verify(engine, 1)
    split = verify(engine, WORKERS)
    assert splits == [WORKERS]
    assert alone.ok and split.ok, (alone.summary(), split.summary())
    assert outcome(split) == outcome(alone)
    assert split.chain.checked == split.chain.head_seq


def _tampered(
    engine: Engine, sql: str, undo: str, seq: int
) -> tuple[verification.Report, verification.Report]:
    with engine.begin() as connection:
        connection.execute(text(sql), {"seq": seq})
    try:
        return verify(engine, 1), verify(engine, WORKERS)
    finally:
        with engine.begin() as connection:
            connection.execute(text(undo), {"seq": seq})


def test_each_changeset_altered_in_turn_is_named_by_the_workers(engine: Engine, splits: list[int]) -> None:
    with engine.begin() as connection:
        drop_append_only_triggers(connection)
        head = connection.execute(text("SELECT max(seq) FROM audit_changesets")).scalar_one()
    for seq in range(1, head + 1):
        alone, split = _tampered(
            engine,
            "UPDATE audit_changesets SET actor_name = actor_name || ' (forged)' WHERE seq = :seq",
            "UPDATE audit_changesets SET actor_name = replace(actor_name, ' (forged)', '') WHERE seq = :seq",
            seq,
        )
        assert split.chain.first_bad_seq == alone.chain.first_bad_seq == seq
        assert "contents do not match its keyed link" in (split.chain.problem or "")
    assert len(splits) == head


def test_each_change_moved_to_the_next_changeset_is_found_by_the_workers(
    engine: Engine, splits: list[int]
) -> None:
    """Moving the last change of a changeset to the next one: a stretch that ends between
    the two must still see it."""
    with engine.begin() as connection:
        drop_append_only_triggers(connection)
        head = connection.execute(text("SELECT max(seq) FROM audit_changesets")).scalar_one()
        last_change = dict(
            connection.execute(
                text("SELECT changeset_seq, max(id) FROM audit_changes GROUP BY changeset_seq")
            ).all()
        )
    for seq in range(1, head):
        change = last_change[seq]
        alone, split = _tampered(
            engine,
            f"UPDATE audit_changes SET changeset_seq = :seq + 1 WHERE id = {change}",  # noqa: S608
            f"UPDATE audit_changes SET changeset_seq = :seq WHERE id = {change}",  # noqa: S608
            seq,
        )
        assert not alone.ok and not split.ok
        assert split.chain.first_bad_seq == alone.chain.first_bad_seq == seq


def test_the_newest_changeset_of_a_stretch_deleted(engine: Engine, splits: list[int]) -> None:
    with engine.begin() as connection:
        drop_append_only_triggers(connection)
        head = connection.execute(text("SELECT max(seq) FROM audit_changesets")).scalar_one()
        boundary = head // WORKERS  # where the first stretch ends
        connection.execute(text("DELETE FROM audit_changes WHERE changeset_seq = :seq"), {"seq": boundary})
        connection.execute(text("DELETE FROM audit_changesets WHERE seq = :seq"), {"seq": boundary})
    alone, split = verify(engine, 1), verify(engine, WORKERS)
    assert alone.chain.first_bad_seq == split.chain.first_bad_seq == boundary
    assert f"changeset {boundary} is missing" in (split.chain.problem or "")


def test_rows_changed_unrecorded_in_every_share_are_all_named(engine: Engine, splits: list[int]) -> None:
    with engine.begin() as connection:
        owner_update(connection, "tags", "UPDATE tags SET name = name || ' (changed)'")
    alone, split = verify(engine, 1), verify(engine, WORKERS)
    tags = len(_tag_ids(engine))
    data = [finding for finding in split.findings if finding.kind == "data"]
    assert len(data) == tags > WORKERS
    assert outcome(split) == outcome(alone)
    assert all("(changed unrecorded)" in finding.message for finding in data)


def test_a_transaction_that_cannot_share_its_snapshot_verifies_in_one_process(
    engine: Engine, splits: list[int]
) -> None:
    if engine.dialect.name == "sqlite":
        # A plain BEGIN does not keep writers out: the workers could see another state.
        with engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}).begin() as connection:
            report = verification.verify(connection, directory=None, workers=WORKERS)
    else:
        # Something this transaction wrote, which the workers could not see.
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TEMPORARY TABLE written_first (n integer)")
            connection.exec_driver_sql("INSERT INTO written_first VALUES (1)")
            report = verification.verify(connection, directory=None, workers=WORKERS)
            connection.rollback()
    assert splits == []
    assert report.ok, report.summary()


def _tag_ids(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(select(Tag.id)).scalars())


def owner_update(connection: Connection, table: str, sql: str) -> None:
    """A change with the table's audit triggers out of the way."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.exec_driver_sql(sql)
        connection.exec_driver_sql("SET LOCAL session_replication_role = origin")
        return
    saved = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{table}'"  # noqa: S608
    ).all()
    for name, _sql in saved:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    connection.exec_driver_sql(sql)
    for _name, ddl in saved:
        connection.exec_driver_sql(ddl)
