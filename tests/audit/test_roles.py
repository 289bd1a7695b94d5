"""PostgreSQL roles: the app's role writes the history only through the triggers, and cannot undo them.

The owner migrates and owns everything; ``factcheck db grant-app-role`` gives the
app's role its rights (factcheck/audit/roles.py). As that role the app works as
usual, and each way of rewriting, erasing or switching off the history that the
owner would have is refused with a permission error (SQLSTATE 42501).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from factcheck import migrate
from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role
from factcheck.audit import roles
from factcheck.audit.changesets import CHAIN_LOCK_KEY
from factcheck.db import get_database, make_engine
from tests.audit.conftest import as_role, grant_app_role
from tests.audit.helpers import audited_session, changes, changesets, head_seq, observe
from tests.conftest import PASSWORD

INSUFFICIENT_PRIVILEGE = "42501"
PERMISSION_ERRORS = ("permission denied", "must be owner", "is not the one open in this transaction")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
SEAL_ARGUMENTS = (
    "now(), NULL, 'forger', NULL, 'test', NULL, NULL, NULL, NULL, repeat('0', 64), repeat('f', 64)"
)


@pytest.fixture
def role(app_role: str | None) -> str:
    if app_role is None:
        pytest.skip("database roles exist on PostgreSQL only")
    return app_role


def refusal(engine: Engine, statement: str) -> DBAPIError:
    """Run ``statement`` in a transaction of its own (rolled back); the error it raised."""
    with engine.connect() as connection, pytest.raises(DBAPIError) as raised:
        connection.exec_driver_sql(statement)
    return raised.value


def sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def current_user(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT current_user").scalar_one()


# --- as the app's role, the app works and its history verifies ----------------------


def test_an_audited_change_through_the_web_as_the_app_role_commits_and_verifies(
    role: str,
    real_app: Flask,
    make_real_app: Callable[..., Flask],
    committed_database: str,
    committed_engine: Engine,
) -> None:
    assert current_user(get_database(real_app).engine) == role
    suffix = uuid.uuid4().hex[:8]
    with audited_session(committed_engine) as session:
        admin = accounts.create_user(
            session,
            email=f"admin-{suffix}@example.org",
            name="Role admin",
            password=PASSWORD,
            role=Role.ADMIN,
        )
        target = accounts.create_user(
            session,
            email=f"reviewer-{suffix}@example.org",
            name="Role reviewer",
            password=PASSWORD,
            role=Role.REVIEWER,
        )
        session.commit()
    with observe(committed_engine) as observer:
        start = head_seq(observer)

    client = real_app.test_client()
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    assert client.post(f"/admin/users/{target.id}", data={"role": "editor"}).status_code == 302

    with observe(committed_engine) as observer:
        assert observer.execute(
            text("SELECT role FROM users WHERE id = :id"), {"id": target.id}
        ).scalar_one() == ("editor")
        # Signing in is a changeset of the admin's too; the role change is one of its own.
        role_changes = [
            (row.actor_name, row.origin, change.changes["role"])
            for row in changesets(observer)
            if row.seq > start and row.actor_id == admin.id
            for change in changes(observer, row.seq)
            if change.table_name == "users" and "role" in change.changes
        ]
        assert role_changes == [("Role admin", "web", ["reviewer", "editor"])]

    # The owner checks the history: triggers, chain and data all agree.
    owner_app = make_real_app(committed_database)
    assert current_user(get_database(owner_app).engine) != role
    verified = owner_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "audit history ok" in verified.output


# --- and it cannot rewrite, erase or switch off the history ---------------------------

REFUSED = {
    "insert a changeset": "INSERT INTO audit_changesets (seq, occurred_at, actor_name, origin, prev_hash, hash) "
    "VALUES (1000000, now(), 'forger', 'test', repeat('0', 64), repeat('f', 64))",
    "rewrite a changeset": "UPDATE audit_changesets SET reason = 'rewritten'",
    "delete changesets": "DELETE FROM audit_changesets",
    "insert a change": "INSERT INTO audit_changes (changeset_seq, table_name, row_key, operation, changes) "
    "VALUES (1, 'tags', '{}', 'UPDATE', '{}')",
    "rewrite a change": "UPDATE audit_changes SET changes = '{}'",
    "delete changes": "DELETE FROM audit_changes",
    "rewrite the security log": "UPDATE security_events SET email = 'someone-else@example.org'",
    "delete the security log": "DELETE FROM security_events",
    "delete verifications": "DELETE FROM audit_verifications",
    "rewrite checkpoints": "UPDATE audit_checkpoints SET head_hash = repeat('0', 64)",
    "change the schema revision": "UPDATE alembic_version SET version_num = 'forged'",
    "disable the triggers": "ALTER TABLE users DISABLE TRIGGER USER",
    "disable one trigger": "ALTER TABLE users DISABLE TRIGGER fc_audit_row",
    "drop a trigger": "DROP TRIGGER fc_audit_row ON users",
    "skip triggers as a replica": "SET session_replication_role = replica",
    "replace the row trigger's function": "CREATE OR REPLACE FUNCTION fc_audit_row() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    "create a table": "CREATE TABLE audit_changesets_shadow (seq bigint)",
    "create a function": "CREATE FUNCTION fc_audit_shadow() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
    "take over a table": "ALTER TABLE audit_changes OWNER TO CURRENT_USER",
    "reset a sequence": "SELECT setval('audit_changes_id_seq', 1)",
    "seal a changeset that was never opened": f"SELECT fc_audit_seal(1000000, {SEAL_ARGUMENTS})",
}


@pytest.mark.parametrize("attempt", list(REFUSED))
def test_the_app_role_is_refused(role: str, committed_engine: Engine, attempt: str) -> None:
    error = refusal(committed_engine, REFUSED[attempt])
    assert sqlstate(error) == INSUFFICIENT_PRIVILEGE, error
    # Refused for want of a right, not by the triggers the owner could drop.
    assert any(cause in str(error.orig) for cause in PERMISSION_ERRORS), error


def test_the_app_role_cannot_truncate_any_table(role: str, committed_engine: Engine) -> None:
    with committed_engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    assert "audit_changes" in tables
    for table in tables:
        error = refusal(committed_engine, f'TRUNCATE "{table}" CASCADE')
        assert sqlstate(error) == INSUFFICIENT_PRIVILEGE, (table, error)
        assert "permission denied" in str(error.orig), (table, error)


def test_the_app_role_cannot_seal_another_changeset_than_the_open_one(
    role: str, committed_engine: Engine
) -> None:
    with committed_engine.connect() as connection:
        opened = connection.execute(text("SELECT head_seq FROM fc_audit_open(:key)"), {"key": CHAIN_LOCK_KEY})
        next_seq = (opened.scalar_one() or 0) + 1
        with pytest.raises(DBAPIError) as raised:
            connection.exec_driver_sql(f"SELECT fc_audit_seal({next_seq + 1}, {SEAL_ARGUMENTS})")
        connection.rollback()
    assert sqlstate(raised.value) == INSUFFICIENT_PRIVILEGE
    assert "not the one open" in str(raised.value.orig)


# --- the grants themselves -------------------------------------------------------------


def granted(connection: Connection, role: str) -> dict[str, set[str]]:
    """Table -> what ``role`` may do with it (directly, through PUBLIC or a membership)."""
    rows = connection.execute(
        text(
            "SELECT c.relname, p.privilege FROM pg_class c CROSS JOIN unnest(CAST(:privileges AS text[])) "
            "AS p(privilege) WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v') "
            "AND has_table_privilege(:role, c.oid, p.privilege)"
        ),
        {"role": role, "privileges": list(TABLE_PRIVILEGES)},
    )
    found: dict[str, set[str]] = {}
    for table, privilege in rows:
        found.setdefault(table, set()).add(privilege)
    return found


def expected_grants(connection: Connection) -> dict[str, set[str]]:
    return {
        table: set(privileges.split(", "))
        for table, privileges in roles.table_privileges(inspect(connection).get_table_names()).items()
    }


@pytest.fixture
def fresh_database(role: str, copy_of_migrated: Callable[[], str]) -> Iterator[Engine]:
    """A database of its own at head, as its owner, with the app's role granted once."""
    url = copy_of_migrated()
    grant_app_role(url, role)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_the_app_role_gets_exactly_its_grants_again_and_again(role: str, fresh_database: Engine) -> None:
    with fresh_database.begin() as connection:
        # Too much, given by hand; the next run takes it back.
        connection.exec_driver_sql(f"GRANT ALL ON audit_changes, tags TO {role}")
        connection.exec_driver_sql(f"GRANT CREATE ON SCHEMA public TO {role}")
        roles.grant_app_role(connection, role)
    with fresh_database.connect() as connection:
        assert granted(connection, role) == expected_grants(connection)
        assert granted(connection, role)["audit_changesets"] == {"SELECT"}
        assert granted(connection, role)["security_events"] == {"SELECT", "INSERT"}
        assert "audit_context" not in granted(connection, role)
        may = connection.execute(
            text(
                "SELECT has_schema_privilege(:role, current_schema(), 'USAGE'), "
                "has_schema_privilege(:role, current_schema(), 'CREATE'), "
                "has_function_privilege(:role, 'fc_audit_open(bigint)', 'EXECUTE'), "
                "has_function_privilege(:role, 'fc_audit_row()', 'EXECUTE'), "
                "has_sequence_privilege(:role, 'tags_id_seq', 'USAGE'), "
                "has_sequence_privilege(:role, 'audit_changes_id_seq', 'USAGE')"
            ),
            {"role": role},
        ).one()
        assert tuple(may) == (True, False, True, False, True, False)
        # Nobody else may create in the schema either.
        public_create = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_namespace, aclexplode(nspacl) AS a "
            "WHERE nspname = current_schema() AND a.grantee = 0 AND a.privilege_type = 'CREATE'"
        ).scalar_one()
        assert public_create == 0


