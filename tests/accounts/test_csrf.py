"""CSRF protection of the account forms, with the protection switched on."""

from __future__ import annotations

import pytest

from factcheck.accounts.models import Role
from tests.accounts.helpers import login_sessions, session_cookie
from tests.conftest import PASSWORD
from tests.helpers import csrf_token, text


@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def sign_in(client, email: str):
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return response


def test_login_without_token_is_refused(csrf_client, make_user, db_session):
    user = make_user()
    csrf_client.get("/login")

    response = csrf_client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 403
    assert "did not come from this site; nothing was changed. Reload the page" in text(response)
    assert login_sessions(db_session, user) == []
    assert csrf_client.get("/account").status_code == 302


def test_login_with_a_token_from_another_browser_is_refused(make_app, make_user, db_session):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = make_user()
    token = csrf_token(app.test_client().get("/login"))
    victim = app.test_client()
    victim.get("/login")

    response = victim.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})

    assert response.status_code == 403
    assert login_sessions(db_session, user) == []


def test_login_with_the_token_from_the_form_works(csrf_client, make_user, db_session):
    user = make_user()
    before = session_cookie(csrf_client)

    sign_in(csrf_client, user.email)

    assert session_cookie(csrf_client) != before
    assert len(login_sessions(db_session, user)) == 1
    assert csrf_client.get("/account").status_code == 200


def test_logout_without_token_is_refused(csrf_client, make_user, db_session):
    user = make_user()
    sign_in(csrf_client, user.email)

    response = csrf_client.post("/logout")

    assert response.status_code == 403
    [record] = login_sessions(db_session, user)
    assert record.ended_at is None
    assert csrf_client.get("/account").status_code == 200


def test_logout_with_the_token_from_the_page_works(csrf_client, make_user, db_session):
    user = make_user()
    sign_in(csrf_client, user.email)
    token = csrf_token(csrf_client.get("/account"))

    response = csrf_client.post("/logout", data={"csrf_token": token})

    assert response.status_code == 302
    [record] = login_sessions(db_session, user)
    assert record.ended_at is not None


def test_token_from_before_login_does_not_survive_it(csrf_client, make_user, db_session):
    user = make_user()
    old_token = csrf_token(csrf_client.get("/login"))
    csrf_client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": old_token})

    assert csrf_client.post("/logout", data={"csrf_token": old_token}).status_code == 403
    [record] = login_sessions(db_session, user)
    assert record.ended_at is None


def test_admin_form_needs_a_token(make_app, make_user, db_session):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    admin = make_user(Role.ADMIN)
    reviewer = make_user(Role.REVIEWER)
    sign_in(client, admin.email)

    refused = client.post(f"/admin/users/{reviewer.id}", data={"role": "admin"})
    assert refused.status_code == 403
    db_session.expire_all()
    assert reviewer.role == Role.REVIEWER

    token = csrf_token(client.get(f"/admin/users/{reviewer.id}"))
    accepted = client.post(f"/admin/users/{reviewer.id}", data={"role": "admin", "csrf_token": token})
    assert accepted.status_code == 302
    db_session.expire_all()
    assert reviewer.role == Role.ADMIN
