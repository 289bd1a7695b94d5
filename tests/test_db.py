"""The database layer: SQLite setup and locking, one commit per request, UTC timestamps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask, abort
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from factcheck import create_app, db
from factcheck.accounts.models import User
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Tag
from factcheck.db import Database, get_database, make_engine
from factcheck.security.permissions import public
from tests.conftest import DatabaseServer, config_for_tests

# --- SQLite: pragmas and transaction modes ------------------------------------------


@pytest.fixture
def sqlite_url(database_server: DatabaseServer, tmp_path: Any) -> str:
    if database_server.dialect != "sqlite":
        pytest.skip("SQLite only (pragmas, BEGIN IMMEDIATE/DEFERRED); this run uses PostgreSQL")
    return f"sqlite:///{tmp_path / 'locking.sqlite'}"


@pytest.fixture
def engines(sqlite_url: str) -> Iterator[Callable[..., Engine]]:
    """Engines on one SQLite file, disposed after the test."""
    made: list[Engine] = []

    def make(**options: Any) -> Engine:
        engine = make_engine(sqlite_url, **options)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


@pytest.fixture
def impatient(engines: Callable[..., Engine]) -> Database:
    """A second "process" that gives up on a lock after 50 ms instead of waiting."""
    return Database(engines(busy_timeout_ms=50))


def pragma(engine: Engine, name: str) -> Any:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(engines: Callable[..., Engine]) -> None:
    engine = engines()
    assert pragma(engine, "journal_mode") == "wal"
    assert pragma(engine, "foreign_keys") == 1
    assert pragma(engine, "busy_timeout") == 5000
    assert pragma(engines(busy_timeout_ms=1234), "busy_timeout") == 1234


def test_write_session_takes_the_write_lock_at_begin(
    engines: Callable[..., Engine], impatient: Database
) -> None:
    database = Database(engines())
    with database.write_sessions() as writer:
        writer.execute(text("SELECT 1"))  # only reads, yet holds the write lock (BEGIN IMMEDIATE)
        with impatient.write_sessions() as other, pytest.raises(OperationalError, match="locked"):
            other.execute(text("SELECT 1"))
    # Once the first write transaction ends, the next one starts at once.
    with impatient.write_sessions() as other:
        other.execute(text("SELECT 1"))


def test_read_session_begins_deferred_and_does_not_block_writers(
    engines: Callable[..., Engine], impatient: Database
) -> None:
    database = Database(engines())
    with database.write_sessions() as setup:
        setup.execute(text("CREATE TABLE notes (body TEXT)"))
        setup.commit()

    with database.read_sessions() as reader:
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 0
        with impatient.write_sessions() as writer:
            writer.execute(text("INSERT INTO notes VALUES ('written while a reader reads')"))
            writer.commit()
        # The reader is inside a transaction: it keeps its snapshot until it ends.
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 0
    with database.read_sessions() as reader:
        assert reader.execute(text("SELECT count(*) FROM notes")).scalar() == 1


def test_requests_use_read_sessions_for_get_and_write_sessions_for_post(
    sqlite_url: str, tmp_path: Any, impatient: Database
) -> None:
    """Seen from another connection while the request is running."""
    app = create_app(config_for_tests(tmp_path, sqlite_url))

    @public
    def probe() -> dict[str, bool]:
        db.session().execute(text("SELECT 1"))
        other = impatient.write_sessions()
        try:
            other.execute(text("SELECT 1"))
            blocked = False
        except OperationalError:
            blocked = True
        finally:
            other.close()
        return {"writers_blocked": blocked}

    app.add_url_rule("/throwaway/probe", "throwaway_probe", probe, methods=["GET", "POST"])
    client = app.test_client()
    try:
        assert client.get("/throwaway/probe").json == {"writers_blocked": False}
        assert client.post("/throwaway/probe").json == {"writers_blocked": True}
    finally:
        get_database(app).engine.dispose()


# --- one commit per request -----------------------------------------------------------


class Boom(Exception):
    pass


OUTCOMES: dict[str, Callable[[], Any]] = {
    "ok": lambda: ("saved", 200),
    "redirect": lambda: ("", 302, {"Location": "/"}),
    "invalid": lambda: ("invalid", 422),
    "refused": lambda: abort(403),
    "error": lambda: ("failed", 500),
}


@pytest.fixture
def commits(session_factory: sessionmaker[Session]) -> Iterator[list[Session]]:
    """The commits of sessions made by the app (the test's own db_session does not commit here)."""
    seen: list[Session] = []

    def record(session: Session) -> None:
        seen.append(session)

    event.listen(session_factory, "after_commit", record)
    yield seen
    event.remove(session_factory, "after_commit", record)


@pytest.fixture
def writing_app(make_app: Callable[..., Flask]) -> Flask:
    """An app with a throwaway route that adds a Tag, then ends as <outcome> says."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @public
    def write_tag(name: str, outcome: str) -> Any:
        # Anonymous requests have no actor; writes must be attributed to someone.
        set_actor(db.session(), Actor.system("throwaway test route", "test"))
        db.session().add(Tag(name=name))
        db.session().flush()
        if outcome == "raise":
            raise Boom("the view failed after writing")
        return OUTCOMES[outcome]()

    @public
    def no_database() -> str:
        return "nothing stored"

    app.add_url_rule("/throwaway/tags/<name>/<outcome>", "throwaway_tag", write_tag, methods=["GET", "POST"])
    app.add_url_rule("/throwaway/no-database", "throwaway_no_database", no_database, methods=["POST"])
    return app


def tag_exists(db_session: Session, name: str) -> bool:
    return db_session.scalar(select(Tag.id).where(Tag.name == name)) is not None


@pytest.mark.parametrize(("outcome", "status"), [("ok", 200), ("redirect", 302)])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_successful_request_commits_once(
    writing_app: Flask,
    commits: list[Session],
    db_session: Session,
    outcome: str,
    status: int,
    method: str,
) -> None:
    response = writing_app.test_client().open(f"/throwaway/tags/kept/{outcome}", method=method)
    assert response.status_code == status
    assert len(commits) == 1
    assert tag_exists(db_session, "kept")


@pytest.mark.parametrize(
    ("outcome", "status"), [("invalid", 422), ("refused", 403), ("error", 500), ("raise", 500)]
)
def test_a_failed_request_keeps_nothing(
    writing_app: Flask, commits: list[Session], db_session: Session, outcome: str, status: int
) -> None:
    response = writing_app.test_client().post(f"/throwaway/tags/dropped/{outcome}")
    assert response.status_code == status
    assert commits == []
    assert not tag_exists(db_session, "dropped")


def test_a_view_that_raises_keeps_nothing_when_the_exception_propagates(
    writing_app: Flask, commits: list[Session], db_session: Session
) -> None:
    writing_app.config["PROPAGATE_EXCEPTIONS"] = True  # as under TESTING: the teardown rolls back
    with pytest.raises(Boom):
        writing_app.test_client().post("/throwaway/tags/dropped/raise")
    assert commits == []
    assert not tag_exists(db_session, "dropped")


def test_a_request_that_does_not_use_the_database_opens_no_session(
    writing_app: Flask, commits: list[Session]
) -> None:
    assert writing_app.test_client().post("/throwaway/no-database").status_code == 200
    assert commits == []


# --- UTC timestamps -----------------------------------------------------------------


def stored_last_login(db_session: Session, user: User) -> datetime | None:
    db_session.expire_all()
    return db_session.scalar(select(User.last_login_at).where(User.id == user.id))


def test_timestamps_come_back_as_aware_utc(make_user: Callable[..., User], db_session: Session) -> None:
    user = make_user()
    berlin_noon = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    user.last_login_at = berlin_noon
    db_session.commit()

    stored = stored_last_login(db_session, user)
    assert stored == berlin_noon
    assert stored is not None and stored.tzinfo is UTC
    assert (stored.hour, stored.microsecond) == (10, 123456)

    db_session.expire_all()
    created = db_session.scalar(select(User.created_at).where(User.id == user.id))
    assert created is not None and created.tzinfo is UTC
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)


def test_timestamps_compare_as_instants_in_queries(
    make_user: Callable[..., User], db_session: Session
) -> None:
    user = make_user()
    user.last_login_at = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    db_session.commit()
    new_york = timezone(timedelta(hours=-5))

    def found_after(moment: datetime) -> bool:
        query = select(User.id).where(User.id == user.id, User.last_login_at > moment)
        return db_session.scalar(query) is not None

    assert found_after(datetime(2026, 3, 1, 4, 59, tzinfo=new_york))  # 09:59 UTC
    assert not found_after(datetime(2026, 3, 1, 5, 0, tzinfo=new_york))  # 10:00 UTC


def test_naive_datetimes_are_refused(make_user: Callable[..., User], db_session: Session) -> None:
    user = make_user()
    user.last_login_at = datetime(2026, 3, 1, 12, 0)  # noqa: DTZ001 - the naive value under test
    with pytest.raises(StatementError, match="naive datetime"):
        db_session.flush()
    db_session.rollback()
    assert stored_last_login(db_session, user) is None
