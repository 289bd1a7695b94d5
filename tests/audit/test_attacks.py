"""Attacks by whoever holds the database, and what `factcheck audit verify` says about each.

The threat model (docs/audit.md): the attacker has the database owner's rights
(a plain connection to the SQLite file; on PostgreSQL the superuser) but
neither the audit key nor the checkpoint directory. Each test takes a fresh
copy of one history (accounts, failed sign-ins, claims and sources, a
checkpoint, and changesets after it), attacks it as such a person would, puts
the guards back the way they found them where that hides the deed better,
and runs the real command: it must exit non-zero and name what and where.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, create_engine, delete, insert, select, text, update
from sqlalchemy.engine import make_url

from factcheck import create_app
from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role, User
from factcheck.audit import chain, checkpoints, keys, parallel, triggers
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Claim, Tag
from factcheck.db import get_database, make_engine, session_scope, utcnow
from factcheck.security.models import SecurityEvent, SecurityEventKind
from factcheck.security.ratelimit import limiter
from tests.audit.conftest import _copy_database
from tests.audit.helpers import CHANGES, CHANGESETS, audited_session, write_history
from tests.conftest import PASSWORD, TEST_AUDIT_KEY, DatabaseServer, config_for_tests

USERS = User.__table__
CLAIMS = Claim.__table__
TAGS = Tag.__table__
EVENTS = SecurityEvent.__table__
CHECKPOINTS = checkpoints.AuditCheckpoint.__table__

# Keys the attacker may have made up, or (after a rotation) stolen.
THEIR_KEY = "a key the attacker made up, long enough to be accepted"
RETIRED_KEY = "the installation's first audit key, since retired 0123"


@dataclass(frozen=True)
class History:
    url: str
    directory: str
    admin_id: int
    reviewer_id: int
    claim_id: int
    # The changeset the checkpoint vouches for; two more follow it.
    checkpoint_seq: int
    head_seq: int


def _app(tmp_path: Any, url: str, directory: str, **overrides: Any) -> Flask:
    app = create_app(config_for_tests(tmp_path, url, AUDIT_CHECKPOINT_DIR=directory, **overrides))
    with app.app_context():
        limiter.reset()
    return app


def _head(connection: Connection) -> Any:
    return connection.execute(select(CHANGESETS).order_by(CHANGESETS.c.seq.desc()).limit(1)).one()


def _write(app: Flask, actor: str, work: Callable[[Any], Any]) -> Any:
    with session_scope(app) as session:
        set_actor(session, Actor.system(actor, "test"))
        return work(session)


def build_history(app: Flask) -> History:
    engine = get_database(app).engine
    admin = _write(
        app,
        "account setup",
        lambda s: accounts.create_user(
            s, email="ada@example.org", name="Ada Admin", password=PASSWORD, role=Role.ADMIN
        ),
    )
    reviewer = _write(
        app,
        "account setup",
        lambda s: accounts.create_user(
            s, email="rex@example.org", name="Rex Reviewer", password=PASSWORD, role=Role.REVIEWER
        ),
    )
    client = app.test_client()
    for _ in range(2):
        response = client.post("/login", data={"email": "rex@example.org", "password": "not the password"})
        assert response.status_code == 422
    write_history(engine)
    runner = app.test_cli_runner()
    made = runner.invoke(args=["audit", "checkpoint"])
    assert made.exit_code == 0, made.output
    with audited_session(engine) as session:
        claim = session.scalars(select(Claim)).one()
        claim.text = "Unemployment halved in a single year."
        session.commit()
        session.add(Tag(name="after the checkpoint"))
        session.commit()
        claim_id = claim.id
    with engine.connect() as connection:
        head = _head(connection).seq
    return History(
        url=str(engine.url.render_as_string(hide_password=False)),
        directory=str(checkpoints.policy().directory),
        admin_id=admin.id,
        reviewer_id=reviewer.id,
        claim_id=claim_id,
        checkpoint_seq=head - 2,
        head_seq=head,
    )


@pytest.fixture(scope="module")
def template(
    copy_of_migrated: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[History]:
    url = copy_of_migrated()
    directory = str(tmp_path_factory.mktemp("checkpoints"))
    app = _app(tmp_path_factory.mktemp("history-app"), url, directory)
    history = build_history(app)
    get_database(app).engine.dispose()
    yield history


@pytest.fixture(params=["one process", "three workers"])
def victim(
    request: pytest.FixtureRequest,
    template: History,
    database_server: DatabaseServer,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[History, Callable[..., Flask]]]:
    """A fresh copy of the history (database and checkpoint directory), and apps on it.

    Each attack is verified in one process, and split over three worker processes as a
    large history is (factcheck/audit/parallel.py): three stretches of the chain, three
    shares of the replay.
    """
    if request.param == "three workers":
        monkeypatch.setattr(parallel, "MIN_CHANGES", 1)
        monkeypatch.setattr(parallel, "default_workers", lambda: 3)
    else:
        monkeypatch.setattr(parallel, "default_workers", lambda: 1)
    url = _copy_database(database_server, template.url)
    directory = str(tmp_path / "checkpoints")
    shutil.copytree(template.directory, directory)
    history = History(**{**template.__dict__, "url": url, "directory": directory})
    apps: list[Flask] = []

    def app(**overrides: Any) -> Flask:
        apps.append(_app(tmp_path, url, directory, **overrides))
        return apps[-1]

    yield history, app
    for made in apps:
        get_database(made).engine.dispose()
    database_server.drop(url)


@contextmanager
def owner(url: str) -> Iterator[Connection]:
    """The database as its owner has it: a plain connection, none of the app's hooks."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


