"""The signed-in user's own page: seeing the account and changing the password."""

from __future__ import annotations

from factcheck.accounts.models import Role
from tests.accounts.helpers import login_sessions, session_cookie
from tests.conftest import PASSWORD
from tests.helpers import field_error, text

NEW_PASSWORD = "a brand new passphrase"


def change(client, current: str = PASSWORD, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        "/account",
        data={
            "current_password": current,
            "password": password,
            "confirm": password if confirm is None else confirm,
        },
    )


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    assert response.status_code in (302, 422)
    return response.status_code == 302


def test_account_page_shows_who_you_are(client, login_as):
    user = login_as(Role.EDITOR)
    response = client.get("/account")
    assert response.status_code == 200
    page = text(response)
    assert user.name in page
    assert user.email in page
    assert "Editor" in page
    assert " UTC" in page  # the last sign-in, just now


def test_account_page_needs_a_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location == "/login?next=/account"
    assert client.post("/account", data={"current_password": PASSWORD}).location == "/login"


def test_change_password_needs_the_current_password(app, client, login_as, db_session):
    user = login_as(Role.REVIEWER)

    response = change(client, current="not my password")

    assert response.status_code == 422
    assert field_error(response, "current_password") == "This is not your current password."
    assert can_sign_in(app, user.email, PASSWORD)
    assert not can_sign_in(app, user.email, NEW_PASSWORD)
    assert client.get("/account").status_code == 200


def test_change_password(app, client, login_as, db_session):
    user = login_as(Role.REVIEWER)
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_browser.get("/account").status_code == 200
    cookie_before = session_cookie(client)

    response = change(client)

    assert response.status_code == 302
    assert response.location == "/account"
    page = text(client.get("/account"))
    assert "Your password is changed. Other sessions of your account were signed out." in page
    # This browser carries on with a fresh login; the other one is signed out.
    assert session_cookie(client) != cookie_before
    assert client.get("/account").status_code == 200
    assert other_browser.get("/account").status_code == 302
    records = login_sessions(db_session, user)
    assert len(records) == 3
    assert [record.ended_at is None for record in records] == [False, False, True]
    # Only the new password works now.
    assert not can_sign_in(app, user.email, PASSWORD)
    assert can_sign_in(app, user.email, NEW_PASSWORD)


def test_old_cookie_is_dead_after_a_password_change(app, client, login_as):
    login_as(Role.REVIEWER)
    old_cookie = session_cookie(client)
    assert change(client).status_code == 302

    replay = app.test_client()
    replay.set_cookie("factcheck_session", old_cookie)
    assert replay.get("/account").status_code == 302


def test_weak_new_password_is_refused(app, client, login_as, db_session):
    user = login_as(Role.REVIEWER)

    response = change(client, password="too short")

    assert response.status_code == 422
    assert field_error(response, "password") == "Use at least 10 characters."
    [record] = login_sessions(db_session, user)
    assert record.ended_at is None
    assert can_sign_in(app, user.email, PASSWORD)


def test_mismatched_confirmation_is_refused(app, client, login_as):
    user = login_as(Role.REVIEWER)
    response = change(client, confirm="another new passphrase")
    assert response.status_code == 422
    assert field_error(response, "confirm") == "The passwords differ."
    assert can_sign_in(app, user.email, PASSWORD)


def test_passwords_are_not_echoed_back(client, login_as):
    login_as(Role.REVIEWER)
    response = change(client, current="secret wrong guess")
    assert "secret wrong guess" not in text(response)
    assert NEW_PASSWORD not in text(response)
