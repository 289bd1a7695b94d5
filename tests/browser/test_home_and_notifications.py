"""In Chromium: a reviewer's home page queues, a count leading to its claims, and a mention
arriving as a notification that she reads and marks read (CSRF on, the real CSP)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Claim, ClaimState
from factcheck.notifications.models import Notification
from tests.browser.conftest import ORIGIN, serve_app, sign_in
from tests.conftest import AuthActions

pytestmark = pytest.mark.slow

# Screenshots for the people reviewing the change; never part of the repository.
SCREENS = os.environ.get("FACTCHECK_TEST_SCREENSHOTS", "")


def screenshot(page: Any, name: str) -> None:
    if SCREENS and os.path.isdir(SCREENS):
        page.screenshot(path=os.path.join(SCREENS, name), full_page=True)


def test_home_queue_and_a_mention_notification(
    browser_page: Any, desk: Flask, make_app: Callable[..., Flask], db_session: Session
) -> None:
    # Elena, the editor, assigns Anna to a claim and mentions her (from another browser: a test client).
    claim = db_session.scalars(select(Claim).where(Claim.state == ClaimState.RESEARCHING)).first()
    assert claim is not None
    anna = db_session.scalars(select(User).where(User.email == "anna@example.org")).one()
    editor = make_app().test_client()
    AuthActions(editor).login("editor@example.org", "demo-editor-password")
    assert editor.post(f"/claims/{claim.id}/assignees", data={"user_id": anna.id}).status_code == 302
    body = "@anna the US State Department's 2019 compliance report has the range."
    assert editor.post(f"/claims/{claim.id}/comments/new", data={"body": body}).status_code == 302

    page = browser_page
    serve_app(page, desk.test_client())
    sign_in(page, "anna@example.org", "demo-reviewer-password")

    page.goto(f"{ORIGIN}/")
    unread = db_session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == anna.id)
    )
    # The demo's own moves told Anna (she rated its claims) before Elena's two.
    assert unread and unread >= 2
    assert page.inner_text("#unread-count").split()[0] == str(unread)
    assert "Elena Editor mentioned you" in page.inner_text("main")
    assigned = page.locator("#queue-assigned a")
    assert assigned.locator(".queue-count").inner_text() == "1"
    screenshot(page, "issue16-home.png")
    with page.expect_navigation():
        assigned.click()
    listed = {int(n) for n in re.findall(r'href="/claims/(\d+)"', page.content())}
    assert listed == {claim.id}
    assert "Only claims assigned to me" in page.inner_text("main")

    with page.expect_navigation():
        page.click("a.notifications-link")
    main = page.inner_text("main")
    assert "Elena Editor mentioned you on claim" in main
    assert "Elena Editor assigned you to claim" in main
    screenshot(page, "issue16-notifications.png")
    with page.expect_navigation():
        page.click("text=Mark all read")
    assert page.locator("#unread-count").count() == 0
    assert "0 unread" in page.inner_text("main")
