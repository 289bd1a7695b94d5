"""Signing in: where it leads, what it records, and who is turned away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from factcheck.accounts.models import Role
from factcheck.db import utcnow
from tests.accounts.helpers import login_sessions, stored_user
from tests.conftest import PASSWORD
from tests.helpers import field_error, text

LOGIN_ERROR = "Wrong email or password, or the account is disabled."


def assert_signed_out(client) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_login_page_renders_the_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = text(response)
    assert 'name="email"' in page
    assert 'name="password"' in page
    assert 'autocomplete="current-password"' in page


def test_login_redirects_home_records_the_login_and_signs_in(client, auth, make_user, db_session):
    user = make_user(Role.REVIEWER)
    assert user.last_login_at is None
    before = utcnow()

    response = auth.login(user.email)

    assert response.status_code == 302
    assert response.location == "/"
    assert stored_user(db_session, user).last_login_at is not None
    assert before <= stored_user(db_session, user).last_login_at <= utcnow()
    [record] = login_sessions(db_session, user)
    assert record.ended_at is None
    assert record.ip_address == "127.0.0.1"
    assert record.user_agent and record.user_agent.startswith("Werkzeug")
    assert record.expires_at - record.created_at == timedelta(hours=12)

    home = client.get("/")
    assert f"Signed in as {user.name}." in text(home)
    account = client.get("/account")
    assert account.status_code == 200
    assert user.email in text(account)


def test_login_session_length_follows_config(make_app, make_user, db_session):
    client = make_app(LOGIN_SESSION_HOURS=2).test_client()
    user = make_user()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    [record] = login_sessions(db_session, user)
    assert record.expires_at - record.created_at == timedelta(hours=2)


@pytest.mark.parametrize("target", ["/account", "/admin/users/?sort=name", "/claims/42#rating"])
def test_login_follows_a_safe_next(client, auth, make_user, target):
    user = make_user()
    response = auth.login(user.email, query_string={"next": target})
    assert response.status_code == 302
    assert response.location == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "https://evil.example/login",
        "//evil.example",
        "//evil.example/account",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "/\t/evil.example",
        " //evil.example",
        "http:/evil.example",
        "",
    ],
)
def test_login_ignores_an_unsafe_next(client, auth, make_user, target):
    user = make_user()
    response = auth.login(user.email, query_string={"next": target})
    assert response.status_code == 302
    assert response.location == "/"


def test_signed_in_visit_to_login_goes_on_to_a_safe_next_only(client, login_as):
    login_as(Role.REVIEWER)
    assert client.get("/login").location == "/"
    assert client.get("/login", query_string={"next": "/account"}).location == "/account"
    assert client.get("/login", query_string={"next": "//evil.example"}).location == "/"


def test_protected_page_sends_visitor_to_login_and_back(client, make_user):
    user = make_user()
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location == "/login?next=/account"

    assert client.get(response.location).status_code == 200
    response = client.post(response.location, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/account"


def test_wrong_password_and_unknown_email_look_the_same(client, auth, make_user, db_session):
    user = make_user()

    wrong_password = auth.login(user.email, "not the password at all")
    unknown_email = auth.login("nobody@example.org", PASSWORD)

    assert wrong_password.status_code == unknown_email.status_code == 422
    assert field_error(wrong_password, "password") == field_error(unknown_email, "password") == LOGIN_ERROR
    assert field_error(wrong_password, "email") is None
    assert field_error(unknown_email, "email") is None
    assert login_sessions(db_session, user) == []
    assert stored_user(db_session, user).last_login_at is None
    assert_signed_out(client)


def test_failed_login_keeps_the_email_but_never_echoes_the_password(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email, "my secret typo password")
    assert response.status_code == 422
    page = text(response)
    assert f'value="{user.email}"' in page
    assert "my secret typo password" not in page


def test_disabled_user_cannot_sign_in(client, auth, make_user, db_session):
    user = make_user(disabled=True)
    response = auth.login(user.email)
    assert response.status_code == 422
    assert field_error(response, "password") == LOGIN_ERROR
    assert login_sessions(db_session, user) == []
    assert_signed_out(client)


@pytest.mark.parametrize(
    "typed", ["Reviewer.Case@Example.ORG", "  reviewer.case@example.org  ", "REVIEWER.CASE@EXAMPLE.ORG"]
)
def test_email_is_case_insensitive_and_trimmed(client, auth, make_user, db_session, typed):
    user = make_user(email="reviewer.case@example.org")
    response = auth.login(typed)
    assert response.status_code == 302
    assert len(login_sessions(db_session, user)) == 1


def test_password_is_case_sensitive_and_not_trimmed(client, auth, make_user):
    user = make_user()
    assert auth.login(user.email, PASSWORD.upper()).status_code == 422
    assert auth.login(user.email, f" {PASSWORD} ").status_code == 422
    assert auth.login(user.email, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "", "password": PASSWORD}, "email"),
        ({"email": "a@example.org", "password": ""}, "password"),
    ],
)
def test_missing_fields_are_reported_next_to_them(client, data, field):
    response = client.post("/login", data=data)
    assert response.status_code == 422
    assert field_error(response, field) == "This field is required."


def test_expired_login_session_is_refused(client, login_as, db_session):
    user = login_as(Role.REVIEWER)
    [record] = login_sessions(db_session, user)
    record.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()

    response = client.get("/account")
    assert response.status_code == 302
    assert response.location == "/login?next=/account"


def test_login_upgrades_an_outdated_password_hash(client, auth, make_user, db_session):
    user = make_user()
    old_hash = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1).hash(PASSWORD)
    user.password_hash = old_hash
    db_session.commit()

    assert auth.login(user.email).status_code == 302

    new_hash = stored_user(db_session, user).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$")
    auth.logout()
    assert auth.login(user.email).status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "x\x00y@example.org", "password": PASSWORD}, "email"),
        ({"email": "\x00", "password": PASSWORD}, "email"),
        ({"email": "someone@example.org", "password": "pass\x00word"}, "password"),
    ],
)
def test_nul_characters_are_a_form_error_not_a_crash(client, data, field):
    # PostgreSQL cannot store or compare text holding NUL; the form refuses it first.
    response = client.post("/login", data=data)
    assert response.status_code == 422
    assert field_error(response, field) == "This contains a character that is not allowed."
