"""Test fixtures.

The database is built by the real migrations (never ``create_all``), once per
run, on SQLite by default or on PostgreSQL when ``FACTCHECK_TEST_DATABASE_URL``
names a server (a fresh database is created there and dropped afterwards).
Each test runs inside a transaction that is rolled back; the app's sessions
join it through savepoints, so a request's commit stays inside the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from factcheck import create_app, migrate
from factcheck.accounts import operations as accounts
from factcheck.accounts import passwords
from factcheck.accounts.models import Role, User
from factcheck.audit import checkpoints, keys
from factcheck.audit.changesets import Actor, set_actor
from factcheck.db import get_database, make_engine
from factcheck.security.ratelimit import limiter

TEST_DATABASE_ENV = "FACTCHECK_TEST_DATABASE_URL"
PASSWORD = "correct horse battery"
TEST_AUDIT_KEY = "test-audit-key-that-is-long-enough-for-the-tests"
TEST_KEYRING = keys.Keyring.from_secrets(TEST_AUDIT_KEY)
# Code that writes outside an app (migrations, fixtures) signs with the test key too.
keys.configure(TEST_KEYRING)
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
CHEAP_DUMMY_HASH = CHEAP_HASHER.hash("factcheck-no-such-user")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordHasher]:
    """Argon2id with the cheapest parameters, so the suite stays fast.

    Hashes are still real Argon2id hashes checked by the app's own code; only
    the work factor is lower, for real users and the unknown-email dummy alike.
    Yields the production hasher for the test that checks it.
    """
    production = passwords._hasher
    monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", CHEAP_DUMMY_HASH)
    yield production


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[keys.Keyring]:
    """Every test starts with the test key and no automatic checkpoints; apps a test makes
    install their own (the same key, unless the test says otherwise), undone afterwards."""
    keys.configure(TEST_KEYRING)
    checkpoints.configure(checkpoints.Policy(directory=None, every=0))
    yield TEST_KEYRING
    keys.configure(TEST_KEYRING)
    checkpoints.configure(checkpoints.Policy(directory=None, every=0))


# --- databases -----------------------------------------------------------------


@dataclass
class DatabaseServer:
    """Makes empty databases for tests: SQLite files, or databases on a PostgreSQL server."""

    server_url: str | None
    directory: str

    @property
    def dialect(self) -> str:
        return "postgresql" if self.server_url else "sqlite"

    def create(self) -> str:
        if not self.server_url:
            return "sqlite:///" + os.path.join(self.directory, f"test-{uuid.uuid4().hex[:8]}.sqlite")
        name = f"factcheck_test_{uuid.uuid4().hex[:12]}"
        with self._admin() as admin:
            admin.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        if not self.server_url:
            return
        name = make_url(url).database
        with self._admin() as admin:
            admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    @contextmanager
    def _admin(self) -> Iterator[Connection]:
        engine = create_engine(self.server_url or "", isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def database_server(tmp_path_factory: pytest.TempPathFactory) -> DatabaseServer:
    return DatabaseServer(os.environ.get(TEST_DATABASE_ENV) or None, str(tmp_path_factory.mktemp("db")))


@pytest.fixture
def empty_database(database_server: DatabaseServer) -> Iterator[str]:
    """The URL of a new, empty database of the configured kind (for migration tests)."""
    url = database_server.create()
    yield url
    database_server.drop(url)


@pytest.fixture(scope="session")
def database_url(database_server: DatabaseServer) -> Iterator[str]:
    """A database migrated to the newest revision, shared by the run."""
    url = database_server.create()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    database_server.drop(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """One connection per test, in a transaction rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session inside the test's transaction, for arranging data and checking results."""
    session = session_factory()
    set_actor(session, Actor.system("test setup", "test"))
    yield session
    session.close()


# --- the app -------------------------------------------------------------------


def config_for_tests(tmp_path: Any, database_url: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "TESTING": True,
        "ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "AUDIT_KEY": TEST_AUDIT_KEY,
        # Checkpoints only when asked for (a publication, the command); tests/audit turns the interval on.
        "AUDIT_CHECKPOINT_EVERY": 0,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        # Most tests post forms without tokens; tests/accounts/test_csrf.py turns it on.
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # A test app is one process (production refuses memory:// without it).
        "RATELIMIT_SINGLE_PROCESS": True,
        # Tests publish and read back at once; tests/public/test_microcache.py turns it on.
        "PUBLIC_MICROCACHE_SECONDS": 0,
        # Publishing would queue fetches of the sources' (real) addresses; tests/archive turns it on.
        "ARCHIVE_SOURCES_ON_PUBLISH": False,
    }
    values.update(overrides)
    return values


@pytest.fixture
def make_app(
    tmp_path: Any, database_url: str, session_factory: sessionmaker[Session]
) -> Callable[..., Flask]:
    """Build an app bound to the test's transaction, with config overrides."""

    def build(**overrides: Any) -> Flask:
        app = create_app(config_for_tests(tmp_path, database_url, **overrides))
        get_database(app).use_sessions(session_factory)
        with app.app_context():
            limiter.reset()
        return app

    return build


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- people --------------------------------------------------------------------


@pytest.fixture
def make_user(db_session: Session) -> Callable[..., User]:
    """Create a user; the password is PASSWORD unless given."""
    counter = iter(range(1, 10_000))

    def make(
        role: Role = Role.REVIEWER,
        *,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        disabled: bool = False,
    ) -> User:
        number = next(counter)
        user = accounts.create_user(
            db_session,
            email=email or f"{role.value}{number}@example.org",
            name=name or f"{role.label} {number}",
            password=password,
            role=role,
        )
        user.is_disabled = disabled
        db_session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD, **kwargs: Any) -> Any:
        return self.client.post("/login", data={"email": email, "password": password}, **kwargs)

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(make_user: Callable[..., User], auth: AuthActions) -> Callable[[Role], User]:
    """Create a user of the role and sign the test client in as them."""

    def sign_in(role: Role) -> User:
        user = make_user(role)
        response = auth.login(user.email)
        assert response.status_code == 302, response.data
        return user

    return sign_in
