"""The Alembic migrations: one history, models in step with it, every step reversible, data kept.

The tests walk whatever revisions exist, so new ones (including ones that add
triggers, views or functions) are checked without changing this file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Engine, bindparam, inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from factcheck import migrate
from factcheck.accounts.models import User
from factcheck.audit import triggers, verification
from factcheck.audit.changesets import Actor, connection_changeset
from factcheck.claims.models import Claim
from factcheck.db import Base, UTCDateTime, get_database, make_engine
from factcheck.models import Rating
from factcheck.search import schema as search_schema

# The options migrations/env.py gives context.configure for comparing.
COMPARE_OPTIONS = {
    "compare_type": True,
    "compare_server_default": True,
    "include_name": search_schema.include_name,
}
# The first revision; the data-survival test inserts rows with its columns.
FIRST_REVISION = "0001"
DATE_PREFIX = re.compile(r"^(\d{8})_")


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config())


def revisions_base_to_head() -> list[Script]:
    return list(reversed(list(script_directory().walk_revisions("base", "heads"))))


@pytest.fixture
def empty_engine(empty_database: str) -> Iterator[Engine]:
    engine = make_engine(empty_database)
    yield engine
    engine.dispose()


def schema_of(engine: Engine) -> dict[str, Any]:
    """What a migration can create: tables with columns, keys, indexes and
    constraints, plus views, sequences, enum types, triggers and functions."""
    with engine.connect() as connection:
        inspector = inspect(connection)
        dialect = connection.dialect
        tables: dict[str, Any] = {}
        for table in sorted(inspector.get_table_names()):
            if table == "alembic_version":
                continue
            tables[table] = {
                "columns": [
                    (
                        column["name"],
                        # Untyped: SQLite FTS5 tables and their shadow tables.
                        "untyped"
                        if isinstance(column["type"], NullType)
                        else column["type"].compile(dialect=dialect),
                        column["nullable"],
                        str(column.get("default")),
                    )
                    for column in inspector.get_columns(table)
                ],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign_keys": sorted(
                    (
                        str(fk["name"]),
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                        str(sorted(fk.get("options", {}).items())),
                    )
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (str(ix["name"]), tuple(map(str, ix["column_names"])), bool(ix["unique"]))
                    for ix in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    (str(uq["name"]), tuple(uq["column_names"]))
                    for uq in inspector.get_unique_constraints(table)
                ),
                "checks": sorted(
                    (str(ck["name"]), ck["sqltext"]) for ck in inspector.get_check_constraints(table)
                ),
            }
        schema: dict[str, Any] = {
            "tables": tables,
            "views": sorted(inspector.get_view_names()),
        }
        if dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            )
            schema["triggers"] = [tuple(row) for row in rows]
        elif dialect.name == "postgresql":
            schema["sequences"] = sorted(inspector.get_sequence_names())
            schema["enums"] = sorted(
                (enum["name"], tuple(enum["labels"]))
                for enum in inspector.get_enums()  # type: ignore[attr-defined]
            )
            rows = connection.exec_driver_sql(
                "SELECT event_object_table, trigger_name, event_manipulation, action_timing, "
                "action_statement FROM information_schema.triggers "
                "WHERE trigger_schema = current_schema() ORDER BY 1, 2, 3"
            )
            schema["triggers"] = [tuple(row) for row in rows]
            rows = connection.exec_driver_sql(
                "SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() ORDER BY 1, 2"
            )
            schema["functions"] = [tuple(row) for row in rows]
    return schema


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# --- the history ---------------------------------------------------------------


def test_there_is_exactly_one_head() -> None:
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"migrations have {len(heads)} heads {heads}; merge them (alembic merge heads)"


def test_first_revision_is_the_only_base() -> None:
    assert script_directory().get_bases() == [FIRST_REVISION]


def test_every_revision_file_is_date_prefixed() -> None:
    script = script_directory()
    paths = {os.path.basename(revision.path) for revision in script.walk_revisions()}
    versions = os.path.join(script.dir, "versions")
    paths |= {name for name in os.listdir(versions) if name.endswith(".py")}
    badly_named = []
    for name in sorted(paths):
        match = DATE_PREFIX.match(name)
        try:
            assert match is not None
            datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC)
        except (AssertionError, ValueError):
            badly_named.append(name)
    assert not badly_named, f"revision files must be named YYYYMMDD_<rev>_<slug>.py: {badly_named}"


# --- models and migrations agree -------------------------------------------------


@pytest.mark.slow
def test_models_match_migrations(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
        differences = compare_metadata(context, Base.metadata)
        assert differences == [], (
            "the models and the migrations differ; write a migration (alembic revision --autogenerate):\n"
            + "\n".join(map(repr, differences))
        )
        # The same question asked through migrations/env.py, with exactly its options.
        command.check(migrate.alembic_config(connection))


# --- every step up and down ------------------------------------------------------


@pytest.mark.slow
def test_stairway_up_down_up(empty_engine: Engine) -> None:
    """Each revision upgrades, downgrades and upgrades again to the same schema;
    then the whole history goes down to an empty database and back up."""
    revisions = revisions_base_to_head()
    assert revisions, "no migrations found"
    empty = schema_of(empty_engine)
    schemas: dict[str, Any] = {"base": empty}

    previous = "base"
    for revision in revisions:
        name = revision.revision
        migrate.upgrade(empty_engine, name)
        schemas[name] = schema_of(empty_engine)
        # A revision that only rewrites data says so (DATA_ONLY = True); every other changes the schema.
        if not getattr(revision.module, "DATA_ONLY", False):
            assert schemas[name] != schemas[previous], f"revision {name} changed nothing in the schema"

        migrate.downgrade(empty_engine, previous)
        assert schema_of(empty_engine) == schemas[previous], (
            f"downgrading {name} did not restore the schema of {previous}"
        )

        migrate.upgrade(empty_engine, name)
        assert schema_of(empty_engine) == schemas[name], (
            f"revision {name} upgraded after a downgrade gives another schema than the first time"
        )
        assert current_revision(empty_engine) == name
        previous = name

    # All the way down, one step at a time ...
    steps_down = ["base", *(revision.revision for revision in revisions[:-1])]
    for target in reversed(steps_down):
        migrate.downgrade(empty_engine, target)
        assert schema_of(empty_engine) == schemas[target], f"downgrade to {target} left another schema"
    assert current_revision(empty_engine) is None
    assert schema_of(empty_engine) == empty

    # ... and up again.
    for revision in revisions:
        migrate.upgrade(empty_engine, revision.revision)
        assert schema_of(empty_engine) == schemas[revision.revision], (
            f"second upgrade to {revision.revision} gives another schema"
        )


# --- data survives upgrades -------------------------------------------------------


@pytest.mark.slow
def test_data_of_the_first_revision_survives_upgrade_to_head(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, FIRST_REVISION)
    created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with empty_engine.begin() as connection:
        # Plain SQL with the columns of revision 0001, so later models do not matter.
        statements = [
            "INSERT INTO users (id, email, name, password_hash, role, is_disabled, created_at, updated_at) "
            "VALUES (41, 'kept@example.org', 'Kept Reviewer', 'not-a-real-hash', 'reviewer', false, :at, :at)",
            "INSERT INTO claims (id, text, claimant, state, created_by_id, version, created_at, updated_at) "
            "VALUES (42, 'The kept claim.', 'Someone', 'in_review', 41, 1, :at, :at)",
            "INSERT INTO ratings (id, claim_id, reviewer_id, label_id, reasoning, created_at, updated_at) "
            "VALUES (43, 42, 41, (SELECT id FROM rating_labels WHERE key = 'mostly-true'), 'Kept.', :at, :at)",
        ]
        for statement in statements:
            connection.execute(text(statement).bindparams(bindparam("at", created, type_=UTCDateTime())))

    migrate.upgrade(empty_engine, "head")

    with Session(empty_engine) as session:
        user = session.get(User, 41)
        claim = session.get(Claim, 42)
        rating = session.scalar(select(Rating).where(Rating.id == 43))
        assert user is not None and user.email == "kept@example.org"
        assert user.created_at == created
        assert claim is not None and claim.text == "The kept claim."
        assert claim.created_by is user
        assert rating is not None
        assert (rating.claim, rating.reviewer, rating.label.key) == (claim, user, "mostly-true")


# --- the CLI ----------------------------------------------------------------------


@pytest.mark.slow
def test_cli_upgrades_an_empty_database_and_shows_the_revision(make_app: Any, empty_database: str) -> None:
    app = make_app(DATABASE_URL=empty_database)
    engine = get_database(app).engine
    runner = app.test_cli_runner()
    head = script_directory().get_current_head()
    try:
        before = runner.invoke(args=["db", "current"])
        assert before.exit_code == 0, before.output
        assert head not in before.output

        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert current_revision(engine) == head
        assert "users" in inspect(engine).get_table_names()

        after = runner.invoke(args=["db", "current"])
        assert after.exit_code == 0, after.output
        assert f"{head} (head)" in after.output
    finally:
        engine.dispose()


def test_a_history_from_before_the_audit_key_verifies_after_the_upgrade(empty_engine: Engine) -> None:
    """Data from the first revision, a security log the older code kept outside the history:
    after the upgrade the history explains all of it, and the downgrade refuses to drop its keys."""
    migrate.upgrade(empty_engine, FIRST_REVISION)
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, role, is_disabled, created_at, updated_at) "
                "VALUES (41, 'kept@example.org', 'Kept Reviewer', 'not-a-real-hash', 'reviewer', false, :at, :at)"
            ).bindparams(bindparam("at", at, type_=UTCDateTime()))
        )
    migrate.upgrade(empty_engine, "0004")
    with empty_engine.begin() as connection:
        # As revision 0004's code left it: no audit triggers on the security log.
        for table, name in triggers.existing_triggers(connection):
            if table == "security_events" and "no_" not in name and "append_only" not in name:
                connection.exec_driver_sql(
                    f'DROP TRIGGER "{name}" ON "{table}"'
                    if connection.dialect.name == "postgresql"
                    else f'DROP TRIGGER "{name}"'
                )
        for kind in ("login_failed", "login_failed", "login"):
            connection.execute(
                text(
                    "INSERT INTO security_events (occurred_at, kind, email, detail) VALUES (:at, :kind, 'kept@example.org', '{}')"
                ).bindparams(bindparam("at", at, type_=UTCDateTime())),
                {"kind": kind},
            )

    migrate.upgrade(empty_engine, "head")

    with empty_engine.begin() as connection:
        report = verification.verify(connection, directory=None)
        assert report.ok, report.summary()
        assert report.chain.legacy == 1  # the first revision's data, recorded by 0002 before the key
        recorded = connection.execute(
            text(
                "SELECT count(*) FROM audit_changes WHERE table_name = 'security_events' AND operation = 'INSERT'"
            )
        ).scalar_one()
        assert recorded == 3

    with pytest.raises(RuntimeError, match="refusing to downgrade below 0005"):
        migrate.downgrade(empty_engine, "0004")
    assert current_revision(empty_engine) == revisions_base_to_head()[-1].revision
    with empty_engine.begin() as connection:
        assert verification.verify(connection, directory=None).ok


def test_verify_on_a_database_not_yet_upgraded_says_so(make_app: Any, empty_database: str) -> None:
    engine = make_engine(empty_database)
    migrate.upgrade(engine, "0004")
    engine.dispose()
    app = make_app(DATABASE_URL=empty_database)

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    assert result.exit_code == 2
    assert "factcheck db upgrade" in result.output and "Traceback" not in result.output
    get_database(app).engine.dispose()


def test_cli_refuses_the_downgrade_of_a_keyed_history_in_one_line(make_app: Any, empty_database: str) -> None:
    app = make_app(DATABASE_URL=empty_database)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with (
        get_database(app).engine.begin() as connection,
        connection_changeset(connection, Actor.system("a test", "test")),
    ):
        connection.execute(text("INSERT INTO tags (name) VALUES ('kept')"))

    result = runner.invoke(args=["db", "downgrade", "0004"])

    assert result.exit_code == 1
    assert result.output.startswith("Error: not migrated: refusing to downgrade below 0005")
    assert "Traceback" not in result.output
    get_database(app).engine.dispose()


def test_cli_refuses_to_go_below_0010_once_an_admin_retried_a_job(make_app: Any, empty_database: str) -> None:
    app = make_app(DATABASE_URL=empty_database)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    # Without a job_retried event it goes down and up again.
    assert runner.invoke(args=["db", "downgrade", "0006"]).exit_code == 0
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with (
        get_database(app).engine.begin() as connection,
        connection_changeset(connection, Actor.system("a test", "test")),
    ):
        connection.execute(
            text(
                "INSERT INTO security_events (occurred_at, kind, detail) VALUES (CURRENT_TIMESTAMP, 'job_retried', '{}')"
            )
        )

    result = runner.invoke(args=["db", "downgrade", "0006"])

    assert result.exit_code == 1
    assert result.output.startswith("Error: not migrated: the security log holds 1 job_retried events")
    assert "Traceback" not in result.output
    get_database(app).engine.dispose()
