"""Fixtures for the audit-history tests.

Most properties are checked inside the test's rolled-back transaction (the
shared ``connection``). Where a real COMMIT or ROLLBACK matters (atomicity,
deferred foreign keys, the CLI, concurrency, the security log of refused
requests) tests use ``committed_database``: migrated once, shared by the run,
so each test checks only what it wrote itself (changesets after the head it
started from). Databases are made by copying one migrated template: a file
copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL.

On PostgreSQL the real-commit fixtures (``committed_engine``, ``make_real_app``,
``real_app``) connect as the app's role, :data:`APP_ROLE`, granted what
``factcheck db grant-app-role`` grants: the way production runs. The database's
owner (the server URL's user) keeps ``committed_database`` and ``owner_engine``
for what only the owner may do.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from factcheck import create_app, migrate
from factcheck.audit import roles
from factcheck.db import get_database, make_engine
from factcheck.security.ratelimit import limiter
from tests.conftest import DatabaseServer, config_for_tests


def _copy_database(server: DatabaseServer, source_url: str) -> str:
    if not server.server_url:
        target = server.create()
        source = sqlite3.connect(make_url(source_url).database or "")
        copy = sqlite3.connect(make_url(target).database or "")
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    name = f"factcheck_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            template = make_url(source_url).database
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    finally:
        admin.dispose()
    return make_url(server.server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_template(database_server: DatabaseServer) -> Iterator[str]:
    """A database migrated to head once per run; never used directly, only copied."""
    url = database_server.create()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    database_server.drop(url)


@pytest.fixture(scope="session")
def copy_of_migrated(database_server: DatabaseServer, migrated_template: str) -> Iterator[Callable[[], str]]:
    """Make new databases at head (copies of the template); dropped at the end of the run."""
    made: list[str] = []

    def copy() -> str:
        made.append(_copy_database(database_server, migrated_template))
        return made[-1]

    yield copy
    for url in made:
        database_server.drop(url)


# --- the app's role (PostgreSQL) ------------------------------------------------

# A cluster-wide role (roles are not per database), made once and kept: every test
# database grants it rights of its own, which go when the database is dropped.
APP_ROLE = "factcheck_test_app"
# Idempotent, and safe when two test runs make it at the same moment.
_CREATE_APP_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$
"""


@pytest.fixture(scope="session")
def app_role(database_server: DatabaseServer) -> str | None:
    """The app's database role on PostgreSQL (made if missing); None on SQLite, which has no roles."""
    if not database_server.server_url:
        return None
    admin = create_engine(database_server.server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(_CREATE_APP_ROLE)
    finally:
        admin.dispose()
    return APP_ROLE


def as_role(url: str, role: str | None) -> str:
    """The same database, signed in as ``role`` (the test server trusts local connections)."""
    if role is None:
        return url
    return make_url(url).set(username=role, password=None).render_as_string(hide_password=False)


def grant_app_role(url: str, role: str | None) -> str:
    """Grant ``role`` the app's rights on the database at ``url`` (as its owner); the URL to
    connect as the app. On SQLite, the URL unchanged."""
    if role is None:
        return url
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            roles.grant_app_role(connection, role)
    finally:
        engine.dispose()
    return as_role(url, role)


# --- databases where tests commit -------------------------------------------------


@pytest.fixture(scope="session")
def committed_database(copy_of_migrated: Callable[[], str]) -> str:
    """A database at head where tests commit for real; shared, so tests check only what they did.
    Its owner's URL."""
    return copy_of_migrated()


@pytest.fixture(scope="session")
def committed_app_url(committed_database: str, app_role: str | None) -> str:
    """``committed_database`` as the app connects to it: as the app's role on PostgreSQL."""
    return grant_app_role(committed_database, app_role)


@pytest.fixture(scope="session")
def committed_engine(committed_app_url: str) -> Iterator[Engine]:
    """The app's connections to ``committed_database`` (the owner's on SQLite)."""
    engine = make_engine(committed_app_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def owner_engine(committed_database: str) -> Iterator[Engine]:
    """The owner's connections to ``committed_database``, for what the app may not do."""
    engine = make_engine(committed_database)
    yield engine
    engine.dispose()


@pytest.fixture
def make_real_app(tmp_path: Any, committed_app_url: str) -> Iterator[Callable[..., Flask]]:
    """Apps with an engine of their own (``committed_database`` as the app's role, unless another
    URL is given): each request commits or rolls back for real."""
    apps: list[Flask] = []

    def build(url: str | None = None, **overrides: Any) -> Flask:
        app = create_app(config_for_tests(tmp_path, url or committed_app_url, **overrides))
        with app.app_context():
            limiter.reset()
        apps.append(app)
        return app

    yield build
    for app in apps:
        get_database(app).engine.dispose()


@pytest.fixture
def real_app(make_real_app: Callable[..., Flask]) -> Flask:
    return make_real_app()
