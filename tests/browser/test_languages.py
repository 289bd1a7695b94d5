"""The desk and a verdict page in every shipped language, in a real Chromium: the page says
its language and direction (``<html lang dir>``), axe-core finds nothing serious, and each
page is photographed for review when ``FACTCHECK_SCREENSHOTS`` names a folder.

The browser asks for the language as a reader's would (the context's ``locale`` sends
Accept-Language); the public site is set to the language by the organisation where the app
has that setting (tests/i18n/languages.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim, ClaimState
from factcheck.web.i18n import LANGUAGES
from tests.browser.axe import axe_path
from tests.browser.conftest import ORIGIN, demo_app, serve_app, sign_in
from tests.browser.test_accessibility import FAILING_IMPACTS, describe, run_axe
from tests.i18n.languages import set_public_language

pytestmark = pytest.mark.slow

SCREENSHOTS_ENV = "FACTCHECK_SCREENSHOTS"
DIRECTIONS = {"ar": "rtl"}
EDITOR = ("editor@example.org", "demo-editor-password")


def published_slug(db: Session) -> str:
    slug = db.scalar(select(Claim.slug).where(Claim.state == ClaimState.PUBLISHED).order_by(Claim.id))
    assert slug
    return slug


def desk_claim(db: Session) -> int:
    found = db.scalar(select(Claim.id).where(Claim.state == ClaimState.IN_REVIEW).order_by(Claim.id))
    assert found
    return found


def screenshot(page: Any, language: str, name: str) -> None:
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{language}-{name}.png"), full_page=True)


def check_page(page: Any, language: str, name: str) -> list[str]:
    """What is wrong with the page shown: its language, its direction, axe's serious findings."""
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    direction = page.evaluate("document.documentElement.dir || 'ltr'")
    if lang.split("-")[0] != language:
        problems.append(f"{name} ({language}): <html lang={lang!r}>, expected {language!r}")
    if direction != DIRECTIONS.get(language, "ltr"):
        problems.append(f"{name} ({language}): <html dir={direction!r}>")
    screenshot(page, language, name)
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    if failing:
        problems.append(f"{name} ({language}):\n{describe(failing)}")
    return problems


@pytest.fixture
def demo(make_app: Callable[..., Flask]) -> Flask:
    return demo_app(make_app)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_desk_and_a_verdict_page_in_each_language(
    chromium: Any, demo: Flask, db_session: Session, language: str
) -> None:
    axe_path()  # skip (or fail in CI) before loading anything when axe-core is unavailable
    set_public_language(db_session, language)
    context = chromium.new_context(locale=language, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems: list[str] = []
    try:
        serve_app(page, demo.test_client())
        page.goto(f"{ORIGIN}/login")
        problems += check_page(page, language, "sign-in")
        sign_in(page, *EDITOR)
        for name, path in [
            ("desk-home", "/"),
            ("claim-list", "/claims/"),
            ("claim", f"/claims/{desk_claim(db_session)}"),
            ("verdict-page", f"/checks/{published_slug(db_session)}"),
        ]:
            response = page.goto(f"{ORIGIN}{path}")
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            problems += check_page(page, language, name)
    finally:
        context.close()
    assert not errors, errors
    assert not problems, "\n".join(problems)
