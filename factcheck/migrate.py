"""Running the Alembic migrations from the app (CLI and tests)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from factcheck import PROJECT_ROOT

ALEMBIC_INI = os.path.join(PROJECT_ROOT, "alembic.ini")


def alembic_config(connection: Connection | None = None, app_role: str | None = None) -> Config:
    """Alembic's configuration; with a connection, also the app's role to grant after migrating
    (migrations/env.py; None: no grants, whatever the environment says)."""
    # Alembic's default stdout is the one of import time; pass the current one so
    # `factcheck db current` prints where click (and Flask's CLI test runner) expect.
    config = Config(ALEMBIC_INI, stdout=sys.stdout)
    config.attributes["configure_logging"] = False
    if connection is not None:
        config.attributes["connection"] = connection
        config.attributes["app_role"] = app_role
    return config


@contextmanager
def _connected(engine: Engine, app_role: str | None = None) -> Iterator[Config]:
    with engine.connect() as connection:
        yield alembic_config(connection, app_role)
        if connection.in_transaction():
            connection.commit()


def upgrade(engine: Engine, revision: str = "head", app_role: str | None = None) -> None:
    with _connected(engine, app_role) as config:
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "-1", app_role: str | None = None) -> None:
    with _connected(engine, app_role) as config:
        command.downgrade(config, revision)


def current(engine: Engine) -> None:
    with _connected(engine) as config:
        command.current(config, verbose=False)
