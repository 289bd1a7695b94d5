"""Common passwords are refused everywhere a password is chosen; an admin can force a reset."""

from __future__ import annotations

from sqlalchemy import select

from factcheck.accounts.models import Role, User
from tests.accounts.helpers import login_sessions, stored_user
from tests.conftest import PASSWORD
from tests.helpers import audit_rows, field_error, text

COMMON = "This password is one of the most common ones and easy to guess; choose another."
NEW_PASSWORD = "a new and long passphrase"


def test_the_cli_refuses_a_common_password_in_one_line(runner, db_session):
    result = runner.invoke(
        args=["users", "create", "ed@example.org", "--name", "Ed", "--role", "editor", "--password-stdin"],
        input="Password123\n",
    )

    assert result.exit_code != 0
    assert COMMON in result.output
    assert "Traceback" not in result.output
    assert db_session.scalar(select(User).where(User.email == "ed@example.org")) is None


def test_the_admin_form_refuses_a_common_password(client, login_as):
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Ed",
            "email": "ed@example.org",
            "role": "editor",
            "password": "qwertyuiop",
            "confirm": "qwertyuiop",
        },
    )
    assert response.status_code == 422
    assert field_error(response, "password") == COMMON


def test_changing_to_a_common_password_is_refused(client, login_as, db_session):
    user = login_as(Role.REVIEWER)
    response = client.post(
        "/account", data={"current_password": PASSWORD, "password": "1234567890", "confirm": "1234567890"}
    )
    assert response.status_code == 422
    assert field_error(response, "password") == COMMON
    assert stored_user(db_session, user).password_hash == user.password_hash


def force_reset(client, user) -> None:
    response = client.post(
        f"/admin/users/{user.id}", data={"role": user.role.value, "require_new_password": "y"}
    )
    assert response.status_code == 302, text(response)


def test_an_admin_forced_reset_ends_sessions_and_comes_before_anything_else(
    app, client, login_as, make_user, db_session
):
    person = make_user(Role.EDITOR)
    elsewhere = app.test_client()
    assert elsewhere.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    admin = login_as(Role.ADMIN)

    force_reset(client, person)

    assert stored_user(db_session, person).must_change_password is True
    assert all(record.ended_at is not None for record in login_sessions(db_session, person))
    # Audited: the change to the user, by the admin.
    changeset, change = audit_rows(db_session, "users")[-1]
    assert change.changes["must_change_password"] == [False, True]
    assert changeset.actor_id == admin.id

    # Signing in again: every desk page sends the person to choose a new password first.
    assert elsewhere.get("/claims/").status_code == 302  # the old session is gone
    assert elsewhere.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    for url in ("/", "/claims/", "/exports/"):
        response = elsewhere.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/account")
    page = elsewhere.get("/account", follow_redirects=True)
    assert "choose a new password" in text(page)

    changed = elsewhere.post(
        "/account", data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert changed.status_code == 302
    assert stored_user(db_session, person).must_change_password is False
    assert elsewhere.get("/claims/").status_code == 200


def test_a_forced_reset_shows_on_the_admin_page(client, login_as, make_user):
    person = make_user(Role.REVIEWER)
    login_as(Role.ADMIN)
    force_reset(client, person)
    page = text(client.get(f"/admin/users/{person.id}"))
    assert "must set a new password at their next sign-in" in page
