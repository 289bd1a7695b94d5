"""The demo data comes with a history: each step attributed to the demo person who would take it."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine, select

from factcheck.accounts.models import User
from factcheck.demo import data
from tests.audit.helpers import changes, changesets, head_seq, observe


def test_demo_data_has_an_attributed_history_that_verifies(real_app: Flask, committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    runner = real_app.test_cli_runner()

    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output

    with observe(committed_engine) as observer:
        new = [row for row in changesets(observer) if row.seq > start]
        users = {
            user.email: user
            for user in observer.execute(
                select(User.id, User.email, User.name, User.role).where(
                    User.email.in_([account.email for account in data.ACCOUNTS])
                )
            )
        }
        # The accounts are created by the command ...
        created = [row for row in new if row.origin == "cli" and row.actor_name.startswith("factcheck demo")]
        assert len(created) == 1
        created_users = {
            change.row_key["id"]
            for change in changes(observer, created[0].seq)
            if change.table_name == "users"
        }
        assert created_users == {user.id for user in users.values()}
        # ... and the newsroom's work is attributed to the demo people, name and role as they were.
        for email in ("anna@example.org", "editor@example.org", "admin@example.org"):
            user = users[email]
            theirs = [row for row in new if row.actor_id == user.id]
            assert theirs, f"no changeset attributed to {email}"
            assert {(row.actor_name, row.actor_role, row.origin) for row in theirs} == {
                (user.name, user.role.value, "demo")
            }
        assert any(row.reason and row.reason.startswith("First publication") for row in new)
        claim_changes = [
            change for row in new for change in changes(observer, row.seq) if change.table_name == "claims"
        ]
        assert claim_changes

    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "audit history ok" in verified.output
