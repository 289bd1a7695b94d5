"""Login throttling: failed attempts are limited per client address, per account from one
address, and per account from addresses the owner never signed in from.

All count only failed attempts. Tests that are about one limit send each attempt from a
different address (or for a different account) so the others stay out of the way.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.security.models import SecurityEvent, SecurityEventKind
from tests.accounts.helpers import login_sessions
from tests.conftest import PASSWORD
from tests.helpers import text

WRONG = "wrong password, wrong"


@pytest.fixture
def throttled_app(make_app):
    return make_app(LOGIN_THROTTLE="3 per minute", LOGIN_ACCOUNT_THROTTLE="3 per minute")


def attempt(client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip}
    )


def test_account_is_throttled_after_failed_attempts_even_from_new_addresses(
    throttled_app, make_user, db_session
):
    client = throttled_app.test_client()
    user = make_user()
    for number in range(3):
        assert attempt(client, user.email, WRONG, ip=f"10.0.1.{number}").status_code == 422

    response = attempt(client, user.email, PASSWORD, ip="10.0.1.99")

    assert response.status_code == 429
    assert "Too many attempts" in text(response)
    assert int(response.headers["Retry-After"]) > 0
    assert login_sessions(db_session, user) == []
    assert client.get("/account").status_code == 302


def test_account_throttle_ignores_the_case_of_the_email(throttled_app, make_user):
    client = throttled_app.test_client()
    make_user(email="casey@example.org")
    for number, typed in enumerate(["Casey@example.org", "CASEY@EXAMPLE.ORG", " casey@example.org "]):
        assert attempt(client, typed, WRONG, ip=f"10.0.2.{number}").status_code == 422
    assert attempt(client, "casey@example.org", PASSWORD, ip="10.0.2.99").status_code == 429


def test_throttled_account_does_not_block_other_accounts(throttled_app, make_user):
    client = throttled_app.test_client()
    victim, colleague = make_user(), make_user()
    for number in range(3):
        attempt(client, victim.email, WRONG, ip=f"10.0.3.{number}")
    assert attempt(client, victim.email, PASSWORD, ip="10.0.3.50").status_code == 429

    assert attempt(client, colleague.email, PASSWORD, ip="10.0.3.50").status_code == 302


def test_address_is_throttled_across_accounts(throttled_app, make_user):
    client = throttled_app.test_client()
    user = make_user()
    for number in range(3):
        assert attempt(client, f"guess{number}@example.org", WRONG, ip="10.0.4.1").status_code == 422

    # The same address may not try again, not even for an untouched account...
    assert attempt(client, user.email, PASSWORD, ip="10.0.4.1").status_code == 429
    # ...while that account signs in fine from elsewhere.
    assert attempt(client, user.email, PASSWORD, ip="10.0.4.2").status_code == 302


def test_attempts_below_the_limit_still_allow_the_right_password(throttled_app, make_user):
    client = throttled_app.test_client()
    user = make_user()
    for _ in range(2):
        assert attempt(client, user.email, WRONG).status_code == 422
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_successful_logins_do_not_count(throttled_app, make_user):
    client = throttled_app.test_client()
    user = make_user()
    for _ in range(4):
        assert attempt(client, user.email, PASSWORD).status_code == 302
        assert client.post("/logout").status_code == 302

    # Three failures still fit after four successes from the same address and account.
    for _ in range(3):
        assert attempt(client, user.email, WRONG).status_code == 422
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_incomplete_forms_do_not_count(throttled_app, make_user):
    client = throttled_app.test_client()
    user = make_user()
    for _ in range(4):
        assert attempt(client, user.email, "").status_code == 422
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_disabled_account_attempts_count_like_wrong_passwords(throttled_app, make_user):
    client = throttled_app.test_client()
    user = make_user(Role.EDITOR, disabled=True)
    for number in range(3):
        assert attempt(client, user.email, PASSWORD, ip=f"10.0.5.{number}").status_code == 422
    assert attempt(client, user.email, PASSWORD, ip="10.0.5.99").status_code == 429


def test_viewing_the_login_page_is_never_throttled(throttled_app):
    client = throttled_app.test_client()
    for _ in range(3):
        attempt(client, "someone@example.org", WRONG)
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200


def test_forwarded_for_header_is_not_trusted_by_default(throttled_app):
    client = throttled_app.test_client()
    for number in range(3):
        response = client.post(
            "/login",
            data={"email": f"guess{number}@example.org", "password": WRONG},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
        )
        assert response.status_code == 422
    response = client.post(
        "/login",
        data={"email": "guess9@example.org", "password": WRONG},
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_clients_are_told_apart(make_app, make_user, db_session):
    app = make_app(LOGIN_THROTTLE="3 per minute", LOGIN_ACCOUNT_THROTTLE="3 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    user = make_user()
    for number in range(3):
        client.post(
            "/login",
            data={"email": f"guess{number}@example.org", "password": WRONG},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
    blocked = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, headers={"X-Forwarded-For": "203.0.113.7"}
    )
    assert blocked.status_code == 429

    allowed = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.1"},
    )
    assert allowed.status_code == 302
    [record] = login_sessions(db_session, user)
    assert record.ip_address == "198.51.100.1"


# --- a stranger cannot lock the owner out (issue 13, item 4) ------------------------------


def sign_in_and_out(client, email: str, ip: str) -> None:
    assert attempt(client, email, PASSWORD, ip=ip).status_code == 302
    assert client.post("/logout", environ_base={"REMOTE_ADDR": ip}).status_code == 302


def test_a_strangers_failures_elsewhere_do_not_lock_the_owner_out(throttled_app, make_user, db_session):
    owner_client, stranger = throttled_app.test_client(), throttled_app.test_client()
    user = make_user()
    sign_in_and_out(owner_client, user.email, ip="192.0.2.10")  # the owner's office

    # The attack of the issue: wrong passwords for the owner's e-mail, from several addresses.
    for number in range(8):
        response = attempt(stranger, user.email, WRONG, ip=f"198.51.100.{number // 3}")
        assert response.status_code in (422, 429)

    # The owner, from the usual address, with the right password, gets in.
    response = attempt(owner_client, user.email, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302
    assert owner_client.get("/account", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200
    # The stranger, even with the right password, from an address the account never used, does not.
    assert attempt(stranger, user.email, PASSWORD, ip="198.51.100.77").status_code == 429


def test_one_address_guessing_one_account_is_stopped_while_the_owner_still_signs_in(throttled_app, make_user):
    client = throttled_app.test_client()
    user = make_user()
    sign_in_and_out(client, user.email, ip="192.0.2.20")
    attacker = throttled_app.test_client()
    for _ in range(3):
        assert attempt(attacker, user.email, WRONG, ip="203.0.113.5").status_code == 422

    assert attempt(attacker, user.email, PASSWORD, ip="203.0.113.5").status_code == 429
    assert attempt(client, user.email, PASSWORD, ip="192.0.2.20").status_code == 302


def test_the_owners_own_failures_from_the_usual_address_still_count(throttled_app, make_user):
    client = throttled_app.test_client()
    user = make_user()
    sign_in_and_out(client, user.email, ip="192.0.2.30")
    for _ in range(3):
        assert attempt(client, user.email, WRONG, ip="192.0.2.30").status_code == 422
    # A familiar address is spared only the account-wide limit, not the per-address ones.
    assert attempt(client, user.email, PASSWORD, ip="192.0.2.30").status_code == 429


def test_the_throttle_takes_several_limits_for_progressive_waits(make_app, make_user):
    # "2 per minute;3 per hour": the shortest window refuses first (the longer wait after more
    # failures is Flask-Limiter's own arithmetic, not repeated here).
    app = make_app(LOGIN_THROTTLE="2 per minute;3 per hour", LOGIN_ACCOUNT_THROTTLE="100 per hour")
    client = app.test_client()
    user = make_user()
    for _ in range(2):
        assert attempt(client, user.email, WRONG, ip="203.0.113.9").status_code == 422
    first = attempt(client, user.email, PASSWORD, ip="203.0.113.9")
    assert first.status_code == 429
    assert int(first.headers["Retry-After"]) <= 60


class FakeClock:
    """The rate limiter's clock (Flask-Limiter and its memory storage), moved by hand."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_the_waits_grow_with_the_failures(make_app, make_user, monkeypatch):
    import types

    clock = FakeClock()
    fake_time = types.SimpleNamespace(time=clock.time)
    monkeypatch.setattr("limits.storage.memory.time", fake_time)
    monkeypatch.setattr("flask_limiter._extension.time", fake_time)
    app = make_app(LOGIN_THROTTLE="2 per minute;3 per hour", LOGIN_ACCOUNT_THROTTLE="100 per hour")
    client = app.test_client()
    user = make_user()
    ip = "203.0.113.12"
    for _ in range(2):
        assert attempt(client, user.email, WRONG, ip=ip).status_code == 422
    first = attempt(client, user.email, PASSWORD, ip=ip)
    assert first.status_code == 429
    assert 0 < int(first.headers["Retry-After"]) <= 60

    # The short wait served, one more try; failing again, the wait is the hour's.
    clock.now += 61
    assert attempt(client, user.email, WRONG, ip=ip).status_code == 422
    second = attempt(client, user.email, PASSWORD, ip=ip)
    assert second.status_code == 429
    assert 60 < int(second.headers["Retry-After"]) <= 3600

    # Another address of the owner is not held by this one's waits.
    assert attempt(client, user.email, PASSWORD, ip="192.0.2.77").status_code == 302


def test_the_default_throttle_is_progressive(app):
    limits = [part.strip() for part in app.config["LOGIN_THROTTLE"].split(";")]
    assert limits == ["5 per 15 minutes", "10 per 2 hours", "20 per day"]


def test_throttled_and_failed_attempts_are_in_the_security_log(throttled_app, make_user, db_session):
    client = throttled_app.test_client()
    user = make_user()
    for _ in range(4):
        attempt(client, user.email, WRONG, ip="203.0.113.40")

    db_session.expire_all()
    kinds = db_session.scalars(
        select(SecurityEvent.kind).where(SecurityEvent.email == user.email).order_by(SecurityEvent.id)
    ).all()
    assert kinds == [SecurityEventKind.LOGIN_FAILED] * 3 + [SecurityEventKind.LOGIN_THROTTLED]
