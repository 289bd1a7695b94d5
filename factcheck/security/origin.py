"""Where an unsafe request comes from: refuse what another site sends (OWASP CSRF Prevention
Cheat Sheet, "Verifying origin with standard headers" and "Fetch Metadata").

Checked before the CSRF token (Flask-WTF), on every POST, PUT, PATCH and DELETE:

1. ``Sec-Fetch-Site`` when the browser sends it: ``same-origin`` and ``none`` (the person's
   own action) pass; ``same-site`` and ``cross-site`` are refused.
2. Else ``Origin``, else ``Referer``: its scheme, host and port must be this site's (the
   address the request arrived at, or ``PUBLIC_URL``). ``Origin: null`` is refused.
3. Neither header: every current browser sends ``Origin`` on a POST, so a request that
   presents itself as a browser (a ``Mozilla/`` user agent) without one is refused; other
   clients (scripts, the test client) pass on to the CSRF token, which they still need.

The JSON API (``/api/``) authenticates with bearer tokens, never the cookie: its requests
that carry no session cookie are not checked here (its blueprint is exempted from the CSRF
token too). One that does carry the cookie is checked like any form.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from factcheck.security import events
from factcheck.security.models import SecurityEventKind

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"

# Actions for which a failed CSRF check never offers the one-click "Please submit again"
# page (it would turn a forged request into one click): admin, roles, publishing, accounts.
SENSITIVE_BLUEPRINTS = frozenset(
    {"user_admin", "organisation", "rating_scale", "audit", "publishing", "accounts", "jobs", "webhooks"}
)


class Verdict(StrEnum):
    SAME_ORIGIN = "same-origin"  # positive evidence: the header names this site
    UNKNOWN = "unknown"  # no header to tell (a script)
    CROSS_SITE = "cross-site"


def _origin_of(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return parts.scheme.lower(), parts.netloc.lower()


def _own_origins() -> set[tuple[str, str]]:
    own = {_origin_of(request.host_url)}
    public_url = current_app.config.get("PUBLIC_URL")
    if public_url:
        own.add(_origin_of(public_url))
    return {origin for origin in own if origin}


def request_verdict() -> Verdict:
    """Whether this request came from one of this site's pages, another site, or cannot tell."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetch_site:
        return Verdict.SAME_ORIGIN if fetch_site in ("same-origin", "none") else Verdict.CROSS_SITE
    for header in ("Origin", "Referer"):
        value = request.headers.get(header, "").strip()
        if value:
            return Verdict.SAME_ORIGIN if _origin_of(value) in _own_origins() else Verdict.CROSS_SITE
    if request.user_agent.string.startswith("Mozilla/"):
        return Verdict.CROSS_SITE  # a browser that hides where the form came from
    return Verdict.UNKNOWN


def is_sensitive_action() -> bool:
    return request.blueprint in SENSITIVE_BLUEPRINTS


def _is_token_api_request() -> bool:
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return request.path.startswith(API_PREFIX) and cookie not in request.cookies


def init_app(app: Flask) -> None:
    # Registered before CSRFProtect, so a cross-site POST is refused here (403) before its
    # missing token would be.
    @app.before_request
    def _refuse_cross_site_requests() -> ResponseReturnValue | None:
        if request.method not in UNSAFE_METHODS or _is_token_api_request():
            return None
        verdict = request_verdict()
        g.request_origin = verdict
        if verdict != Verdict.CROSS_SITE:
            return None
        from factcheck.web.errors import render_error

        events.record_after_request(SecurityEventKind.PERMISSION_DENIED, permission="cross-site request")
        return render_error(
            403,
            _(
                "This form was sent from another site, so it was refused and nothing was changed. "
                "If you meant to do this, open the page on this site, reload it and submit again."
            ),
        )
