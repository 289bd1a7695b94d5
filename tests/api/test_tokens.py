"""API tokens: made on the account page and by the command line, stored hashed, refused when
they should be, revoked by their owner or an admin, and named in the audit history."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from factcheck.accounts.models import ApiToken, ApiTokenUse, Role, TokenScope
from factcheck.audit.history import SECRET_FIELDS
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.db import utcnow
from tests.api.conftest import assert_problem
from tests.helpers import csrf_token, text

TOKEN = re.compile(r"fct_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")


def test_cli_creates_lists_and_revokes_a_token(runner, api, make_user, db_session):
    user = make_user(Role.EDITOR)

    created = runner.invoke(
        args=[
            "tokens",
            "create",
            user.email,
            "--scope",
            "write",
            "--expires",
            "30",
            "--name",
            "import script",
        ]
    )

    assert created.exit_code == 0, created.output
    token = created.output.strip()
    assert TOKEN.fullmatch(token)
    prefix = token[:12]
    stored = db_session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.scope == TokenScope.WRITE and stored.name == "import script"
    assert timedelta(days=29) < stored.expires_at - utcnow() <= timedelta(days=30)
    me = api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["email"] == user.email

    listed = runner.invoke(args=["tokens", "list", user.email])
    assert listed.exit_code == 0
    row = listed.output.splitlines()[1].split("\t")
    assert row[:3] == [prefix, "write", "active"]
    assert row[4] != "-"  # the use just made
    assert row[-1] == "import script"
    assert token not in listed.output

    revoked = runner.invoke(args=["tokens", "revoke", prefix])
    assert revoked.exit_code == 0 and revoked.output.strip() == f"{prefix}: revoked"
    body = assert_problem(api.get("/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert body["detail"] == f"The token {prefix} is revoked."


def test_cli_refuses_bad_input_with_one_line(runner, make_user):
    user = make_user()
    unknown = runner.invoke(args=["tokens", "create", "nobody@example.org", "--scope", "read"])
    assert unknown.exit_code == 1 and "no user with the email nobody@example.org" in unknown.output
    bad_days = runner.invoke(args=["tokens", "create", user.email, "--scope", "read", "--expires", "0"])
    assert bad_days.exit_code == 1 and "Give a number of days from 1 to 3650." in bad_days.output
    bad_scope = runner.invoke(args=["tokens", "create", user.email, "--scope", "admin"])
    assert bad_scope.exit_code == 2
    no_token = runner.invoke(args=["tokens", "revoke", "fct_zzzzzzzz"])
    assert no_token.exit_code == 1 and "no token with the prefix fct_zzzzzzzz" in no_token.output


def test_cli_refuses_a_token_for_a_disabled_account(runner, make_user, db_session):
    user = make_user(disabled=True)
    result = runner.invoke(args=["tokens", "create", user.email, "--scope", "read"])
    assert result.exit_code == 1
    assert "disabled" in result.output
    assert db_session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []


def test_account_page_makes_a_token_shown_once_and_lists_it(make_app, make_user, db_session, api):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    user = make_user()
    login = csrf_token(client.get("/login"))
    client.post(
        "/login", data={"email": user.email, "password": "correct horse battery", "csrf_token": login}
    )
    page = client.get("/account")
    assert "You have no API tokens." in text(page)

    refused = client.post("/account/tokens", data={"name": "script", "scope": "read"})
    # No CSRF token: an account action, so 403 without the one-click resubmit page.
    assert refused.status_code == 403
    made = client.post(
        "/account/tokens", data={"name": "script", "scope": "read", "csrf_token": csrf_token(page)}
    )

    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    token = TOKEN.search(made.get_data(as_text=True)).group(0)
    assert api.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = client.get("/account")
    listed = text(again)
    assert token[:12] in listed and "read only" in listed and "script" in listed
    assert token not in again.get_data(as_text=True)


def test_owner_revokes_on_the_account_page_others_may_not_admins_may(
    client, auth, token_for, make_user, db_session, api
):
    holder = token_for(Role.REVIEWER)
    second = token_for(user=holder.user)
    token_id = db_session.scalar(select(ApiToken.id).where(ApiToken.prefix == holder.prefix))
    second_id = db_session.scalar(select(ApiToken.id).where(ApiToken.prefix == second.prefix))

    other = make_user(Role.EDITOR)
    auth.login(other.email)
    assert_refused = client.post(f"/account/tokens/{token_id}/revoke")
    assert assert_refused.status_code == 403
    assert api.get("/me", holder).status_code == 200
    auth.logout()

    auth.login(holder.user.email)
    revoked = client.post(f"/account/tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    assert_problem(api.get("/me", holder), 401)
    assert "revoked" in text(client.get("/account"))
    auth.logout()

    admin = make_user(Role.ADMIN)
    auth.login(admin.email)
    admin_page = f"/admin/users/{holder.user.id}"
    assert second.prefix in text(client.get(admin_page))
    revoked = client.post(f"/account/tokens/{second_id}/revoke", data={"next": admin_page})
    assert revoked.status_code == 302 and revoked.headers["Location"] == admin_page
    assert_problem(api.get("/me", second), 401)


def test_tokens_are_refused_with_401_and_say_why(api, token_for, db_session, client, auth):
    holder = token_for()
    assert api.get("/me", holder).status_code == 200

    missing = assert_problem(api.get("/me"), 401)
    assert "Authorization: Bearer" in missing["detail"]
    assert api.get("/me").headers["WWW-Authenticate"] == 'Bearer realm="factcheck"'
    assert_problem(api.get("/me", headers={"Authorization": "Bearer garbage"}), 401)
    assert_problem(api.get("/me", headers={"Authorization": f"Basic {holder.token}"}), 401)
    unknown = holder.token[:-4] + "AAAA" if not holder.token.endswith("AAAA") else holder.token[:-4] + "BBBB"
    assert assert_problem(api.get("/me", headers={"Authorization": f"Bearer {unknown}"}), 401)["detail"] == (
        "The token is not known."
    )

    expiring = token_for(expires_in_days=1)
    record = db_session.scalar(select(ApiToken).where(ApiToken.prefix == expiring.prefix))
    record.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert (
        assert_problem(api.get("/me", expiring), 401)["detail"] == f"The token {expiring.prefix} is expired."
    )

    # The session cookie is never read by the API.
    auth.login(holder.user.email)
    assert_problem(client.get("/api/v1/me"), 401)


def test_a_disabled_users_tokens_stop_at_once(api, token_for, db_session, runner):
    holder = token_for(Role.EDITOR)
    assert api.get("/claims", holder).status_code == 200
    holder.user.is_disabled = True
    db_session.commit()
    body = assert_problem(api.get("/claims", holder), 401)
    assert body["detail"] == "The token's account is disabled."
    listed = runner.invoke(args=["tokens", "list", holder.user.email]).output.splitlines()[1]
    assert listed.split("\t")[2] == "account disabled"


def test_a_read_token_is_refused_every_write(api, token_for):
    reader = token_for(Role.ADMIN, TokenScope.READ)
    assert api.get("/claims", reader).status_code == 200
    body = assert_problem(api.post("/documents", reader, json={"text": "A text."}), 403)
    assert "may only read" in body["detail"]
    assert_problem(api.patch("/claims/1", reader, json={"version": 1}), 403)
    assert_problem(api.post("/claims/1/transitions", reader, json={"to_state": "researching"}), 403)


def test_last_use_is_recorded_once_a_minute_outside_the_audit_history(api, token_for, db_session):
    holder = token_for()
    record = db_session.scalar(select(ApiToken).where(ApiToken.prefix == holder.prefix))
    changesets_before = db_session.scalar(
        select(AuditChangeset.seq).order_by(AuditChangeset.seq.desc()).limit(1)
    )

    api.get("/me", holder)
    db_session.expire_all()
    first = db_session.get(ApiTokenUse, record.id).last_used_at
    api.get("/me", holder)
    db_session.expire_all()

    assert db_session.get(ApiTokenUse, record.id).last_used_at == first
    assert utcnow() - first < timedelta(minutes=1)
    changesets_after = db_session.scalar(
        select(AuditChangeset.seq).order_by(AuditChangeset.seq.desc()).limit(1)
    )
    assert changesets_after == changesets_before


def test_token_changes_are_audited_without_the_secret(runner, make_user, db_session):
    user = make_user()
    token = runner.invoke(args=["tokens", "create", user.email, "--scope", "read"]).output.strip()
    runner.invoke(args=["tokens", "revoke", token[:12]])

    rows = db_session.execute(
        select(AuditChangeset, AuditChange)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.table_name == "api_tokens")
        .order_by(AuditChange.id)
    ).all()
    assert [change.operation for _changeset, change in rows] == ["INSERT", "UPDATE"]
    assert [changeset.actor_name.split(" (")[0] for changeset, _change in rows] == [
        "factcheck tokens create",
        "factcheck tokens revoke",
    ]
    assert rows[0][1].changes["prefix"] == [None, token[:12]]
    assert "revoked_at" in rows[1][1].changes
    assert "token_hash" in SECRET_FIELDS  # the history's pages and exports hide it
    assert all(token not in str(change.changes) for _changeset, change in rows)
