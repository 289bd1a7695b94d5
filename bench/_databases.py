"""Fresh, fully migrated databases for the benchmarks (not a benchmark itself).

SQLite: a file in a temporary directory, removed afterwards. PostgreSQL: a new
database ``bench_<hex>`` on the server named by ``--postgresql-url`` (or the
``FACTCHECK_BENCH_POSTGRESQL_URL`` environment variable), created here and
dropped afterwards, even when the benchmark fails.

Both are built by the real Alembic migrations (``factcheck.migrate.upgrade``),
so they carry the same schema and audit triggers as a production database.

The audit history links every changeset with the audit key (factcheck/audit/keys.py),
which ``create_app`` installs in an app; the benchmarks write and verify outside an
app, so :func:`fresh_database` installs a fixed benchmark key first (``keys.configure``).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from factcheck import migrate
from factcheck.audit import keys
from factcheck.db import make_engine

DIALECTS = ("sqlite", "postgresql")
DEFAULT_POSTGRESQL_URL = os.environ.get(
    "FACTCHECK_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Not a secret: benchmark databases are dropped at the end of each run.
BENCH_AUDIT_KEY = "factcheck-benchmark-audit-key-not-for-production-use"


def configure_audit_key() -> keys.Keyring:
    """Install the benchmark's audit keyring in this process, as ``create_app`` does in an app."""
    keyring = keys.Keyring.from_secrets(BENCH_AUDIT_KEY)
    keys.configure(keyring)
    return keyring


def selected(choice: str) -> list[str]:
    """``--database`` value (sqlite, postgresql or both) -> the dialects to run."""
    return list(DIALECTS) if choice == "both" else [choice]


@contextmanager
def fresh_database(dialect: str, postgresql_url: str) -> Iterator[Engine]:
    """An engine (``factcheck.db.make_engine``) on a new, migrated database; removed afterwards.

    The benchmark audit key is installed first, so the migrations' changesets are keyed with it."""
    configure_audit_key()
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as directory:
            engine = make_engine("sqlite:///" + os.path.join(directory, "bench.sqlite"))
            try:
                migrate.upgrade(engine)
                yield engine
            finally:
                engine.dispose()
        return

    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(postgresql_url).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def describe(engine: Engine) -> str:
    """Server version, for the results table."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            version = connection.exec_driver_sql("SHOW server_version").scalar()
            return f"PostgreSQL {version}"
        version = connection.exec_driver_sql("SELECT sqlite_version()").scalar()
        return f"SQLite {version} (WAL, synchronous=NORMAL)"


def after_bulk_load(engine: Engine, tables: Iterable[str]) -> None:
    """After inserting rows with explicit ids: move the PostgreSQL sequences of ``tables`` on,
    and gather statistics for the planner (fresh tables have none)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in tables:
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
