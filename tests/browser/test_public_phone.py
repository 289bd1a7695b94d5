"""In Chromium at a phone's size (390x844): a reader opening a fact check sees its verdict label
on the first screen, without scrolling past the claim's appearances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim, ClaimState
from tests.browser.conftest import ORIGIN, serve_app

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(make_app: Callable[..., Flask]) -> Flask:
    app = make_app()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app


def test_the_verdict_label_is_on_the_first_screen_of_a_phone(
    browser_page: Any, site: Flask, db_session: Session
) -> None:
    page = browser_page
    page.set_viewport_size(PHONE)
    serve_app(page, site.test_client())
    slug = db_session.scalars(select(Claim.slug).where(Claim.state == ClaimState.PUBLISHED)).first()
    assert slug
    page.goto(f"{ORIGIN}/checks/{slug}")
    label = page.locator("#verdict-label")
    box = label.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= PHONE["height"]
    assert page.evaluate("window.scrollY") == 0
    # The headline still comes first.
    assert page.locator("#check-headline").bounding_box()["y"] < box["y"]
