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
    for name, value in security_headers(production=current_app.config["ENV"] == "production"):
        headers.setdefault(name, value)
    headers["X-Request-ID"] = g.get("request_id", "")
    return response


def security_headers(*, production: bool) -> list[tuple[str, str]]:
    """The fixed security headers (also sent by the lean path, factcheck/public/fastpath.py)."""
    fixed = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
    ]
    if production:
        fixed.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return fixed


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
    if request.path.startswith("/api/") and "Cache-Control" in response.headers:
        # The API's own "private, no-cache" with its ETag: scripts revalidate (304), and no
        # browser page is involved (it never reads the session cookie).
        return response
    if desk or (has_session and "Cache-Control" not in response.headers):
        response.headers["Cache-Control"] = "no-store"
    return response
