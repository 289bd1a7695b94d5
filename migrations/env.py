"""Alembic environment: migrates the database the app is configured for.

Callers may pass an open connection in ``config.attributes["connection"]``
(the CLI and the tests do); otherwise the URL comes from ``sqlalchemy.url``
or, failing that, from the app's own configuration. Likewise the app's
PostgreSQL role, granted its rights again after every run: from
``config.attributes["app_role"]``, else ``DATABASE_APP_ROLE``.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import config as app_config
import factcheck.models  # noqa: F401 - registers every table on Base.metadata
from factcheck.audit import keys, roles, triggers
from factcheck.audit.changesets import Actor, connection_changeset
from factcheck.db import Base, make_engine
from factcheck.search import schema as search_schema

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from factcheck import create_app
    from factcheck.db import get_database

    return get_database(create_app()).engine.url.render_as_string(hide_password=False)


def _app_role() -> str | None:
    if "app_role" in config.attributes:
        return config.attributes["app_role"] or None
    return app_config.load().get("DATABASE_APP_ROLE") or None


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        # SQLite runs DDL inside transactions too (our engine begins them explicitly).
        transactional_ddl=True,
        compare_type=True,
        compare_server_default=True,
        # The full-text index tables are derived data, not models.
        include_name=search_schema.include_name,
    )


def run_migrations_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    """Run the migrations; on SQLite with foreign keys off while batch mode copies tables.

    Batch mode drops and recreates tables; with foreign keys on, dropping a
    table would cascade-delete the rows that refer to it. The pragma only
    works outside a transaction, so it goes to the driver directly, and the
    keys are checked before it is switched back on.
    """
    sqlite = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
    try:
        _configure(connection)
        with context.begin_transaction():
            covered = triggers.covered_columns(connection)
            context.run_migrations()
            # Keep the audit triggers in step with whatever the migrations changed.
            triggers.sync(connection)
            if covered and triggers.audit_installed(connection):
                _record_schema_changes(connection, covered)
            search_schema.sync(connection)
            # New tables get the app's rights, narrowed where they must be (factcheck/audit/roles.py);
            # dropped and recreated functions lose theirs.
            app_role = _app_role()
            if app_role and connection.dialect.name == "postgresql":
                roles.grant_app_role(connection, app_role)
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def _record_schema_changes(connection: Connection, covered: dict[str, set[str]]) -> None:
    """The values migrations added without the triggers (new tables, new columns) enter the
    history in one changeset, so the replay of the history explains them."""
    if "key_id" not in triggers.table_columns(connection, "audit_changesets"):
        # Taken back below revision 0005, which only a history without keyed changesets may
        # be: changesets of the keyed form cannot be written there.
        return
    try:
        keys.active()
    except keys.AuditKeyError:
        from factcheck import create_app

        create_app()  # installs the configured audit key
    actor = Actor.system("migrations: tables and columns new to the audit history", "migration")
    with connection_changeset(connection, actor) as opened:
        triggers.record_schema_changes(connection, opened.seq, covered)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
            if connection.in_transaction():
                connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
