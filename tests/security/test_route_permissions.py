"""Every route of the app, asked by every kind of visitor: who gets in, who is refused.

The modules of ``tests/security/expected/`` list each (endpoint, method) of
``app.url_map`` with the status seen by an anonymous visitor, a reviewer, an
editor and an admin. A new route must be added there (the test names it), and
an entry for a removed route fails too.
POSTs send an empty form (CSRF is off in the test app), so a page that lets
the visitor in answers with its validation status (422) or its redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.security.permissions import declared_access, public
from tests.conftest import PASSWORD
from tests.security.expected import collect
from tests.security.expected.world import LOGIN, Status, World

VISITORS = ("anonymous", "reviewer", "editor", "admin")

EXPECTED, ARGUMENTS = collect()

# Routes that end the visitor's session run last.
RUN_LAST = {("accounts.logout", "POST")}


def routes(app: Flask) -> dict[tuple[str, str], set[str]]:
    """(endpoint, method) -> the route's argument names, for every rule of the app."""
    found: dict[tuple[str, str], set[str]] = {}
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.setdefault((rule.endpoint, method), set()).update(rule.arguments)
    return found


def url_of(app: Flask, endpoint: str, arguments: set[str], world: World) -> str:
    missing = arguments - ARGUMENTS.keys()
    assert not missing, f"route {endpoint} needs arguments {sorted(missing)}: add them to ARGUMENTS"
    with app.test_request_context():
        return url_for(endpoint, **{name: ARGUMENTS[name](world) for name in arguments})


def outcome(response: Any) -> Status:
    if response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login":
        return LOGIN
    return response.status_code


@pytest.fixture
def world(make_user: Callable[..., User], db_session: Session) -> World:
    return World(db_session, make_user)


def test_every_route_has_an_expected_access(app: Flask) -> None:
    unlisted = sorted(set(routes(app)) - EXPECTED.keys())
    assert not unlisted, f"routes without an entry in EXPECTED (say who may use them): {unlisted}"


def test_every_expected_route_exists(app: Flask) -> None:
    stale = sorted(EXPECTED.keys() - set(routes(app)))
    assert not stale, f"EXPECTED lists routes the app no longer has: {stale}"


@pytest.mark.parametrize("visitor", VISITORS)
def test_route_access(
    visitor: str,
    app: Flask,
    client: Any,
    world: World,
    login_as: Callable[[Role], User],
) -> None:
    if visitor != "anonymous":
        login_as(Role(visitor))
    column = VISITORS.index(visitor)
    found = routes(app)
    checked = sorted(set(found) & EXPECTED.keys(), key=lambda key: (key in RUN_LAST, key))
    wrong = []
    for endpoint, method in checked:
        url = url_of(app, endpoint, found[endpoint, method], world)
        response = client.open(url, method=method, data={} if method == "POST" else None)
        got = outcome(response)
        response.close()
        expected = EXPECTED[endpoint, method][column]
        if got != expected:
            wrong.append(f"{method} {url} ({endpoint}): expected {expected}, got {got}")
    assert not wrong, f"as {visitor}:\n" + "\n".join(wrong)


def test_every_view_declares_its_access(app: Flask) -> None:
    undeclared = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and declared_access(view) is None
    )
    assert not undeclared, f"views without @public or @requires(...): {undeclared}"


def test_a_view_without_declared_access_is_refused_even_to_admins(
    make_app: Callable[..., Flask], make_user: Callable[..., User]
) -> None:
    app = make_app()

    def forgotten() -> str:
        return "the secret page"

    @public
    def declared() -> str:
        return "the public page"

    app.add_url_rule("/throwaway/forgotten", "throwaway_forgotten", forgotten, methods=["GET", "POST"])
    app.add_url_rule("/throwaway/declared", "throwaway_declared", declared)
    client = app.test_client()

    anonymous = client.get("/throwaway/forgotten")
    assert anonymous.status_code == 403

    admin = make_user(Role.ADMIN)
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD}).status_code == 302
    for method in ("GET", "POST"):
        response = client.open("/throwaway/forgotten", method=method)
        assert response.status_code == 403, method
        assert b"the secret page" not in response.data
    # The same app serves a view that says who may use it.
    assert client.get("/throwaway/declared").data == b"the public page"
