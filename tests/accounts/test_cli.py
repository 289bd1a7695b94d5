"""The ``users`` commands: what they print, how they fail, what they store."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from factcheck.accounts.models import Role, User
from tests.accounts.helpers import login_sessions, stored_user

NEW_PASSWORD = "a long enough password"


def find(db_session, email: str) -> User | None:
    db_session.expire_all()
    return db_session.scalar(select(User).where(User.email == email))


def user_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(User))


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("Error")]


# --- users create ----------------------------------------------------------------


def test_create_with_password_on_stdin(runner, db_session):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Ed.Itor@Example.org",
            "--name",
            "Ed Itor",
            "--role",
            "editor",
            "--password-stdin",
        ],
        input=f"{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "created ed.itor@example.org (editor)"
    user = find(db_session, "ed.itor@example.org")
    assert user is not None
    assert user.name == "Ed Itor"
    assert user.role == Role.EDITOR
    assert user.is_disabled is False
    assert user.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(user.password_hash, NEW_PASSWORD)


def test_create_with_password_prompt(runner, db_session):
    result = runner.invoke(
        args=["users", "create", "rita@example.org", "--name", "Rita Reviewer"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert NEW_PASSWORD not in result.output
    assert "created rita@example.org (reviewer)" in result.output
    user = find(db_session, "rita@example.org")
    assert user is not None
    assert user.role == Role.REVIEWER  # the default
    assert PasswordHasher().verify(user.password_hash, NEW_PASSWORD)


def test_created_user_can_sign_in(runner, client):
    runner.invoke(
        args=["users", "create", "new@example.org", "--name", "New", "--role", "ADMIN", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )
    assert (
        client.post("/login", data={"email": "new@example.org", "password": NEW_PASSWORD}).status_code == 302
    )
    assert client.get("/admin/users/").status_code == 200


def test_create_with_unknown_role_fails_before_asking_for_a_password(runner, db_session):
    before = user_count(db_session)
    result = runner.invoke(
        args=["users", "create", "x@example.org", "--name", "X", "--role", "boss"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 2
    assert error_lines(result) == [
        "Error: Invalid value for '--role': Unknown role 'boss'; choose one of reviewer, editor, admin."
    ]
    assert "Password" not in result.output
    assert "Traceback" not in result.output
    assert user_count(db_session) == before


def test_create_duplicate_email_fails_with_one_line(runner, make_user, db_session):
    existing = make_user(Role.REVIEWER, email="taken@example.org")
    before = user_count(db_session)

    result = runner.invoke(
        args=[
            "users",
            "create",
            "TAKEN@example.org",
            "--name",
            "Someone Else",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=f"{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 1
    assert result.output.strip() == "Error: A user with the email taken@example.org already exists."
    assert user_count(db_session) == before
    stored = stored_user(db_session, existing)
    assert stored.name != "Someone Else"
    assert stored.role == Role.REVIEWER


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("weak@example.org", "short", "Error: Use at least 10 characters."),
        ("not-an-email", NEW_PASSWORD, "Error: Not a valid email address"),
    ],
)
def test_create_refuses_bad_input(runner, db_session, email, password, message):
    before = user_count(db_session)
    result = runner.invoke(
        args=["users", "create", email, "--name", "Someone", "--password-stdin"], input=f"{password}\n"
    )
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(message)
    assert user_count(db_session) == before


def test_create_with_empty_stdin_fails(runner, db_session):
    before = user_count(db_session)
    result = runner.invoke(
        args=["users", "create", "empty@example.org", "--name", "Empty", "--password-stdin"], input=""
    )
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no password on standard input"
    assert user_count(db_session) == before


def test_create_needs_a_name(runner, db_session):
    before = user_count(db_session)
    result = runner.invoke(args=["users", "create", "noname@example.org", "--password-stdin"], input="x\n")
    assert result.exit_code == 2
    assert error_lines(result) == ["Error: Missing option '--name'."]
    assert user_count(db_session) == before


# --- users set-role ------------------------------------------------------------------


def test_set_role(runner, make_user, db_session):
    user = make_user(Role.REVIEWER, email="promote@example.org")

    result = runner.invoke(args=["users", "set-role", "Promote@Example.org", "editor"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Promote@Example.org: role is now editor"
    assert stored_user(db_session, user).role == Role.EDITOR


def test_set_role_takes_effect_for_a_signed_in_user(runner, client, login_as):
    user = login_as(Role.REVIEWER)
    assert client.get("/admin/users/").status_code == 403
    assert runner.invoke(args=["users", "set-role", user.email, "admin"]).exit_code == 0
    assert client.get("/admin/users/").status_code == 200


def test_set_role_unknown_role(runner, make_user, db_session):
    user = make_user(Role.REVIEWER)
    result = runner.invoke(args=["users", "set-role", user.email, "overlord"])
    assert result.exit_code == 2
    assert error_lines(result) == [
        "Error: Invalid value for 'ROLE': Unknown role 'overlord'; choose one of reviewer, editor, admin."
    ]
    assert stored_user(db_session, user).role == Role.REVIEWER


def test_set_role_unknown_email(runner):
    result = runner.invoke(args=["users", "set-role", "ghost@example.org", "admin"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no user with the email ghost@example.org"


def test_set_role_refuses_to_demote_the_last_admin(runner, make_user, db_session):
    admin = make_user(Role.ADMIN)
    result = runner.invoke(args=["users", "set-role", admin.email, "editor"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: This is the last active admin; make someone else an admin first."
    assert stored_user(db_session, admin).role == Role.ADMIN


def test_set_role_demotes_an_admin_when_another_remains(runner, make_user, db_session):
    first, _second = make_user(Role.ADMIN), make_user(Role.ADMIN)
    assert runner.invoke(args=["users", "set-role", first.email, "reviewer"]).exit_code == 0
    assert stored_user(db_session, first).role == Role.REVIEWER


def test_disabled_admins_do_not_count_as_remaining_admins(runner, make_user, db_session):
    admin = make_user(Role.ADMIN)
    make_user(Role.ADMIN, disabled=True)
    result = runner.invoke(args=["users", "set-role", admin.email, "reviewer"])
    assert result.exit_code == 1
    assert stored_user(db_session, admin).role == Role.ADMIN


# --- users disable -------------------------------------------------------------------


def test_disable_and_enable(runner, app, make_user, db_session):
    user = make_user(Role.EDITOR, email="leaver@example.org")
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert browser.get("/account").status_code == 200

    result = runner.invoke(args=["users", "disable", "leaver@example.org"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "leaver@example.org: disabled"
    assert stored_user(db_session, user).is_disabled is True
    assert all(record.ended_at is not None for record in login_sessions(db_session, user))
    assert browser.get("/account").status_code == 302

    result = runner.invoke(args=["users", "disable", "--enable", "leaver@example.org"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "leaver@example.org: enabled"
    assert stored_user(db_session, user).is_disabled is False
    assert (
        browser.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code
        == 302
    )


def test_disable_unknown_email(runner):
    result = runner.invoke(args=["users", "disable", "ghost@example.org"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no user with the email ghost@example.org"


def test_disable_refuses_the_last_admin(runner, make_user, db_session):
    admin = make_user(Role.ADMIN)
    result = runner.invoke(args=["users", "disable", admin.email])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: This is the last active admin; make someone else an admin first."
    assert stored_user(db_session, admin).is_disabled is False
