"""Cross-site requests are refused by where they come from (issue 13, item 5).

The attack: a page on another site posts ``role=admin`` to ``/admin/users/N`` without a token;
the admin's browser adds the cookie. It used to get the "Please submit again" page carrying the
forged fields and a fresh token: one click made the user an admin.
"""

from __future__ import annotations

import pytest

from factcheck.accounts.models import Role
from factcheck.security.models import SecurityEvent, SecurityEventKind
from tests.accounts.helpers import stored_user
from tests.conftest import PASSWORD
from tests.helpers import csrf_token, text

EVIL = "https://evil.example"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def signed_in(app, user):
    client = app.test_client()
    token = csrf_token(client.get("/login"))
    assert (
        client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    return client


def assert_no_resubmit(response) -> None:
    page = text(response)
    assert "Please submit again" not in page
    assert "csrf_token" not in page
    assert 'value="admin"' not in page


def test_the_forged_role_change_of_the_attack_test_is_refused_without_a_resubmit_page(
    csrf_app, make_user, db_session
):
    admin, victim = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    browser = signed_in(csrf_app, admin)

    forged = browser.post(
        f"/admin/users/{victim.id}",
        data={"role": "admin"},
        headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site", "User-Agent": FIREFOX},
    )

    assert forged.status_code == 403
    assert "sent from another site" in text(forged)
    assert_no_resubmit(forged)
    assert stored_user(db_session, victim).role == Role.REVIEWER
    refusal = db_session.query(SecurityEvent).filter_by(kind=SecurityEventKind.PERMISSION_DENIED).one()
    assert refusal.detail == {"permission": "cross-site request"}


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Referer": EVIL + "/innocent-page"},
        {"Origin": "http://localhost.evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"},
        # A browser that hides where the form came from (every current browser sends Origin on POST).
        {"User-Agent": FIREFOX},
    ],
)
def test_a_valid_token_does_not_make_a_cross_site_request_acceptable(
    csrf_app, make_user, db_session, headers
):
    admin, victim = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    browser = signed_in(csrf_app, admin)
    token = csrf_token(browser.get(f"/admin/users/{victim.id}"))

    response = browser.post(
        f"/admin/users/{victim.id}", data={"role": "admin", "csrf_token": token}, headers=headers
    )

    assert response.status_code == 403
    assert stored_user(db_session, victim).role == Role.REVIEWER


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost", "User-Agent": FIREFOX},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost", "User-Agent": FIREFOX},
        {"Referer": "http://localhost/admin/users/", "User-Agent": FIREFOX},
        {},  # a script: the token is what protects it
    ],
)
def test_same_origin_requests_with_a_token_pass(csrf_app, make_user, db_session, headers):
    admin, colleague = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    browser = signed_in(csrf_app, admin)
    token = csrf_token(browser.get(f"/admin/users/{colleague.id}"))

    response = browser.post(
        f"/admin/users/{colleague.id}", data={"role": "editor", "csrf_token": token}, headers=headers
    )

    assert response.status_code == 302
    assert stored_user(db_session, colleague).role == Role.EDITOR


def test_the_public_address_counts_as_this_site(make_app, make_user, db_session):
    app = make_app(WTF_CSRF_ENABLED=True, PUBLIC_URL="https://factcheck.example.org")
    admin, colleague = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    browser = signed_in(app, admin)
    token = csrf_token(browser.get(f"/admin/users/{colleague.id}"))

    response = browser.post(
        f"/admin/users/{colleague.id}",
        data={"role": "editor", "csrf_token": token},
        headers={"Origin": "https://factcheck.example.org"},
    )

    assert response.status_code == 302


def test_an_expired_admin_form_from_this_site_asks_to_reload_not_to_resubmit(csrf_app, make_user, db_session):
    admin, victim = make_user(Role.ADMIN), make_user(Role.REVIEWER)
    browser = signed_in(csrf_app, admin)

    response = browser.post(
        f"/admin/users/{victim.id}",
        data={"role": "admin", "csrf_token": "an-expired-or-bad-token"},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 403
    assert "Reload the page" in text(response)
    assert_no_resubmit(response)
    assert stored_user(db_session, victim).role == Role.REVIEWER


def test_a_desk_form_of_unknown_origin_gets_no_resubmit_page(csrf_app, make_user, db_session):
    editor = make_user(Role.EDITOR)
    browser = signed_in(csrf_app, editor)

    response = browser.post("/claims/capture", data={"text": "Forged claim text", "claimant": "X"})

    assert response.status_code == 400
    assert "Please submit again" not in text(response)
    assert "Forged claim text" not in text(response)


def test_the_token_api_is_not_checked_for_origin_but_a_cookie_request_there_is(csrf_app, make_user):
    # Without the session cookie (bearer tokens): the origin check stays out of the way.
    anonymous = csrf_app.test_client()
    assert anonymous.post("/api/v1/claims", json={}, headers={"Origin": EVIL}).status_code != 403

    browser = signed_in(csrf_app, make_user(Role.EDITOR))
    assert browser.post("/api/v1/claims", json={}, headers={"Origin": EVIL}).status_code == 403
