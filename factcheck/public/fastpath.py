"""The lean path for anonymous readers of verdict pages: stored HTML, answered before Flask.

A GET or HEAD of ``/checks/<slug>`` without the session cookie or an
``Authorization`` header is answered from :class:`~factcheck.public.models.StoredPage`
with one query by primary key, and none of Flask's request work (routing,
session, login, CSRF, rate limits). The response carries the same headers as
the app's (security headers, CSP, request id, caching, validators) and a 304
when the reader's copy is current. Anything else, or a page that is not stored
or no longer current, goes to the app, which renders it as before.

Signed-in staff (the session cookie) always get the app's page: the same
content, rendered from the latest revision at that moment.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.exc import DBAPIError
from werkzeug.http import http_date, parse_date, quote_etag

from factcheck.db import get_database
from factcheck.public import caching, stored
from factcheck.public.microcache import matches
from factcheck.web import headers
from factcheck.web.i18n import PREFIX_KEY

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

# A slug (factcheck/publishing/slugs.py) is one path segment; anything else is the app's.
_CHECK_PATH = re.compile(r"/checks/[^/]{1,300}")


class StoredPages:
    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session") + "="
        self.fixed = headers.security_headers(production=app.config["ENV"] == "production")
        self.cache_control = f"public, max-age={caching.PAGE_MAX_AGE}"
        # The site hash for each address the site is reached at (a handful).
        self._sites: dict[tuple[str, str, str], str] = {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if (
            method not in ("GET", "HEAD")
            or not _CHECK_PATH.fullmatch(path)
            or "HTTP_AUTHORIZATION" in environ
            or self.session_cookie in environ.get("HTTP_COOKIE", "")
            # Stored pages are in the organisation's language: another language's address is the app's.
            or PREFIX_KEY in environ
        ):
            return self.wsgi_app(environ, start_response)
        page = self._lookup(path)
        if page is None or page[3] != self._site(environ):
            return self.wsgi_app(environ, start_response)
        body, etag, last_modified = page[0], page[1], page[2]
        response_headers = [
            *self.fixed,
            ("X-Request-ID", uuid.uuid4().hex),
            ("Cache-Control", self.cache_control),
            ("ETag", quote_etag(etag)),
        ]
        if last_modified is not None:
            response_headers.append(("Last-Modified", http_date(last_modified.replace(microsecond=0))))
        if _fresh(environ, etag, last_modified):
            start_response("304 NOT MODIFIED", response_headers)
            return []
        response_headers += [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        start_response("200 OK", response_headers)
        return [] if method == "HEAD" else [bytes(body)]

    def _lookup(self, path: str) -> Any:
        try:
            return get_database(self.app).lookup(stored.LOOKUP, {"path": path})
        except DBAPIError:
            # The database is away (or was restarted under an idle pooled connection):
            # the app answers, with its 503 and Retry-After if it is still away.
            return None

    def _site(self, environ: Environ) -> str:
        key = (
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
        )
        site = self._sites.get(key)
        if site is None:
            # The same hash the app computes for the page (caching.site_key), from this address.
            with self.app.request_context(environ):
                site = stored.site_hash()
            if len(self._sites) < 64:
                self._sites[key] = site
        return site


def _fresh(environ: Environ, etag: str, last_modified: datetime | None) -> bool:
    """As caching.is_fresh: If-None-Match decides when sent, else If-Modified-Since."""
    wanted = environ.get("HTTP_IF_NONE_MATCH")
    if wanted:
        return matches(wanted, quote_etag(etag))
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and last_modified is not None and last_modified.replace(microsecond=0) <= since


def wrap(app: Flask) -> None:
    """Put the lean path in front of the app (inside the micro-cache, which may keep its answers)."""
    app.wsgi_app = StoredPages(app, app.wsgi_app)  # type: ignore[method-assign]