def test_the_app_role_is_no_superuser_owner_or_member_of_the_owner(role: str, owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        attributes = connection.execute(
            text(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolinherit, "
                "pg_has_role(oid, current_user, 'MEMBER') FROM pg_roles WHERE rolname = :role"
            ),
            {"role": role},
        ).one()
        assert tuple(attributes) == (False, False, False, False, False)
        assert roles.owned_by(connection, role) == []


def test_tables_made_by_later_migrations_are_covered(role: str, empty_database: str) -> None:
    engine = make_engine(empty_database)
    try:
        migrate.upgrade(engine, app_role=role)
        with engine.begin() as connection:
            assert granted(connection, role) == expected_grants(connection)
            # A table of a migration yet to come, made by the owner: the working tables' rights.
            connection.exec_driver_sql("CREATE TABLE later_feature (id serial PRIMARY KEY)")
            assert granted(connection, role)["later_feature"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
            connection.exec_driver_sql("DROP TABLE later_feature")
    finally:
        engine.dispose()


# --- the command ---------------------------------------------------------------------


def test_the_command_grants_the_role(
    role: str, make_real_app: Callable[..., Flask], committed_database: str
) -> None:
    result = make_real_app(committed_database).test_cli_runner().invoke(args=["db", "grant-app-role", role])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{role}: SELECT on 3 tables; ")
    assert "EXECUTE on fc_audit_open, fc_audit_seal; nothing else" in result.output


def test_the_command_refuses_a_role_that_does_not_exist(
    role: str, make_real_app: Callable[..., Flask], committed_database: str
) -> None:
    result = (
        make_real_app(committed_database)
        .test_cli_runner()
        .invoke(args=["db", "grant-app-role", "nobody_here"])
    )
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: no database role named nobody_here: create it first (docs/audit.md, PostgreSQL roles)"
    )


def test_the_command_refuses_the_role_running_it(
    role: str, make_real_app: Callable[..., Flask], committed_database: str
) -> None:
    owner = make_url(committed_database).username or ""
    result = make_real_app(committed_database).test_cli_runner().invoke(args=["db", "grant-app-role", owner])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {owner} is the role running this command (the owner); the app needs a role of its own"
    )
    # Nor can the app's role grant itself anything.
    result = (
        make_real_app(as_role(committed_database, role))
        .test_cli_runner()
        .invoke(args=["db", "grant-app-role", role])
    )
    assert result.exit_code == 1
    assert "is the role running this command" in result.output


def test_the_command_refuses_on_sqlite(real_app: Flask) -> None:
    if get_database(real_app).engine.dialect.name != "sqlite":
        pytest.skip("the SQLite refusal")
    result = real_app.test_cli_runner().invoke(args=["db", "grant-app-role", "factcheck_app"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: database roles exist on PostgreSQL only; on SQLite there is nothing to grant"
    )
