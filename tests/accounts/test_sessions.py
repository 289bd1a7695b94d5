"""Login sessions: a fresh cookie at sign-in, a dead cookie after sign-out,
and access that follows the account's current state on every request."""

from __future__ import annotations

from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role
from tests.accounts.helpers import SESSION_COOKIE, login_sessions, session_cookie
from tests.conftest import PASSWORD
from tests.helpers import text


def redirects_to_login(response) -> bool:
    return response.status_code == 302 and response.location.startswith("/login")


def test_login_replaces_the_session_cookie_and_drops_what_it_held(client, auth, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = session_cookie(client)
    assert before

    assert auth.login(user.email).status_code == 302

    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        # The cookie names the login session by a random token, not by the user's id.
        assert session["_user_id"] != str(user.id)


def test_each_login_gets_its_own_session(app, make_user, db_session):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert session_cookie(first) != session_cookie(second)

    assert first.post("/logout").status_code == 302

    ended, still_open = login_sessions(db_session, user)
    assert ended.ended_at is not None
    assert still_open.ended_at is None
    assert redirects_to_login(first.get("/account"))
    assert second.get("/account").status_code == 200


def test_logout_ends_the_login_session(client, auth, login_as, db_session):
    user = login_as(Role.REVIEWER)

    response = auth.logout()

    assert response.status_code == 302
    assert response.location == "/login"
    [record] = login_sessions(db_session, user)
    assert record.ended_at is not None
    assert "You are signed out." in text(client.get("/login"))
    assert redirects_to_login(client.get("/account"))


def test_cookie_replayed_after_logout_is_rejected(app, client, auth, login_as):
    login_as(Role.ADMIN)
    stolen = session_cookie(client)
    assert client.get("/admin/users/").status_code == 200

    assert auth.logout().status_code == 302

    # On another browser...
    attacker = app.test_client()
    attacker.set_cookie(SESSION_COOKIE, stolen)
    response = attacker.get("/admin/users/")
    assert response.status_code == 302
    assert response.location == "/login?next=/admin/users/"
    # ...and on the same one.
    client.set_cookie(SESSION_COOKIE, stolen)
    assert redirects_to_login(client.get("/account"))
    assert redirects_to_login(client.post("/logout"))


def test_cookie_copied_while_signed_in_works_until_logout(app, client, auth, login_as):
    login_as(Role.REVIEWER)
    copy = app.test_client()
    copy.set_cookie(SESSION_COOKIE, session_cookie(client))
    assert copy.get("/account").status_code == 200

    auth.logout()

    assert redirects_to_login(copy.get("/account"))


def test_logout_by_get_is_not_allowed(client, login_as, db_session):
    user = login_as(Role.REVIEWER)
    assert client.get("/logout").status_code == 405
    [record] = login_sessions(db_session, user)
    assert record.ended_at is None
    assert client.get("/account").status_code == 200


def test_logout_when_signed_out_goes_to_login(client):
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.location == "/login"


def test_tampered_session_cookie_is_ignored(client, login_as):
    login_as(Role.REVIEWER)
    value = session_cookie(client)
    client.set_cookie(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert redirects_to_login(client.get("/account"))


# --- the account changes while someone is signed in --------------------------


def test_disabled_user_is_signed_out_on_the_next_request(client, login_as, db_session):
    user = login_as(Role.EDITOR)
    assert client.get("/account").status_code == 200

    accounts.set_disabled(db_session, user, True)
    db_session.commit()

    response = client.get("/account")
    assert response.status_code == 302
    assert response.location == "/login?next=/account"
    assert all(record.ended_at is not None for record in login_sessions(db_session, user))


def test_disabled_user_is_refused_even_if_the_session_row_was_left_open(client, login_as, db_session):
    user = login_as(Role.REVIEWER)
    user.is_disabled = True  # straight to the column: no sessions are ended
    db_session.commit()
    [record] = login_sessions(db_session, user)
    assert record.ended_at is None

    assert redirects_to_login(client.get("/account"))


def test_reenabling_a_user_does_not_revive_their_old_sessions(client, login_as, db_session):
    user = login_as(Role.REVIEWER)
    accounts.set_disabled(db_session, user, True)
    db_session.commit()
    accounts.set_disabled(db_session, user, False)
    db_session.commit()

    assert redirects_to_login(client.get("/account"))


def test_demoted_admin_loses_admin_pages_on_the_next_request(client, login_as, make_user, db_session):
    user = login_as(Role.ADMIN)
    make_user(Role.ADMIN)  # so the demotion is allowed
    assert client.get("/admin/users/").status_code == 200

    accounts.set_role(db_session, user, Role.REVIEWER)
    db_session.commit()

    assert client.get("/admin/users/").status_code == 403
    assert client.get("/admin/users/new").status_code == 403
    # Still signed in, with what a reviewer may do.
    account = client.get("/account")
    assert account.status_code == 200
    assert "Reviewer" in text(account)
    assert "/admin/users/" not in text(account)


def test_promoted_reviewer_gains_admin_pages_on_the_next_request(client, login_as, make_user, db_session):
    user = login_as(Role.REVIEWER)
    assert client.get("/admin/users/").status_code == 403

    accounts.set_role(db_session, user, Role.ADMIN)
    db_session.commit()

    assert client.get("/admin/users/").status_code == 200


def test_security_headers_on_account_pages(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_samesite(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email)
    set_cookie = response.headers["Set-Cookie"]
    assert set_cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie
