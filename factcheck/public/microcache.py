"""A micro-cache in front of the app for the public site's shared responses.

Public pages are the same for every reader and change only when a revision is
published, so this WSGI middleware keeps each shared response (a 200 the app
marked ``Cache-Control: public``, without ``Set-Cookie``, with a known length)
for ``PUBLIC_MICROCACHE_SECONDS`` and answers repeats without entering Flask
at all: no routing, no session, no database. It also answers ``If-None-Match``
with 304 from what it holds.

Freshness: a new revision reaches readers served by this process after at
most ``PUBLIC_MICROCACHE_SECONDS`` (browsers may keep a page for
``max-age`` longer anyway). Requests that carry the app's session cookie (staff
who just published and want to see the result) or an ``Authorization`` header
always go to the app, as do methods other than GET and HEAD.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from factcheck.public.caching import LRUCache

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
Key = tuple[str, ...]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

# Larger bodies (a big sitemap, say) are not worth holding twice in memory.
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    expires: float


class MicroCache:
    def __init__(
        self,
        app: WSGIApp,
        *,
        seconds: float,
        session_cookie: str,
        max_entries: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.session_cookie = session_cookie + "="
        self.clock = clock
        self.entries: LRUCache[Entry] = LRUCache(max_entries)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD") or not self._anonymous(environ):
            return self.app(environ, start_response)
        key = _key(environ)
        entry = self._get(key)
        if entry is not None:
            return self._answer(entry, environ, start_response, method)
        return self._fill(key, environ, start_response)

    def _anonymous(self, environ: Environ) -> bool:
        return "HTTP_AUTHORIZATION" not in environ and self.session_cookie not in environ.get(
            "HTTP_COOKIE", ""
        )

    def _get(self, key: Key) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None and entry.expires <= self.clock():
            self.entries.discard(key)
            return None
        return entry

    def _answer(
        self, entry: Entry, environ: Environ, start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        # Each answer is its own request as far as logs and support are concerned.
        headers = [*entry.headers, ("X-Request-ID", uuid.uuid4().hex)]
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if wanted and entry.etag and matches(wanted, entry.etag):
            kept = [(name, value) for name, value in headers if name.lower() not in _NOT_IN_304]
            start_response("304 NOT MODIFIED", kept)
            return []
        start_response(entry.status, headers)
        return [] if method == "HEAD" else [entry.body]

    def _fill(self, key: Key, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = self.app(environ, capture)
        headers = captured.get("headers")
        if (
            environ["REQUEST_METHOD"] != "GET"
            or headers is None
            or not self._storable(captured["status"], headers)
        ):
            return result
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        if len(body) <= MAX_BODY_BYTES:
            stored = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            etag = next((value for name, value in headers if name.lower() == "etag"), None)
            self.entries.put(key, Entry(captured["status"], stored, body, etag, self.clock() + self.seconds))
        return [body]

    @staticmethod
    def _storable(status: str, headers: list[tuple[str, str]]) -> bool:
        if not status.startswith("200"):
            return False
        names = {name.lower(): value for name, value in headers}
        if "set-cookie" in names or "content-length" not in names:
            return False
        if "cookie" in names.get("vary", "").lower():
            return False
        directives = {part.strip().lower() for part in names.get("cache-control", "").split(",")}
        return "public" in directives and "no-store" not in directives


def _key(environ: Environ) -> Key:
    """Everything the app builds absolute addresses from, then the path and query."""
    return (
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_HOST", ""),
        environ.get("HTTP_X_FORWARDED_HOST", ""),
        environ.get("HTTP_X_FORWARDED_PROTO", ""),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
    )


_NOT_IN_304 = frozenset({"content-length", "content-type"})


def matches(header: str, etag: str) -> bool:
    """If-None-Match (weak comparison, RFC 9110): any listed tag equal to ours, or ``*``."""
    ours = etag.removeprefix("W/")
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == ours:
            return True
    return False


def wrap(app: Any) -> None:
    """Put the micro-cache in front of ``app.wsgi_app`` when ``PUBLIC_MICROCACHE_SECONDS`` > 0."""
    seconds = int(app.config.get("PUBLIC_MICROCACHE_SECONDS") or 0)
    if seconds <= 0:
        return
    app.wsgi_app = MicroCache(
        app.wsgi_app,
        seconds=seconds,
        session_cookie=app.config.get("SESSION_COOKIE_NAME", "session"),
    )
