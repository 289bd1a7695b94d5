"""The security log is in the audit history, but only admins read it there.

Its entries carry client addresses, browsers and the emails typed at failed
sign-ins; editors read the audit log for the newsroom's work, not for that.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask.testing import FlaskClient

from factcheck.accounts.models import Role, User
from tests.conftest import AuthActions


def fail_a_sign_in(auth: AuthActions, email: str) -> None:
    response = auth.login(email, "not the password")
    assert response.status_code == 422


def test_editors_do_not_see_security_log_entries_in_the_audit_log(
    client: FlaskClient, auth: AuthActions, make_user: Callable[..., User], login_as: Callable[[Role], User]
) -> None:
    target = make_user(Role.REVIEWER, email="typed-at-a-failed-sign-in@example.org")
    fail_a_sign_in(auth, target.email)
    login_as(Role.EDITOR)

    page = client.get("/audit/").get_data(as_text=True)
    exported = [
        json.loads(line) for line in client.get("/audit/export.ndjson").get_data(as_text=True).splitlines()
    ]
    filtered = client.get("/audit/?record=security_events")

    assert "typed-at-a-failed-sign-in@example.org" not in page
    assert "security log entry" not in page.lower()
    assert exported and all(row["table"] != "security_events" for row in exported)
    assert filtered.status_code == 422  # not one of the editor's choices


def test_admins_see_them(
    client: FlaskClient, auth: AuthActions, make_user: Callable[..., User], login_as: Callable[[Role], User]
) -> None:
    target = make_user(Role.REVIEWER, email="typed-at-a-failed-sign-in@example.org")
    fail_a_sign_in(auth, target.email)
    login_as(Role.ADMIN)

    exported = [
        json.loads(line) for line in client.get("/audit/export.ndjson").get_data(as_text=True).splitlines()
    ]
    page = client.get("/audit/?record=security_events")

    assert any(
        row["table"] == "security_events" and row["changes"]["kind"] == [None, "login_failed"]
        for row in exported
    )
    assert page.status_code == 200
    assert "security log entry" in page.get_data(as_text=True).lower()