@contextmanager
def guards_off(connection: Connection, *tables: str) -> Iterator[None]:
    """Every trigger on the tables off for the deed, then back exactly as it was."""
    if postgresql(connection):
        for table in tables:
            connection.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        yield
        # Deferred foreign-key checks first: ALTER TABLE refuses while any are pending.
        connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            connection.exec_driver_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        return
    names = ", ".join(f"'{table}'" for table in tables)
    saved = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({names})"  # noqa: S608
    ).all()
    for name, _sql in saved:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in saved:
        connection.exec_driver_sql(sql)


def verify(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def assert_found(app: Flask, *expected: str, exit_code: int = 1) -> str:
    code, output = verify(app)
    assert code == exit_code, output
    for fragment in expected:
        assert fragment in output, output
    return output


# --- the untouched history verifies --------------------------------------------------


def test_the_untouched_copy_verifies_with_its_checkpoints(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    history, app = victim
    code, output = verify(app())
    assert code == 0, output
    assert f"head {history.head_seq} " in output
    assert "the data matches its history" in output
    assert len(os.listdir(history.directory)) == 1


# --- the data behind the history's back ----------------------------------------------


def test_a_reviewer_made_admin_with_the_users_triggers_off(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    """PostgreSQL: ALTER TABLE users DISABLE TRIGGER USER around the UPDATE; SQLite: drop and re-create."""
    history, app = victim
    with owner(history.url) as connection, guards_off(connection, "users"):
        connection.execute(update(USERS).where(USERS.c.id == history.reviewer_id).values(role="admin"))

    assert_found(
        app(),
        f'data: users {{"id":{history.reviewer_id}}}'
        if "sqlite" in history.url
        else f'data: users {{"id": {history.reviewer_id}}}',
        'field role is "admin", the history says "reviewer" (changed unrecorded)',
    )


def test_a_reviewer_made_admin_with_the_trigger_left_dropped(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    history, app = victim
    with owner(history.url) as connection:
        if postgresql(connection):
            connection.exec_driver_sql('DROP TRIGGER "fc_audit_row" ON users')
        else:
            connection.exec_driver_sql('DROP TRIGGER "fc_audit_users_update"')
        connection.execute(update(USERS).where(USERS.c.id == history.reviewer_id).values(role="admin"))

    assert_found(app(), "guard: table users lacks its audit trigger", 'field role is "admin"')


@pytest.mark.parametrize("how", ["session_replication_role"])
def test_postgresql_replica_mode_bypasses_triggers_but_not_the_replay(
    victim: tuple[History, Callable[..., Flask]], how: str
) -> None:
    history, app = victim
    with owner(history.url) as connection:
        if not postgresql(connection):
            pytest.skip("PostgreSQL only: SQLite has no replica mode")
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.execute(update(USERS).where(USERS.c.id == history.reviewer_id).values(role="admin"))

    assert_found(app(), 'field role is "admin", the history says "reviewer"')


def test_a_field_changed_unrecorded_then_changed_again_through_the_app(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    """The later, recorded change makes the value agree again; its recorded old value gives it away."""
    history, app = victim
    with owner(history.url) as connection, guards_off(connection, "users"):
        connection.execute(update(USERS).where(USERS.c.id == history.reviewer_id).values(role="admin"))
    writer = app()
    with session_scope(writer) as session:
        set_actor(session, Actor.system("admin console", "test"))
        user = session.get(User, history.reviewer_id)
        assert user is not None
        user.role = Role.REVIEWER

    assert_found(
        writer, 'field role was "admin" before a recorded change, but the history last had "reviewer"'
    )


def test_a_row_inserted_behind_the_audits_back(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection, guards_off(connection, "tags"):
        connection.execute(insert(TAGS).values(name="smuggled"))

    assert_found(app(), "data: tags ", "the row is not in the history (inserted unrecorded)")


def test_failed_sign_ins_deleted_from_the_security_log(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection:
        failed = (
            connection.execute(
                select(EVENTS.c.id).where(EVENTS.c.kind == SecurityEventKind.LOGIN_FAILED.value)
            )
            .scalars()
            .all()
        )
        assert len(failed) == 2
        with guards_off(connection, "security_events"):
            connection.execute(delete(EVENTS).where(EVENTS.c.id.in_(failed)))

    output = assert_found(app(), "in the history, but missing from the table (deleted unrecorded)")
    assert output.count("data: security_events") == 2, output


# --- the history itself ---------------------------------------------------------------


def _forge_at_head(
    connection: Connection, history: History, key_id: str | None, keyring: keys.Keyring | None
) -> int:
    """A changeset appended at the head, in the admin's name, recording a real change."""
    head = _head(connection)
    seq = head.seq + 1
    if postgresql(connection):
        connection.exec_driver_sql(f"SELECT set_config('{triggers.CHANGESET_SETTING}', '{seq}', true)")
    else:
        connection.execute(text("INSERT INTO audit_context (id, seq) VALUES (1, :seq)"), {"seq": seq})
    connection.execute(update(USERS).where(USERS.c.id == history.reviewer_id).values(role="admin"))
    record = chain.ChangesetRecord(
        seq=seq,
        occurred_at=utcnow(),
        actor_id=history.admin_id,
        actor_name="Ada Admin",
        actor_role="admin",
        origin="web",
        request_id="0" * 32,
        reason=None,
        prev_hash=head.hash,
        key_id=key_id,
    )
    if keyring is None and key_id is not None:
        # The real key id, but without the key: the best the forger can do is guess.
        forged = "a" * 64
    else:
        forged = chain.changeset_hash(record, chain.fetch_changes(connection, seq), keyring)
    connection.execute(insert(CHANGESETS).values(**record.values(), hash=forged))
    if postgresql(connection):
        connection.exec_driver_sql(f"SELECT set_config('{triggers.CHANGESET_SETTING}', '', true)")
    else:
        connection.exec_driver_sql("DELETE FROM audit_context")
    return seq


def test_a_changeset_forged_at_the_head_without_a_key(victim: tuple[History, Callable[..., Flask]]) -> None:
    """The old way: the public hash function, so the link looks right to anyone without the key."""
    history, app = victim
    with owner(history.url) as connection:
        seq = _forge_at_head(connection, history, None, None)

    assert_found(app(), f"chain: changeset {seq}: it has no key id, but changeset", "forged")


def test_a_changeset_forged_at_the_head_under_the_real_key_id(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    history, app = victim
    with owner(history.url) as connection:
        seq = _forge_at_head(
            connection, history, keys.Keyring.from_secrets(TEST_AUDIT_KEY).current.key_id, None
        )

    assert_found(app(), f"chain: changeset {seq}: its contents do not match its keyed link")


def test_a_changeset_forged_at_the_head_with_a_key_of_their_own(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    history, app = victim
    theirs = keys.Keyring.from_secrets(THEIR_KEY)
    with owner(history.url) as connection:
        seq = _forge_at_head(connection, history, theirs.current.key_id, theirs)

    assert_found(
        app(),
        f"{theirs.current.key_id} (from changeset {seq})",
        "those changesets were forged",
        exit_code=2,
    )


def _delete_changesets_after(connection: Connection, seq: int) -> None:
    with guards_off(connection, "audit_changes", "audit_changesets"):
        connection.execute(delete(CHANGES).where(CHANGES.c.changeset_seq > seq))
        connection.execute(delete(CHANGESETS).where(CHANGESETS.c.seq > seq))


def test_the_newest_changesets_deleted_past_the_checkpoint(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    history, app = victim
    kept = history.checkpoint_seq - 2
    with owner(history.url) as connection:
        _delete_changesets_after(connection, kept)

    assert_found(
        app(),
        f"vouches for changeset {history.checkpoint_seq}, but the history ends at changeset {kept}: "
        "the newest changesets were removed",
        # What the removed changesets wrote is still in the tables, unexplained.
        "(inserted unrecorded)",
    )


def test_the_changesets_after_the_checkpoint_deleted(victim: tuple[History, Callable[..., Flask]]) -> None:
    """Past the newest checkpoint only the data can tell: it no longer matches its history."""
    history, app = victim
    with owner(history.url) as connection:
        _delete_changesets_after(connection, history.checkpoint_seq)

    assert_found(
        app(),
        f'data: claims {{"id":{history.claim_id}}}' if "sqlite" in history.url else "data: claims ",
        "field text is",
        "the row is not in the history (inserted unrecorded)",
    )


def test_truncation_with_the_databases_checkpoints_deleted_too(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    history, app = victim
    with owner(history.url) as connection:
        _delete_changesets_after(connection, history.checkpoint_seq - 1)
        with guards_off(connection, "audit_checkpoints"):
            connection.execute(delete(CHECKPOINTS))

    output = assert_found(
        app(),
        "is missing from the database's audit_checkpoints (deleted)",
        "the newest changesets were removed",
    )
    assert history.directory in output


def _rewrite_all_as_unkeyed(connection: Connection, history: History) -> None:
    """Alter one change, then recompute every link from the first, the way the old format did."""
    with guards_off(connection, "audit_changes", "audit_changesets"):
        target = connection.execute(
            select(CHANGES.c.id).where(CHANGES.c.table_name == "users").order_by(CHANGES.c.id).limit(1)
        ).scalar_one()
        change = connection.execute(select(CHANGES.c.changes).where(CHANGES.c.id == target)).scalar_one()
        change["name"] = [None, "Someone Else"]
        connection.execute(update(CHANGES).where(CHANGES.c.id == target).values(changes=change))
        prev = triggers.GENESIS_HASH
        rows = connection.execute(select(CHANGESETS).order_by(CHANGESETS.c.seq)).all()
        for row in rows:
            fields = {name: getattr(row, name) for name in chain.ChangesetRecord.__dataclass_fields__}
            record = chain.ChangesetRecord(**{**fields, "key_id": None, "prev_hash": prev})
            new_hash = chain.changeset_hash(record, chain.fetch_changes(connection, row.seq), None)
            connection.execute(
                update(CHANGESETS)
                .where(CHANGESETS.c.seq == row.seq)
                .values(key_id=None, prev_hash=prev, hash=new_hash)
            )
            prev = new_hash


def test_a_consistent_rewrite_of_the_whole_history(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection:
        _rewrite_all_as_unkeyed(connection, history)

    assert_found(
        app(),
        f"changeset {history.checkpoint_seq} is not the one the checkpoint of changeset "
        f"{history.checkpoint_seq}",
        "the history was rewritten",
    )


def test_a_rewrite_with_the_databases_checkpoints_deleted(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    history, app = victim
    with owner(history.url) as connection:
        _rewrite_all_as_unkeyed(connection, history)
        with guards_off(connection, "audit_checkpoints"):
            connection.execute(delete(CHECKPOINTS))

    output = assert_found(app(), "the history was rewritten", "missing from the database's audit_checkpoints")
    assert history.directory in output


def test_the_whole_history_erased(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection:
        with guards_off(connection, "audit_checkpoints"):
            connection.execute(delete(CHECKPOINTS))
        _delete_changesets_after(connection, 0)

    assert_found(
        app(), "but the history is empty (erased)", "the row is not in the history", "does not verify"
    )


def test_a_checkpoint_forged_in_the_database(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection:
        head = _head(connection)
        key_id = keys.Keyring.from_secrets(TEST_AUDIT_KEY).current.key_id
        connection.execute(
            insert(CHECKPOINTS).values(
                seq=head.seq,
                head_hash=head.hash,
                made_at=utcnow(),
                key_id=key_id,
                cause="command",
                signature="00" * 64,
            )
        )

    assert_found(app(), f"the checkpoint of changeset {history.head_seq}", "signature that does not verify")


# --- the guards -----------------------------------------------------------------------


def test_one_audit_trigger_dropped_and_nothing_else(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection:
        if postgresql(connection):
            connection.exec_driver_sql('DROP TRIGGER "fc_audit_row" ON claims')
            expected = "guard: table claims lacks its audit trigger fc_audit_row (dropped)"
        else:
            connection.exec_driver_sql('DROP TRIGGER "fc_audit_claims_update"')
            expected = "guard: table claims lacks its audit trigger fc_audit_claims_update (dropped)"

    assert_found(app(), expected)


def test_an_append_only_guard_dropped(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection:
        if postgresql(connection):
            connection.exec_driver_sql('DROP TRIGGER "fc_audit_append_only" ON security_events')
            expected = "guard: table security_events lacks its audit trigger fc_audit_append_only (dropped)"
        else:
            connection.exec_driver_sql('DROP TRIGGER "fc_audit_security_events_no_delete"')
            expected = "lacks its audit trigger fc_audit_security_events_no_delete (dropped)"

    assert_found(app(), expected)


def test_an_audit_trigger_left_disabled_or_rewritten(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    with owner(history.url) as connection:
        if postgresql(connection):
            connection.exec_driver_sql('ALTER TABLE claims DISABLE TRIGGER "fc_audit_row"')
            connection.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION fc_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$fn$ BEGIN RETURN NULL; END $fn$"
            )
            expected = (
                "guard: table claims: audit trigger fc_audit_row is disabled",
                "guard: audit function fc_audit_refuse() was replaced by another body",
            )
        else:
            connection.exec_driver_sql('DROP TRIGGER "fc_audit_claims_update"')
            connection.exec_driver_sql(
                'CREATE TRIGGER "fc_audit_claims_update" AFTER UPDATE ON "claims" BEGIN SELECT 1; END'
            )
            expected = ("guard: table claims: audit trigger fc_audit_claims_update was altered",)

    assert_found(app(), *expected)


# --- keys -----------------------------------------------------------------------------


def test_a_wrong_key_is_a_clear_error_not_a_tampering_alarm(
    victim: tuple[History, Callable[..., Flask]],
) -> None:
    _history, app = victim
    output = assert_found(
        app(AUDIT_KEY=THEIR_KEY), "none of the configured audit keys", "FACTCHECK_AUDIT_KEY", exit_code=2
    )
    assert "TAMPERING" not in output


def test_a_key_rotation_keeps_the_history_verifying(victim: tuple[History, Callable[..., Flask]]) -> None:
    history, app = victim
    rotated = app(AUDIT_KEY=RETIRED_KEY.replace("first", "second"), AUDIT_RETIRED_KEYS=TEST_AUDIT_KEY)
    with session_scope(rotated) as session:
        set_actor(session, Actor.system("after the rotation", "test"))
        session.add(Tag(name="written with the new key"))
    made = rotated.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert made.exit_code == 0, made.output
    new_key = keys.active().current.key_id
    with owner(history.url) as connection:
        assert _head(connection).key_id == new_key

    code, output = verify(rotated)
    assert code == 0, output

    # Without the retired key the older changesets cannot be checked: a key error, naming them.
    old_key = keys.Keyring.from_secrets(TEST_AUDIT_KEY).current.key_id
    code, output = verify(app(AUDIT_KEY=RETIRED_KEY.replace("first", "second")))
    assert code == 2, output
    assert f"{old_key} (from changeset " in output and "FACTCHECK_AUDIT_RETIRED_KEYS" in output
    assert "TAMPERING" not in output


def test_a_retired_key_cannot_extend_the_history(victim: tuple[History, Callable[..., Flask]]) -> None:
    """Someone holding a leaked old key signs a new changeset with it after the rotation."""
    history, app = victim
    new_secret = RETIRED_KEY.replace("first", "second")
    rotated = app(AUDIT_KEY=new_secret, AUDIT_RETIRED_KEYS=TEST_AUDIT_KEY)
    with session_scope(rotated) as session:
        set_actor(session, Actor.system("after the rotation", "test"))
        session.add(Tag(name="written with the new key"))
    old = keys.Keyring.from_secrets(TEST_AUDIT_KEY)
    with owner(history.url) as connection:
        seq = _forge_at_head(connection, history, old.current.key_id, old)

    assert_found(
        app(AUDIT_KEY=new_secret, AUDIT_RETIRED_KEYS=TEST_AUDIT_KEY),
        f"chain: changeset {seq}: it is linked with retired key {old.current.key_id} after a newer key",
    )


def _libpq(url: str) -> str:
    """The libpq form of a SQLAlchemy URL, for the PostgreSQL client tools."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- backups --------------------------------------------------------------------------


def test_a_restored_backup_verifies(
    victim: tuple[History, Callable[..., Flask]], database_server: DatabaseServer, tmp_path: Any
) -> None:
    history, _app_of = victim
    restored = database_server.create()
    try:
        if database_server.dialect == "sqlite":
            import sqlite3

            source = sqlite3.connect(make_url(history.url).database or "")
            target = sqlite3.connect(make_url(restored).database or "")
            source.backup(target)
            source.close()
            target.close()
        else:
            pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
            if pg_dump is None or pg_restore is None:
                if os.environ.get("CI"):
                    pytest.fail("CI must install pg_dump and pg_restore (Debian's postgresql-client)")
                pytest.skip("the PostgreSQL client tools are not installed")
            dump = str(tmp_path / "backup.dump")
            subprocess.run([pg_dump, "-Fc", "-f", dump, "-d", _libpq(history.url)], check=True)  # noqa: S603
            subprocess.run([pg_restore, "--no-owner", "-d", _libpq(restored), dump], check=True)  # noqa: S603
        restored_app = _app(tmp_path, restored, history.directory)
        code, output = verify(restored_app)
        get_database(restored_app).engine.dispose()
        assert code == 0, output
        assert f"head {history.head_seq} " in output
    finally:
        database_server.drop(restored)


def test_writes_committed_while_verify_reads_are_not_tampering(
    victim: tuple[History, Callable[..., Flask]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: verify reads one snapshot, so the app writing meanwhile is no false alarm."""
    history, app = victim
    if "postgresql" not in history.url:
        pytest.skip("SQLite's verify holds the write lock: nobody writes meanwhile")
    from factcheck.audit.replay import Replay

    checking = app()
    compare = Replay.compare

    def compare_after_a_write(self: Replay, connection: Connection, *args: Any, **kwargs: Any) -> list[str]:
        # An engine of its own: with workers, this runs in a forked worker process.
        engine = make_engine(history.url)
        try:
            with audited_session(engine) as session:
                session.add(Tag(name=f"written while verify reads {os.getpid()}"))
                session.commit()
        finally:
            engine.dispose()
        return compare(self, connection, *args, **kwargs)

    monkeypatch.setattr(Replay, "compare", compare_after_a_write)
    code, output = verify(checking)
    assert code == 0, output
