"""Two whole journeys in Chromium, through the real forms (CSRF on, the strict CSP, no console error):

- the admin adds a user, makes them an editor, disables the account, reads the
  audit log listing those changes and has the history verified;
- a reader searches the fact checks, opens a verdict and reports an error in it,
  which an editor then finds in the desk's queue.

Each step checks what the person sees and what the database holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.models import AuditVerification
from factcheck.claims.models import Claim
from factcheck.publishing.models import Publication
from factcheck.submissions.models import ReaderSubmission, SubmissionKind, SubmissionStatus
from tests.browser.conftest import ORIGIN, demo_app, serve_app, sign_in
from tests.helpers import audit_rows

pytestmark = pytest.mark.slow

NEW_PASSWORD = "harbour-kettle-violet-1987"


@pytest.fixture
def desk(make_app: Callable[..., Flask]) -> Flask:
    # Readers' forms refuse what is sent faster than a person types; the test is faster.
    return demo_app(make_app, SUBMISSION_MIN_SECONDS=0)


def submit(page: Any, selector: str = "main button[type=submit]") -> str:
    with page.expect_navigation():
        page.click(selector)
    return page.inner_text("body")


def test_admin_adds_promotes_and_disables_a_user_then_reads_the_audit_log_and_chain(
    browser_page: Any, chromium: Any, desk: Flask, db_session: Session
) -> None:
    page = browser_page
    serve_app(page, desk.test_client())
    assert "Signed in as Ada Admin" in sign_in(page, "admin@example.org", "demo-admin-password")

    # Add a user.
    page.goto(f"{ORIGIN}/admin/users/")
    with page.expect_navigation():
        page.click("text=Add a user")
    page.fill("#name", "Rita Reviewer")
    page.fill("#email", "rita@example.org")
    page.select_option("#role", "reviewer")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    assert "Created Rita Reviewer (Reviewer)." in submit(page)
    rita = db_session.scalars(select(User).where(User.email == "rita@example.org")).one()
    assert (rita.name, rita.role, rita.is_disabled) == ("Rita Reviewer", Role.REVIEWER, False)

    # Make her an editor, from the list of users.
    page.goto(f"{ORIGIN}/admin/users/")
    assert "rita@example.org" in page.inner_text("table")
    with page.expect_navigation():
        page.click("text=Rita Reviewer")
    page.select_option("#role", "editor")
    submit(page)
    db_session.refresh(rita)
    assert rita.role == Role.EDITOR
    page.goto(f"{ORIGIN}/admin/users/")
    assert "Editor" in page.locator("tr", has_text="rita@example.org").inner_text()

    # Disable her account: she can no longer sign in.
    page.goto(f"{ORIGIN}/admin/users/{rita.id}")
    page.check("#is_disabled")
    submit(page)
    db_session.refresh(rita)
    assert rita.is_disabled
    page.goto(f"{ORIGIN}/admin/users/")
    assert "Disabled" in page.locator("tr", has_text="rita@example.org").inner_text()
    context = chromium.new_context()
    try:
        other = context.new_page()
        serve_app(other, desk.test_client())
        shown = sign_in(other, "rita@example.org", NEW_PASSWORD)
        assert "Wrong email or password, or the account is disabled." in shown
        assert "Signed in as" not in shown
    finally:
        context.close()
    assert rita.last_login_at is None

    # The audit log lists the three changes to her row, attributed to the admin.
    changes = audit_rows(db_session, "users")
    hers = [(changeset, change) for changeset, change in changes if change.row_key == {"id": rita.id}]
    assert [change.operation for _, change in hers] == ["INSERT", "UPDATE", "UPDATE"]
    assert {changeset.actor_name for changeset, _ in hers} == {"Ada Admin"}
    page.goto(f"{ORIGIN}/audit/")
    page.select_option("#record", "users")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    for changeset, change in hers:
        entry = page.locator("li.timeline-entry", has_text=f"#{changeset.seq} ")
        assert "Ada Admin" in entry.inner_text()
        assert f'users {{"id": {rita.id}}}' in entry.locator("ul.changes").inner_text()
        assert change.operation in entry.inner_text()

    # The chain status: verified now, and it holds.
    page.goto(f"{ORIGIN}/admin/audit")
    shown = submit(page, "text=Verify now")
    assert "The history holds:" in shown
    assert "The history holds" in page.inner_text("dl.facts >> nth=-1")
    verification = db_session.scalars(select(AuditVerification).order_by(AuditVerification.id.desc())).first()
    assert verification is not None and verification.ok


def test_reader_searches_opens_a_verdict_and_reports_an_error_that_staff_see(
    browser_page: Any, chromium: Any, desk: Flask, db_session: Session
) -> None:
    page = browser_page
    serve_app(page, desk.test_client())
    claim = db_session.scalars(select(Claim).where(Claim.slug.is_not(None))).one()
    current = db_session.scalars(
        select(Publication).where(Publication.claim_id == claim.id).order_by(Publication.revision.desc())
    ).first()

    # Search the fact checks.
    page.goto(f"{ORIGIN}/checks/")
    page.fill("#filter-q", "9M729")
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    results = page.locator("main h2 a")
    assert results.all_inner_texts() == [current.headline]

    # Open the verdict: its rating as last published.
    with page.expect_navigation():
        results.first.click()
    assert page.inner_text("h1") == current.headline
    assert page.inner_text("#verdict-label") == current.label_name

    # Report an error in it.
    with page.expect_navigation():
        page.click("text=Report an error in this fact check")
    page.fill("#text", "The NATO statement was issued on 4 December 2018, not 5 December.")
    page.fill("#url", "https://www.nato.int/cps/en/natohq/official_texts_161122.htm")
    page.fill("#name", "Sam Reader")
    assert "Thank you" in submit(page)
    report = db_session.scalars(select(ReaderSubmission)).one()
    assert (report.kind, report.status, report.claim_id, report.revision) == (
        SubmissionKind.ERROR_REPORT,
        SubmissionStatus.OPEN,
        claim.id,
        current.revision,
    )
    assert report.text == "The NATO statement was issued on 4 December 2018, not 5 December."
    assert report.name == "Sam Reader"

    # An editor finds it in the desk's queue and opens it.
    context = chromium.new_context()
    try:
        staff = context.new_page()
        serve_app(staff, desk.test_client())
        sign_in(staff, "editor@example.org", "demo-editor-password")
        staff.goto(f"{ORIGIN}/desk/submissions")
        row = staff.locator("tr", has_text="The NATO statement was issued on 4 December 2018")
        assert f"Claim #{claim.id}" in row.inner_text()
        staff.goto(f"{ORIGIN}/desk/submissions/{report.id}")
        shown = staff.inner_text("main")
        assert "The NATO statement was issued on 4 December 2018, not 5 December." in shown
        assert "Sam Reader" in shown
    finally:
        context.close()
