"""The micro-cache in front of the app: what it keeps, for whom, for how long, and what it never keeps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from unittest.mock import patch

import pytest
from werkzeug.test import Client

from factcheck.public import checks
from factcheck.public.microcache import MicroCache
from factcheck.publishing.models import PublicationKind

PUBLIC = [("Content-Type", "text/html"), ("Content-Length", "5"), ("Cache-Control", "public, max-age=300")]


class FakeApp:
    """A WSGI app answering with fixed headers, counting the calls that reach it."""

    def __init__(self, status: str = "200 OK", headers: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.headers = headers if headers is not None else [*PUBLIC, ("ETag", '"v1"')]
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        start_response(self.status, [*self.headers, ("X-Request-ID", f"app-{self.calls}")])
        return [b"he", b"llo"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cached(app: FakeApp, clock: Clock | None = None, seconds: int = 5) -> Client:
    return Client(
        MicroCache(app, seconds=seconds, session_cookie="factcheck_session", clock=clock or Clock())
    )


def test_a_repeat_is_answered_from_memory_with_its_own_request_id() -> None:
    app = FakeApp()
    client = cached(app)
    first = client.get("/checks/a")
    second = client.get("/checks/a")
    assert app.calls == 1
    assert first.data == second.data == b"hello"
    assert second.headers["Cache-Control"] == "public, max-age=300"
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    assert second.headers.getlist("X-Request-ID") == [second.headers["X-Request-ID"]]


def test_entries_expire() -> None:
    app, clock = FakeApp(), Clock()
    client = cached(app, clock, seconds=5)
    client.get("/checks/a")
    clock.now += 4.9
    client.get("/checks/a")
    assert app.calls == 1
    clock.now += 0.2
    client.get("/checks/a")
    assert app.calls == 2


def test_paths_queries_and_hosts_are_kept_apart() -> None:
    app = FakeApp()
    client = cached(app)
    client.get("/checks/a")
    client.get("/checks/b")
    client.get("/checks/a?page=2")
    client.get("/checks/a", headers={"Host": "other.example.org"})
    client.get("/checks/a", headers={"X-Forwarded-Host": "proxy.example.org"})
    assert app.calls == 5


def test_if_none_match_gets_a_304_without_a_body_and_head_gets_no_body() -> None:
    app = FakeApp()
    client = cached(app)
    client.get("/checks/a")
    not_modified = client.get("/checks/a", headers={"If-None-Match": 'W/"v0", "v1"'})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    assert not_modified.headers["ETag"] == '"v1"'
    assert client.get("/checks/a", headers={"If-None-Match": '"v0"'}).data == b"hello"
    head = client.head("/checks/a")
    assert head.status_code == 200 and head.data == b""
    assert app.calls == 1


@pytest.mark.parametrize(
    "status, headers",
    [
        ("404 NOT FOUND", [*PUBLIC]),
        ("200 OK", [*PUBLIC, ("Set-Cookie", "factcheck_session=x")]),
        ("200 OK", [("Content-Length", "5"), ("Cache-Control", "private")]),
        ("200 OK", [("Content-Length", "5"), ("Cache-Control", "public, no-store")]),
        ("200 OK", [("Content-Length", "5")]),
        ("200 OK", [*PUBLIC, ("Vary", "Cookie")]),
        # Streamed (no length): passed through, never buffered.
        ("200 OK", [("Cache-Control", "public")]),
    ],
    ids=[
        "not found",
        "sets a cookie",
        "private",
        "no-store",
        "no cache-control",
        "varies on cookie",
        "streamed",
    ],
)
def test_responses_that_are_not_shared_are_never_kept(status: str, headers: list[tuple[str, str]]) -> None:
    app = FakeApp(status, headers)
    client = cached(app)
    client.get("/x")
    client.get("/x")
    assert app.calls == 2


def test_signed_in_staff_always_reach_the_app() -> None:
    app = FakeApp()
    client = cached(app)
    client.get("/checks/a")
    client.set_cookie("factcheck_session", "abc")
    client.get("/checks/a")
    assert app.calls == 2


def test_scripts_with_a_token_always_reach_the_app() -> None:
    app = FakeApp()
    client = cached(app)
    client.get("/checks/a")
    client.get("/checks/a", headers={"Authorization": "Bearer token"})
    assert app.calls == 2


def test_only_get_fills_and_only_get_and_head_are_answered() -> None:
    app = FakeApp()
    client = cached(app)
    client.head("/checks/a")
    client.post("/checks/a")
    client.get("/checks/a")
    client.post("/checks/a")
    client.get("/checks/a")
    assert app.calls == 4


def test_the_cache_is_bounded() -> None:
    app = FakeApp()
    cache = MicroCache(app, seconds=60, session_cookie="s", max_entries=2, clock=Clock())
    client = Client(cache)
    for path in ("/a", "/b", "/c", "/a"):
        client.get(path)
    assert app.calls == 4
    assert len(cache.entries) == 2


def test_the_app_serves_a_verdict_page_from_the_micro_cache(make_app, published_check, revise_check) -> None:
    claim = published_check()
    app = make_app(PUBLIC_MICROCACHE_SECONDS=60)
    client = app.test_client()
    url = f"/checks/{claim.slug}"
    first = client.get(url)
    assert first.status_code == 200

    with patch.object(checks, "check_state", side_effect=AssertionError("reached the app")):
        again = client.get(url)
    assert again.data == first.data
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]

    # A new revision reaches signed-in staff at once; readers get it when the entry expires.
    revise_check(claim, PublicationKind.CORRECTION, "The range was misstated; corrected.")
    assert b"The range was misstated" not in app.test_client().get(url).data
    staff = app.test_client()
    staff.set_cookie(app.config["SESSION_COOKIE_NAME"], "anything")
    assert b"The range was misstated" in staff.get(url).data


def test_the_micro_cache_is_off_when_configured_so(make_app) -> None:
    app = make_app(PUBLIC_MICROCACHE_SECONDS=0)
    assert not isinstance(app.wsgi_app, MicroCache)
    assert isinstance(make_app(PUBLIC_MICROCACHE_SECONDS=5).wsgi_app, MicroCache)
