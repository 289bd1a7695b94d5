"""`factcheck demo`: idempotent demo data, consistent with its seed article, and usable accounts."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Appearance, Claim, ClaimState
from factcheck.demo import data
from factcheck.documents.models import Document
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import Rating
from factcheck.sources.models import Source

COUNTED = {
    "users": User,
    "documents": Document,
    "claims": Claim,
    "sources": Source,
    "ratings": Rating,
    "publications": Publication,
}


def counts(db_session: Session) -> dict[str, int]:
    return {
        name: db_session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in COUNTED.items()
    }


def run_demo(runner: FlaskCliRunner) -> Result:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def loaded(runner: FlaskCliRunner) -> Result:
    return run_demo(runner)


def test_demo_prints_the_accounts_with_their_passwords(loaded: Result) -> None:
    lines = loaded.output.splitlines()
    for account in data.ACCOUNTS:
        line = next((line for line in lines if account.email in line), None)
        assert line is not None, f"{account.email} not printed:\n{loaded.output}"
        assert account.password in line
        assert account.role.value in line


def test_running_demo_twice_creates_nothing_the_second_time(
    runner: FlaskCliRunner, db_session: Session
) -> None:
    before = counts(db_session)
    first = run_demo(runner)
    after_first = counts(db_session)
    second = run_demo(runner)
    after_second = counts(db_session)

    assert all(after_first[name] > before[name] for name in COUNTED), after_first
    assert after_second == after_first
    assert "0 users, 0 documents, 0 claims new" in second.output
    assert "0 claims new" not in first.output
    # The accounts are printed both times: the second run is how people look them up again.
    assert all(account.email in second.output for account in data.ACCOUNTS)


def test_demo_claims_cover_every_workflow_state(loaded: Result, db_session: Session) -> None:
    states = set(db_session.scalars(select(Claim.state)))
    assert states == set(ClaimState)


def test_demo_appearances_match_the_document_text(loaded: Result, db_session: Session) -> None:
    appearances = db_session.scalars(select(Appearance).where(Appearance.document_id.is_not(None))).all()
    assert len(appearances) == len(data.CLAIMS)
    for appearance in appearances:
        assert appearance.document is not None
        text = appearance.document.text
        start, end = appearance.position_start, appearance.position_end
        assert start is not None and end is not None
        assert appearance.quote_exact
        assert text[start:end] == appearance.quote_exact
        assert text[:start].endswith(appearance.quote_prefix or "")
        assert text[end:].startswith(appearance.quote_suffix or "")


def test_demo_accounts_can_sign_in(loaded: Result, client: Any) -> None:
    for account in data.ACCOUNTS:
        response = client.post("/login", data={"email": account.email, "password": account.password})
        assert response.status_code == 302, f"{account.email} could not sign in"
        page = client.get("/account")
        assert page.status_code == 200
        assert account.name in page.get_data(as_text=True)
        client.post("/logout")


def test_demo_refuses_to_run_in_production(make_app: Callable[..., Flask], db_session: Session) -> None:
    app = make_app(ENV="production", SECRET_KEY=secrets.token_urlsafe(36))
    assert len(app.config["SECRET_KEY"]) == 48
    result = app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code != 0
    message = result.output.strip()
    assert len(message.splitlines()) == 1, message
    assert "production" in message
    assert "Traceback" not in message
    assert db_session.scalar(select(User).where(User.email == data.ACCOUNTS[0].email)) is None


def test_demo_publishes_through_the_desk_with_four_eyes_and_a_correction(
    loaded: Result, db_session: Session
) -> None:
    [spec] = [spec for spec in data.CLAIMS if spec.state == ClaimState.PUBLISHED]
    assert spec.correction is not None
    claim = db_session.scalars(select(Claim).where(Claim.text == spec.text)).one()
    users = {user.email: user for user in db_session.scalars(select(User))}
    editor, admin = users["editor@example.org"], users["admin@example.org"]

    assert (claim.state, claim.slug) == (ClaimState.PUBLISHED, spec.slug)
    assert claim.verdict is not None
    # Four eyes: the editor wrote the verdict, the admin published it.
    assert (claim.verdict.author_id, claim.verdict.updated_by_id) == (editor.id, editor.id)
    first, correction = db_session.scalars(
        select(Publication).where(Publication.claim_id == claim.id).order_by(Publication.revision)
    ).all()
    assert (first.revision, first.kind, first.published_by_id) == (1, PublicationKind.PUBLICATION, admin.id)
    assert (correction.revision, correction.kind, correction.published_by_id) == (
        2,
        PublicationKind.CORRECTION,
        admin.id,
    )
    assert correction.note == spec.correction[2]
    assert "July 2014 compliance report" in (correction.note or "")
    # Revision 1 stays as it was published; the correction carries the fixed text and the added source.
    assert "first accused Russia of breaking it in 2017" in first.snapshot["explanation"]
    assert "July 2014 arms-control compliance report" in correction.snapshot["explanation"]
    titles = [source["title"] for source in correction.snapshot["sources"]]
    assert data.COMPLIANCE_REPORT_2014["title"] in titles
    assert data.COMPLIANCE_REPORT_2014["title"] not in [s["title"] for s in first.snapshot["sources"]]
    assert correction.snapshot["first_published_at"] == first.snapshot["published_at"]
    assert correction.label_name == first.label_name == "Mostly true"
    assert "nato allies did find" in correction.search_text
    # The move to published is one recorded workflow step, taken by the admin.
    assert [(step.from_state, step.to_state, step.actor_id) for step in claim.transitions][-1] == (
        ClaimState.READY,
        ClaimState.PUBLISHED,
        admin.id,
    )
