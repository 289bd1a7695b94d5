"""Checkpoints made at publication, as the world keeps them: the file in the checkpoint directory,
and a copy of the transparency page's JSON that `factcheck audit verify --checkpoints FILE` reads.

Real commits on a database of this module's own (the test removes changesets from it as its
owner would); the app connects as the app's role on PostgreSQL, the owner tampers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role, User
from factcheck.audit import checkpoints, triggers
from factcheck.audit.models import AuditCheckpoint
from factcheck.db import get_database, make_engine
from factcheck.publishing import operations
from tests.audit.conftest import grant_app_role
from tests.audit.helpers import CHANGES, CHANGESETS, audited_session, drop_append_only_triggers, head_seq
from tests.claims.desk import acting_as
from tests.conftest import PASSWORD
from tests.publishing.building import make_team, ready_claim

CHECKPOINTS = AuditCheckpoint.__table__


@pytest.fixture
def database(copy_of_migrated: Callable[[], str]) -> str:
    """A database of the test's own, at head: the owner's URL."""
    return copy_of_migrated()


@pytest.fixture
def app(make_real_app: Callable[..., Flask], database: str, app_role: str | None, tmp_path: Path) -> Flask:
    return make_real_app(
        grant_app_role(database, app_role), AUDIT_CHECKPOINT_DIR=str(tmp_path / "checkpoints")
    )


def user_maker(session: Session) -> Callable[..., User]:
    """``make_user`` for a session that commits for real."""
    numbers = iter(range(1, 1000))

    def make(role: Role, *, name: str) -> User:
        user = accounts.create_user(
            session, email=f"{role.value}{next(numbers)}@example.org", name=name, password=PASSWORD, role=role
        )
        session.commit()
        return user

    return make


def publish(session: Session, team: dict[str, User], text: str) -> checkpoints.Statement:
    """Publish a new claim and commit; the checkpoint made with it."""
    claim = ready_claim(session, team, text=text)
    acting_as(session, team["ada"])
    operations.publish(session, claim, team["ada"])
    session.commit()
    return checkpoints.from_database(session.connection())[-1]


def files(directory: str) -> list[str]:
    return sorted(os.listdir(directory)) if os.path.isdir(directory) else []


def save_copy(app: Flask, path: Path) -> dict[str, Any]:
    response = app.test_client().get("/transparency/checkpoints.json")
    assert response.status_code == 200
    path.write_bytes(response.data)
    return json.loads(response.data)


def verify(app: Flask, copy: Path) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", str(copy)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_publication_writes_its_checkpoint_file_once_committed(app: Flask) -> None:
    directory = checkpoints.policy().directory
    assert directory
    with audited_session(get_database(app).engine) as session:
        team = make_team(user_maker(session))
        claim = ready_claim(session, team)
        before = files(directory)
        acting_as(session, team["ada"])
        operations.publish(session, claim, team["ada"])
        # The publication's changeset is sealed (its savepoint was released), but nothing is committed yet.
        assert files(directory) == before
        session.commit()
        statement = checkpoints.from_database(session.connection())[-1]
        assert statement.cause == checkpoints.PUBLICATION
        assert statement.seq == head_seq(session)

    (added,) = set(files(directory)) - set(before)
    assert added == statement.file_name
    with open(os.path.join(directory, added), encoding="utf-8") as handle:
        assert checkpoints.Statement.from_json(json.load(handle)) == statement


def test_a_rolled_back_publication_leaves_no_checkpoint_file(app: Flask) -> None:
    directory = checkpoints.policy().directory
    assert directory
    with audited_session(get_database(app).engine) as session:
        team = make_team(user_maker(session))
        claim = ready_claim(session, team)
        before = files(directory)
        acting_as(session, team["ada"])
        operations.publish(session, claim, team["ada"])
        session.rollback()
    assert files(directory) == before


def test_a_saved_copy_of_the_json_verifies_and_later_names_the_changesets_removed(
    app: Flask, database: str, make_real_app: Callable[..., Flask], tmp_path: Path
) -> None:
    engine = get_database(app).engine
    with audited_session(engine) as session:
        team = make_team(user_maker(session))
        first = publish(session, team, "The treaty banned missiles with ranges of 500 to 5,500 km.")
        second = publish(session, team, "Russia's 9M729 missile has a range of 480 km.")
    copy = tmp_path / "checkpoints.json"
    document = save_copy(app, copy)
    assert [item["seq"] for item in document["checkpoints"]][-2:] == [first.seq, second.seq]
    (key,) = document["keys"]
    public_key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key["public_key"]))
    public_key.verify(bytes.fromhex(second.signature), second.message())

    code, output = verify(app, copy)
    assert code == 0, output
    assert "checkpoints agree" in output

    # The owner removes everything after the first publication, and the database's own
    # checkpoints of it; the checkpoint directory is out of reach, so verify without it.
    owner = make_engine(database)
    try:
        with owner.begin() as connection:
            drop_append_only_triggers(connection)
            connection.execute(delete(CHANGES).where(CHANGES.c.changeset_seq > first.seq))
            connection.execute(delete(CHANGESETS).where(CHANGESETS.c.seq > first.seq))
            connection.execute(delete(CHECKPOINTS).where(CHECKPOINTS.c.seq > first.seq))
            triggers.sync(connection)
    finally:
        owner.dispose()
    elsewhere = make_real_app(
        engine.url.render_as_string(hide_password=False), AUDIT_CHECKPOINT_DIR=str(tmp_path / "elsewhere")
    )

    code, output = verify(elsewhere, copy)
    assert code == 1, output
    assert (
        f"the checkpoint of changeset {second.seq} made {second.to_json()['time']} ({copy}) vouches for "
        f"changeset {second.seq}, but the history ends at changeset {first.seq}: the newest changesets were removed"
    ) in output
