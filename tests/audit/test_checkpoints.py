"""Checkpoints made on their own: every so many changesets or minutes, in the changeset's
transaction, with their file written only once that transaction has committed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from factcheck.audit import checkpoints, keys
from factcheck.audit.models import AuditCheckpoint
from factcheck.claims.models import Tag
from factcheck.db import make_engine
from tests.audit.helpers import audited_session, head_seq

CHECKPOINTS = AuditCheckpoint.__table__


@pytest.fixture
def own_engine(copy_of_migrated: Callable[[], str]) -> Iterator[Engine]:
    engine = make_engine(copy_of_migrated())
    yield engine
    engine.dispose()


def write_tags(engine: Engine, names: list[str], *, commit: bool = True) -> None:
    with audited_session(engine) as session:
        for name in names:
            session.add(Tag(name=name))
            if commit:
                session.commit()
            else:
                session.flush()
        if not commit:
            session.rollback()


def stored(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(CHECKPOINTS).order_by(CHECKPOINTS.c.id)))


def test_one_every_so_many_changesets_signed_and_filed(own_engine: Engine, tmp_path: Any) -> None:
    directory = str(tmp_path / "checkpoints")
    checkpoints.configure(checkpoints.Policy(directory=directory, every=3, minutes=60))
    with own_engine.connect() as connection:
        start = head_seq(connection)

    write_tags(own_engine, [f"tag {n}" for n in range(7)])

    rows = stored(own_engine)
    # The first changeset finds none, then one every third.
    assert [row.seq for row in rows] == [start + 1, start + 4, start + 7]
    assert {row.cause for row in rows} == {checkpoints.INTERVAL}
    files = sorted(os.listdir(directory))
    assert len(files) == 3
    public_key = keys.active().current.public_key
    for row, name in zip(rows, files, strict=True):
        with open(os.path.join(directory, name), encoding="utf-8") as handle:
            statement = checkpoints.Statement.from_json(json.load(handle))
        assert statement == checkpoints.Statement.from_row(row)
        assert keys.verify_signature(public_key, statement.signature, statement.message())


def test_one_when_the_minutes_have_passed(own_engine: Engine, tmp_path: Any) -> None:
    checkpoints.configure(checkpoints.Policy(directory=str(tmp_path), every=1000, minutes=0))

    write_tags(own_engine, ["first", "second"])

    assert len(stored(own_engine)) == 2


def test_a_rolled_back_changeset_leaves_neither_row_nor_file(own_engine: Engine, tmp_path: Any) -> None:
    directory = str(tmp_path / "checkpoints")
    checkpoints.configure(checkpoints.Policy(directory=directory, every=1, minutes=60))

    with audited_session(own_engine) as session:
        session.add(Tag(name="rolled back"))
        checkpoints.request(session, checkpoints.COMMAND)
        session.flush()
        # Sealed (and its checkpoint recorded) as at a commit, then the transaction fails.
        session.dispatch.before_commit(session)
        assert len(session.execute(select(CHECKPOINTS)).all()) == 1
        session.rollback()

    assert stored(own_engine) == []
    assert not os.path.exists(directory) or os.listdir(directory) == []


def test_the_command_on_an_empty_history_says_so(
    make_real_app: Callable[..., Flask], database_server: Any
) -> None:
    url = database_server.create()
    try:
        app = make_real_app(url)
        result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
        assert result.exit_code != 0
        assert "Traceback" not in result.output
    finally:
        database_server.drop(url)


def test_an_unreadable_copy_is_a_setup_error_not_tampering(real_app: Flask, tmp_path: Any) -> None:
    missing = str(tmp_path / "no-such-copy.json")
    not_checkpoints = tmp_path / "other.json"
    not_checkpoints.write_text('{"hello": "world"}')

    for copy, expected in (
        (missing, "cannot read checkpoints from"),
        (str(not_checkpoints), "not a factcheck"),
    ):
        result = real_app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", copy])
        assert result.exit_code == 2, result.output
        assert expected in result.output and "TAMPERING" not in result.output


def test_a_copy_with_a_forged_signature_is_named(
    real_app: Flask, committed_engine: Engine, tmp_path: Any
) -> None:
    write_tags(committed_engine, ["something to vouch for"])
    with committed_engine.connect() as connection:
        seq = head_seq(connection)
        head = connection.exec_driver_sql(f"SELECT hash FROM audit_changesets WHERE seq = {seq}").scalar_one()  # noqa: S608
    statement = checkpoints.sign(seq, head, checkpoints.COMMAND, keys.Keyring.from_secrets("x" * 40))
    forged = {**statement.to_json(), "key_id": keys.active().current.key_id}
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps({"checkpoints": [forged]}))

    result = real_app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", str(copy)])

    assert result.exit_code == 1, result.output
    assert f"the checkpoint of changeset {seq}" in result.output
    assert f"({copy}) has a signature that does not verify" in result.output
