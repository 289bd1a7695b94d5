"""A real Chromium (Debian's /usr/bin/chromium, never a downloaded one) for the browser tests.

:func:`serve_app` routes every request the page makes to ``http://factcheck.test``
through a Flask test client, so the browser sees the real app (its pages,
scripts and Content-Security-Policy) inside the test's database transaction,
without a server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://factcheck.test"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    page = context.new_page()
    # Any error the page logs (a script failure, a CSP violation) fails the test.
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()
    assert not errors, errors


def serve_app(page: Any, client: FlaskClient) -> None:
    """Answer the page's requests to ORIGIN with the app, through ``client`` (and its sign-in cookie).

    Chromium does not route the request that follows a fulfilled redirect, so
    redirects are followed here: after a form's redirect the page shows where it
    led, while ``page.url`` stays the address the form was sent to.
    """

    def handle(route: Any, request: Any) -> None:
        address = urlsplit(request.url)
        path = address.path + (f"?{address.query}" if address.query else "")
        # The browser's language too: the desk answers in it (tests/browser/test_languages.py).
        sent = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in {"content-type", "accept", "accept-language"}
        }
        response = client.open(
            path, method=request.method, headers=sent, data=request.post_data_buffer, follow_redirects=True
        )
        body = response.get_data()
        response.close()
        route.fulfill(status=response.status_code, headers=dict(response.headers), body=body)

    page.route(f"{ORIGIN}/**", handle)


def demo_app(make_app: Callable[..., Flask], **config: Any) -> Flask:
    """An app with CSRF on (forms as a browser sends them) over the demo data."""
    app = make_app(WTF_CSRF_ENABLED=True, **config)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def desk(make_app: Callable[..., Flask]) -> Flask:
    return demo_app(make_app)


def sign_in(page: Any, email: str, password: str) -> str:
    """Sign in through the real form (CSRF token and all); the text of the page it leads to."""
    page.goto(f"{ORIGIN}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page.inner_text("body")
