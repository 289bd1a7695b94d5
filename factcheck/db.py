"""The database layer: declarative base, column types, engines and sessions.

Operations receive a session, change objects and flush; they never commit.
A request (see :func:`init_app`) or a CLI command (see :func:`session_scope`)
commits once at the end, or rolls back.

SQLite is set up for a web app with several processes: WAL journal, foreign
keys on, a busy timeout, and write transactions that start with
``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing with
"database is locked" when a reader upgrades to a writer half-way.
"""

from __future__ import annotations

import enum
import os
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Engine, Enum, Executable, MetaData, Row, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError, PendingRollbackError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from factcheck.search import folding

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC. The one clock of the app."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored and returned as aware UTC.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones and returns naive
    values, which are UTC by construction here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use factcheck.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- engines ---------------------------------------------------------------

# Execution option telling the SQLite "begin" hook how to start a transaction.
SQLITE_BEGIN = "factcheck_sqlite_begin"


def database_url(config: dict[str, Any], instance_path: str) -> str:
    url = config.get("DATABASE_URL")
    if url:
        return url
    os.makedirs(instance_path, exist_ok=True)
    return "sqlite:///" + os.path.join(instance_path, "factcheck.sqlite")


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = 5000) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, busy timeout, BEGIN IMMEDIATE."""
    if not url.startswith("sqlite"):
        # UTC sessions: the audit triggers keep timestamps as text (to_jsonb), which must not
        # depend on the server's or a client's time zone setting.
        return create_engine(url, echo=echo, pool_pre_ping=True, connect_args={"options": "-c timezone=UTC"})

    engine = create_engine(url, echo=echo)

    @event.listens_for(engine, "connect")
    def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if ":memory:" not in url and url != "sqlite://":
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
        # The public search's whole-word, accent-folding match (PostgreSQL has its own in SQL).
        folding.register_sqlite(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _sqlite_on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """Engines and session factories of one app.

    ``write_sessions`` start SQLite transactions with BEGIN IMMEDIATE;
    ``read_sessions`` (for GET and HEAD requests) with a plain deferred BEGIN,
    so readers never queue behind writers. On PostgreSQL both are the same.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.write_sessions = sessionmaker(bind=engine, expire_on_commit=False)
        read_engine = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
        self.read_sessions = sessionmaker(bind=read_engine, expire_on_commit=False)
        # Called with each new request session (the audit history attaches the actor).
        self.request_session_hooks: list[Callable[[Session], None]] = []
        self._lookup_engine: Engine | None = None
        self._sessions_routed = False

    def use_sessions(self, factory: sessionmaker[Session]) -> None:
        """Route all sessions through one factory (tests bind it to a savepoint)."""
        self.write_sessions = factory
        self.read_sessions = factory
        self._sessions_routed = True

    def lookup(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read-only statement, in as few round trips as the database allows.

        For the lean public paths (factcheck/public/fastpath.py), where the query is
        most of the request. On PostgreSQL a session costs six round trips for one
        SELECT (the pool's liveness ping, BEGIN, the statement, the rollback...); this
        runs it alone on a pool of its own in autocommit, without the ping: a
        connection the server dropped fails the statement, the pool is invalidated,
        and the caller falls back to the app, which answers as it would anyway.
        """
        if self._sessions_routed:
            with self.read_sessions() as session:
                return session.execute(statement, params).first()
        if self._lookup_engine is None:
            self._lookup_engine = self._make_lookup_engine()
        with self._lookup_engine.connect() as connection:
            return connection.execute(statement, params).first()

    def _make_lookup_engine(self) -> Engine:
        if self.engine.dialect.name != "postgresql":
            # In-process: BEGIN and ROLLBACK cost microseconds; keep SQLite's setup.
            return self.read_sessions.kw["bind"]
        lookups = create_engine(
            self.engine.url,
            pool_pre_ping=False,
            isolation_level="AUTOCOMMIT",
            connect_args={"options": "-c timezone=UTC"},
        )
        # Its connections close with the app's engine, or with this object, never left to the
        # garbage collector (which would drop them open).
        event.listen(self.engine, "engine_disposed", lambda _engine: lookups.dispose())
        weakref.finalize(self, lookups.dispose)
        return lookups


def get_database(app: Flask) -> Database:
    return app.extensions["factcheck_db"]


# --- request-scoped session -----------------------------------------------

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session() -> Session:
    """The session of the current request (created on first use)."""
    if "db_session" not in g:
        from flask import current_app

        database = get_database(current_app)
        readonly = request.method in _READ_METHODS if request else False
        factory = database.read_sessions if readonly else database.write_sessions
        g.db_session = factory()
        for hook in database.request_session_hooks:
            hook(g.db_session)
    return g.db_session


def init_app(app: Flask) -> Database:
    url = database_url(app.config, app.instance_path)
    engine = make_engine(
        url,
        echo=app.config.get("DATABASE_ECHO", False),
        busy_timeout_ms=app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000),
    )
    database = Database(engine)
    app.extensions["factcheck_db"] = database

    @event.listens_for(engine, "handle_error")
    def _note_lost_connection(context: Any) -> None:
        # Remembered for the commit: code may catch the error, but the transaction stays unusable.
        if context.is_disconnect and has_request_context():
            g.database_lost = context.sqlalchemy_exception

    @app.after_request
    def _commit_session(response: Any) -> Any:
        # One commit per successful request; an error response keeps nothing.
        db_session: Session | None = g.pop("db_session", None)
        if db_session is None:
            return response
        try:
            if response.status_code < 400:
                db_session.commit()
            else:
                db_session.rollback()
        except (OperationalError, PendingRollbackError) as exc:
            # The database went away during the request (a restart): nothing was saved, so
            # answer as any request does while it is down (the app's handler: 503 with
            # Retry-After), not with the 500 Flask gives a failing after_request. The commit
            # fails with PendingRollbackError when the connection was lost earlier in the
            # request; without a lost connection that error is a bug, and stays a 500.
            lost = exc if isinstance(exc, OperationalError) else g.pop("database_lost", None)
            if lost is None:
                raise
            return current_app.make_response(current_app.handle_user_exception(lost))
        finally:
            db_session.close()
        return response

    @app.teardown_request
    def _close_session(_exc: BaseException | None) -> None:
        # Reached with a session still open only when the view raised.
        db_session: Session | None = g.pop("db_session", None)
        if db_session is not None:
            db_session.rollback()
            db_session.close()

    return database


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session for CLI commands: committed once when the block succeeds."""
    db_session = get_database(app).write_sessions()
    try:
        yield db_session
        db_session.commit()
    except BaseException:
        db_session.rollback()
        raise
    finally:
        db_session.close()


# --- shared column sets ------------------------------------------------------


class Timestamps:
    """Creation and last-change times, set by the app's one clock."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def str_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: a VARCHAR holding the values, guarded by a CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


@contextmanager
def reading_session(app: Flask) -> Iterator[Session]:
    """A read-only session of its own, for responses that stream after the request's session closed."""
    db_session = get_database(app).read_sessions()
    try:
        yield db_session
    finally:
        db_session.rollback()
        db_session.close()
