"""The job tests that need real commits (several workers, the outbox) use the audit tests'
committed database: on PostgreSQL the app connects as its own role, as in production."""

from tests.audit.conftest import (  # noqa: F401 - fixtures, used by name
    app_role,
    committed_app_url,
    committed_database,
    committed_engine,
    copy_of_migrated,
    make_real_app,
    migrated_template,
    real_app,
)
