"""Notification e-mail through a local SMTP server: at once, as a daily digest, or off."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from factcheck.jobs.models import Job
from factcheck.jobs.runner import run_all
from factcheck.notifications.email import DIGEST_JOB, next_digest_time
from factcheck.notifications.models import EmailMode, NotificationSettings
from tests.notifications.conftest import Clients, notifications_of


@pytest.fixture
def mail_app(make_app, smtp_server):
    _inbox, port = smtp_server
    return make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
        SMTP_FROM="desk@factcheck.example.org",
        PUBLIC_URL="https://factcheck.example.org",
    )


@pytest.fixture
def desk(mail_app, team):
    return Clients(mail_app, team)


def choose(desk, name: str, mode: EmailMode) -> None:
    response = desk[name].post("/account/notifications", data={"email": mode.value})
    assert response.status_code == 302


def test_at_once_sends_one_message_with_the_claims_address(
    db_session, team, claim, desk, mail_app, smtp_server
):
    inbox, _port = smtp_server
    desk["anna"].post(f"/claims/{claim.id}/follow")
    desk["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "@anna the 2019 report is in."})
    assert run_all(mail_app) == 1
    [message] = inbox.to("anna@example.org")
    assert message["From"] == "desk@factcheck.example.org"
    assert message["Subject"].startswith("factcheck: Eve Editor mentioned you on claim")
    body = message.get_payload(decode=True).decode()
    assert f"https://factcheck.example.org/claims/{claim.id}" in body
    assert notifications_of(db_session, team["anna"])[0].emailed_at is not None
    # Sent once: running the worker again sends nothing more.
    run_all(mail_app)
    assert len(inbox.to("anna@example.org")) == 1


def test_off_sends_nothing_but_the_notification_is_still_in_the_app(
    db_session, team, claim, desk, mail_app, smtp_server
):
    inbox, _port = smtp_server
    choose(desk, "anna", EmailMode.OFF)
    desk["anna"].post(f"/claims/{claim.id}/follow")
    desk["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "Sources are in."})
    run_all(mail_app)
    assert inbox.to("anna@example.org") == []
    [told] = notifications_of(db_session, team["anna"])
    assert told.emailed_at is None


def test_the_daily_digest_is_one_job_a_day_and_one_message_a_person(
    db_session, team, claim, desk, mail_app, smtp_server
):
    inbox, _port = smtp_server
    choose(desk, "anna", EmailMode.DAILY)
    choose(desk, "ben", EmailMode.DAILY)
    for name in ("anna", "ben"):
        desk[name].post(f"/claims/{claim.id}/follow")
    desk["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "First source."})
    desk["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "Second source."})
    db_session.expire_all()
    [digest] = db_session.scalars(select(Job).where(Job.kind == DIGEST_JOB)).all()
    assert digest.run_after.hour == 7
    # Nothing before the digest time.
    assert run_all(mail_app) == 0
    assert inbox.messages == []
    digest.run_after = datetime.now(UTC) - timedelta(seconds=1)
    db_session.commit()
    assert run_all(mail_app) == 1
    for address in ("anna@example.org", "ben@example.org"):
        [message] = inbox.to(address)
        assert message["Subject"] == "factcheck: your daily digest (2 notifications)"
        body = message.get_payload(decode=True).decode()
        assert "First source." in body and "Second source." in body


def checked_mode(response) -> str:
    [mode] = re.findall(
        r'<input checked[^>]*name="email" type="radio" value="([a-z_]+)"', response.get_data(as_text=True)
    )
    return mode


def test_the_setting_is_shown_on_the_account_page_and_audited(db_session, team, desk):
    assert checked_mode(desk["anna"].get("/account")) == "at_once"
    choose(desk, "anna", EmailMode.DAILY)
    assert checked_mode(desk["anna"].get("/account")) == "daily"
    db_session.expire_all()
    assert db_session.get(NotificationSettings, team["anna"].id).email == EmailMode.DAILY
    from tests.helpers import audit_rows

    [(changeset, change)] = audit_rows(db_session, "notification_settings")
    assert changeset.actor_name == "Anna Reviewer"
    assert change.changes["email"][1] == "daily"


def test_without_an_smtp_host_no_email_is_queued(db_session, team, claim, clients):
    clients["anna"].post(f"/claims/{claim.id}/follow")
    clients["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "Sources are in."})
    db_session.expire_all()
    assert db_session.scalars(select(Job)).all() == []


def test_the_digest_goes_out_at_the_next_digest_hour():
    morning = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)
    assert next_digest_time(morning, 7) == datetime(2026, 12, 3, 7, tzinfo=UTC)
    assert next_digest_time(morning.replace(hour=7), 7) == datetime(2026, 12, 4, 7, tzinfo=UTC)
