"""In Chromium: an editor picks the surviving claim from the similar claims, reads what will move,
merges with a reason and lands on the survivor. CSRF is on and the real Content-Security-Policy applies."""

from __future__ import annotations

import os
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims import merging
from factcheck.claims.models import Claim
from factcheck.claims.similar import similar_claims
from tests.browser.conftest import ORIGIN, serve_app, sign_in

pytestmark = pytest.mark.slow

# Where a screenshot of the merge page goes when asked for (not in the repository).
SCREENS = os.environ.get("FACTCHECK_SCREENSHOTS")


def test_merge_a_duplicate_into_a_suggested_claim(
    browser_page: Any, desk: Flask, db_session: Session
) -> None:
    # A demo claim with a similar one on the desk.
    pairs = (
        (claim, similar_claims(db_session, claim.text, exclude=[claim.id], threshold=40))
        for claim in db_session.scalars(select(Claim).order_by(Claim.id))
    )
    duplicate, suggestions = next((claim, found) for claim, found in pairs if found)
    survivor_id = suggestions[0].claim.id

    page = browser_page
    serve_app(page, desk.test_client())
    sign_in(page, "editor@example.org", "demo-editor-password")

    page.goto(f"{ORIGIN}/claims/{duplicate.id}/merge")
    with page.expect_navigation():
        page.click(f"a[href$='into={survivor_id}']")
    assert page.locator("#survivor-heading").inner_text() == f"The claim that survives: #{survivor_id}"
    page.fill("#reason", "The same claim, captured from two reports.")
    if SCREENS:
        page.screenshot(path=os.path.join(SCREENS, "issue16-merge.png"), full_page=True)
    with page.expect_navigation():
        page.click(f"text=Merge #{duplicate.id} into #{survivor_id}")
    assert f"Merged claim #{duplicate.id} into this claim." in page.locator(".flashes").inner_text()

    db_session.expire_all()
    record = merging.active_merge(db_session, duplicate.id)
    assert record is not None and record.survivor_id == survivor_id
