"""In Chromium: an editor ticks "all claims on this page" (the script ticks every claim's box),
moves them to Researching, and reads each claim's outcome: the new ones moved, most others refused
with the workflow's reason. CSRF is on and the real Content-Security-Policy applies."""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim, ClaimState
from tests.browser.conftest import ORIGIN, serve_app, sign_in

pytestmark = pytest.mark.slow

# Where a screenshot of the result goes when asked for (not in the repository).
SCREENS = os.environ.get("FACTCHECK_SCREENSHOTS")


def test_move_every_claim_of_the_page_and_read_each_outcome(
    browser_page: Any, desk: Flask, db_session: Session
) -> None:
    page = browser_page
    serve_app(page, desk.test_client())
    sign_in(page, "editor@example.org", "demo-editor-password")

    new_before = db_session.scalar(select(func.count()).where(Claim.state == ClaimState.NEW))
    total = db_session.scalar(select(func.count()).select_from(Claim))
    assert 0 < new_before < total

    page.goto(f"{ORIGIN}/claims/")
    page.check("#bulk-all")
    boxes = page.locator("input.bulk-claim")
    assert boxes.count() == total
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.select_option("#bulk-action", "move")
    page.select_option("#bulk-state", "researching")
    page.fill("#bulk-reason", "Starting the INF series this week.")
    with page.expect_navigation():
        page.click("text=Apply to the chosen claims")

    # The new claims move (and a claim dismissed from Researching goes back there); the rest are refused.
    done = page.locator("tr.outcome-done").count()
    assert done >= new_before
    assert page.locator("h1").inner_text() == f"Move to: {done} of {total} claims done"
    assert page.locator("tr.outcome-refused").count() == total - done
    reasons = page.locator("tr.outcome-refused td:nth-child(3)").all_inner_texts()
    assert any(reason.startswith("A claim cannot move from") for reason in reasons)
    if SCREENS:
        page.screenshot(path=os.path.join(SCREENS, "issue16-bulk-result.png"), full_page=True)

    db_session.expire_all()
    assert db_session.scalar(select(func.count()).where(Claim.state == ClaimState.NEW)) == 0
