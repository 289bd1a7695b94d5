"""HTTP caching of the public site: validators, conditional answers and an in-process page cache.

A published revision never changes, so what a public page shows is fixed by a
few small facts: the claim's latest revision (or, for lists and feeds, the
newest publication and how many there are), the organisation's settings, the
configuration that goes into links and names, and the deployed templates.
Those facts make the cache key; its hash is the page's strong ``ETag``.

Views compute the key with one small query, answer ``If-None-Match`` /
``If-Modified-Since`` with 304 before reading anything else, and otherwise
serve the rendered bytes from a bounded, thread-safe LRU cache kept on
``app.extensions``, rendering only on a miss.

The public layout holds nothing about who is asking, so one cached body suits
every reader; these responses carry ``Cache-Control: public`` and never set a
cookie (see :func:`no_session_cookie`).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from factcheck.web.i18n import prefix_language

V = TypeVar("V")

EXTENSION = "factcheck_public_cache"
# Configuration that changes what public pages say (names, addresses).
CONFIG_KEYS = (
    "PUBLIC_URL",
    "ORGANISATION_NAME",
    "ORGANISATION_URL",
    "APPLICATION_ROOT",
    "PREFERRED_URL_SCHEME",
)
PAGE_MAX_AGE = 300
# A flag on ``g``: this response is shared by every reader, so it must not touch the session cookie.
_SHARED = "public_shared_response"


class LRUCache(Generic[V]):
    """A small, bounded, thread-safe least-recently-used mapping (rendered bodies, micro-cache entries)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max(0, int(max_entries))
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        if self.max_entries == 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


@dataclass
class PublicCache:
    """The app's caches: verdict pages, and lists and feeds (kept apart, so searches never evict pages)."""

    pages: LRUCache[bytes]
    lists: LRUCache[bytes]
    fingerprint: str


def _templates_fingerprint(app: Flask) -> str:
    """A hash of the public templates, so a deploy that changes them changes every ETag."""
    digest = hashlib.sha256()
    root = os.path.join(app.template_folder or "templates", "public")
    if os.path.isdir(root):
        for folder, _dirs, files in sorted(os.walk(root)):
            for name in sorted(files):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, root).encode())
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()[:16]


def init_app(app: Flask) -> PublicCache:
    cache = PublicCache(
        pages=LRUCache(app.config.get("PUBLIC_PAGE_CACHE_SIZE", 512)),
        lists=LRUCache(app.config.get("PUBLIC_LIST_CACHE_SIZE", 128)),
        fingerprint=_templates_fingerprint(app),
    )
    app.extensions[EXTENSION] = cache
    _keep_shared_responses_cookieless(app)
    return cache


def get_cache(app: Flask | None = None) -> PublicCache:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions[EXTENSION]


# --- validators ------------------------------------------------------------------


def site_key() -> tuple[Any, ...]:
    """What every public page depends on besides the data: configuration, the address the
    site is reached at when ``PUBLIC_URL`` is unset, and the deployed templates."""
    config = current_app.config
    base = "" if config.get("PUBLIC_URL") else request.host_url
    return (
        get_cache().fingerprint,
        tuple(str(config.get(name) or "") for name in CONFIG_KEYS),
        base,
        request.script_root,
    )


def stamp(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value is not None else "-"


def make_etag(kind: str, parts: Iterable[Any]) -> str:
    """A strong validator (the hex digest, quoted by werkzeug) for these facts of this site."""
    # The address's language: the same facts make a page per language. (Without a prefix, the
    # organisation's language, which is part of the settings every key holds.)
    material = repr((kind, tuple(parts), site_key(), prefix_language() or ""))
    return hashlib.sha256(material.encode()).hexdigest()[:40]


def latest_of(*values: datetime | None) -> datetime | None:
    present = [value for value in values if value is not None]
    return max(present) if present else None


def is_fresh(etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy is current: If-None-Match decides when sent, else If-Modified-Since."""
    if request.if_none_match:
        # If-None-Match compares weakly (RFC 9110), so a proxy that weakened our ETag still gets a 304.
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    if since is not None and last_modified is not None:
        return last_modified.replace(microsecond=0) <= since
    return False


def _validators(response: Response, etag: str, last_modified: datetime | None, max_age: int) -> Response:
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def not_modified(etag: str, last_modified: datetime | None, max_age: int = PAGE_MAX_AGE) -> Response:
    """The 304 answer: validators and caching headers, no body."""
    shared_response()
    return _validators(Response(status=304), etag, last_modified, max_age)


def serve(
    cache: LRUCache[bytes] | None,
    etag: str,
    last_modified: datetime | None,
    render: Callable[[], str | bytes],
    *,
    mimetype: str = "text/html",
    max_age: int = PAGE_MAX_AGE,
    status: int = 200,
) -> Response:
    """The cached body for ``etag`` (rendered and stored on a miss), with validators; 304 when fresh."""
    if status == 200 and is_fresh(etag, last_modified):
        return not_modified(etag, last_modified, max_age)
    body = cache.get(etag) if cache is not None else None
    if body is None:
        rendered = render()
        body = rendered.encode() if isinstance(rendered, str) else rendered
        if cache is not None and status == 200:
            cache.put(etag, body)
    response = Response(body, status=status, mimetype=mimetype)
    shared_response()
    if status != 200:
        return response
    return _validators(response, etag, last_modified, max_age)


def streamed(response: Response, etag: str, last_modified: datetime | None, max_age: int) -> Response:
    """Validators and caching headers for a response streamed by the caller."""
    shared_response()
    return _validators(response, etag, last_modified, max_age)


# --- no cookie on shared responses -------------------------------------------------


def shared_response() -> None:
    """Mark this request's response as one body for every reader: no cookie is set or varied on."""
    g.setdefault(_SHARED, True)


class _SharedAwareSessionInterface(SecureCookieSessionInterface):
    """The app's cookie sessions, except that a shared public response never saves the session.

    Flask-Login looks into the session after every request, which would add
    ``Vary: Cookie`` (and a refreshed cookie could add ``Set-Cookie``) to pages
    that are the same for everyone and cached by browsers and proxies. A public
    page changes nothing in a session, so there is nothing to save.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if g.get(_SHARED):
            return
        super().save_session(app, session, response)


def _keep_shared_responses_cookieless(app: Flask) -> None:
    app.session_interface = _SharedAwareSessionInterface()
