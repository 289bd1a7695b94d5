"""The security headers every response carries, error pages included."""

from __future__ import annotations

from flask import current_app, g
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",  # the organisation's logo may live on its own site
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def apply(response: Response) -> Response:
    """Add the headers (idempotent). Called after every request and by the error pages
    themselves, so a failing after-request hook cannot leave an error page without them."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Request-ID"] = g.get("request_id", "")
    if current_app.config["ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def no_store_unless_shared(response: Response) -> Response:
    """``Cache-Control: no-store`` on desk pages and downloads, and on anything answered to a
    browser with the session cookie that did not say how to cache it.

    A shared computer's browser cache, or the back button after signing out, must not show a
    desk page again. Public pages that mark themselves cacheable (``Cache-Control: public``,
    factcheck/public/caching.py) keep their caching, whoever asks.
    """
    from flask import request

    from factcheck.security.permissions import PUBLIC, declared_access

    view = current_app.view_functions.get(request.endpoint or "")
    desk = view is not None and request.endpoint != "static" and declared_access(view) != PUBLIC
    has_session = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    if "no-store" in response.headers.get("Cache-Control", ""):
        return response  # already said (a download's "private, no-store")
    if g.get("api_token") is not None:
        # A token's API response: the API said "private, no-cache" (factcheck/api/core.py), so
        # a client may keep it and revalidate by ETag; no browser session or shared cache is involved.
        return response
    if desk or (has_session and "Cache-Control" not in response.headers):
        response.headers["Cache-Control"] = "no-store"
    return response
