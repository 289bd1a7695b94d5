"""The public site in another language than the organisation's, at its own addresses: ``/es/checks/...``.

A reader's language lives in the address, not in a cookie or ``Accept-Language``,
so every public page stays one shared, cacheable body per address (no ``Vary``).
This WSGI middleware moves a leading ``/<language>`` of a shipped language from
``PATH_INFO`` to ``SCRIPT_NAME``: the app routes ``/checks/...`` as usual, and
every ``url_for`` on the page (links, forms, feeds, canonical addresses) keeps
the prefix, so the reader stays in their language.

What the app does with a prefixed request (:func:`check_prefixed_request`):
public pages are served in the prefix's language; the organisation's own
language is answered with a redirect to the address without prefix (one address
per page and language); desk pages (which follow the person, not the address,
e.g. the public footer's "Staff sign in") are redirected to their address
without prefix, and the prefixed root to the prefixed index of fact checks.

It sits outside the lean path of stored verdict pages, which serves only
addresses without prefix (factcheck/public/fastpath.py), and inside the
micro-cache, whose key holds the whole address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, redirect, request, url_for
from flask.typing import ResponseReturnValue

from factcheck.web import i18n

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class LanguagePrefix:
    def __init__(self, wsgi_app: WSGIApp, languages: Iterable[str] = i18n.LANGUAGES) -> None:
        self.wsgi_app = wsgi_app
        self.languages = frozenset(languages)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        head, slash, rest = path[1:].partition("/")
        if path.startswith("/") and head in self.languages:
            script_name = environ.get("SCRIPT_NAME", "")
            environ[i18n.OUTER_SCRIPT_ROOT_KEY] = script_name
            environ[i18n.PREFIX_KEY] = head
            environ["SCRIPT_NAME"] = f"{script_name}/{head}"
            environ["PATH_INFO"] = slash + rest
        return self.wsgi_app(environ, start_response)


def _unprefixed(path: str) -> str:
    outside = request.environ.get(i18n.OUTER_SCRIPT_ROOT_KEY, "")
    query = request.query_string.decode("latin-1")
    return f"{outside}{path or '/'}" + (f"?{query}" if query else "")


def check_prefixed_request() -> ResponseReturnValue | None:
    """Before the request: send what a prefix does not apply to to its right address."""
    language = i18n.prefix_language()
    if language is None or request.endpoint == "static":
        return None
    if request.endpoint == "main.home":
        return redirect(url_for("public.checks"))
    public = request.blueprint == "public" or request.endpoint in i18n.PUBLIC_SITE_ENDPOINTS
    if request.endpoint is None or not public:
        # 308 keeps the method and body of a form sent to a desk address.
        return redirect(_unprefixed(request.path), 308)
    if language == i18n.public_language():
        return redirect(_unprefixed(request.path), 301)
    return None


def init_app(app: Flask) -> None:
    app.before_request(check_prefixed_request)


def wrap(app: Flask) -> None:
    app.wsgi_app = LanguagePrefix(app.wsgi_app)  # type: ignore[method-assign]
