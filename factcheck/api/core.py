"""The JSON API's conventions: bearer tokens, problem details, ETags, rate limits, CORS.

- Every request to ``/api/`` authenticates by ``Authorization: Bearer <token>``
  only. The session cookie is never read (Flask-Login's user for the request is
  set here, before anything asks), so a browser's cookies give a script on another
  site nothing, which is why the API needs no CSRF token.
- A read token is refused every method that writes (403).
- The audit history names the token's user and the token (origin ``api``).
- Errors are ``application/problem+json`` (RFC 9457), also for unknown ``/api/``
  addresses (factcheck/web/errors.py).
- Reads carry an ``ETag`` (a digest of the body) and answer ``If-None-Match`` with 304.
- Limits are counted per token (``API_RATE_LIMIT``); over it, 429 with ``Retry-After``.
- No CORS header is sent unless ``API_CORS_ORIGINS`` names the requesting origin.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin
from werkzeug.http import HTTP_STATUS_CODES

from factcheck import db
from factcheck.accounts.models import TokenScope
from factcheck.api import tokens
from factcheck.audit.changesets import set_actor
from factcheck.audit.web import request_actor
from factcheck.db import get_database
from factcheck.security.permissions import PUBLIC, declared_access
from factcheck.security.ratelimit import limiter

PREFIX = "/api/v1"
PROBLEM_JSON = "application/problem+json"
bp = Blueprint("api", __name__, url_prefix=PREFIX)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_USE = "api_token_use"


# --- problem details --------------------------------------------------------------


def problem(
    status: int,
    detail: str,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """An RFC 9457 problem: ``type``, ``title``, ``status``, ``detail``; ``errors`` maps
    each field (dotted for nested ones: ``appearance.quote``) to its messages."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = {name: list(messages) for name, messages in errors.items()}
    body.update(extra)
    response = Response(json.dumps(body, default=_json_default), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_problem(field: str, message: str, status: int = 422) -> Response:
    return problem(status, message, errors={field: [message]})


def unauthorized(detail: str) -> Response:
    return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="factcheck"'})


# --- JSON bodies and ETags ------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def etag_of(data: Any) -> str:
    """The entity tag of a representation: a digest of its JSON, so any change changes it."""
    canonical = json.dumps(data, default=_json_default, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def json_response(
    data: Any, status: int = 200, *, headers: Mapping[str, str] | None = None, etag: bool = True
) -> Response:
    """``data`` as JSON with its ETag; a GET whose If-None-Match holds it gets 304."""
    response = Response(json.dumps(data, default=_json_default), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if etag:
        response.set_etag(etag_of(data))
        if request.method in ("GET", "HEAD") and status == 200:
            response.make_conditional(request)
    return response


def if_match_fails(current: Any) -> bool:
    """Whether an If-Match header was sent and names another version than ``current``'s."""
    if not request.if_match:
        return False
    return not request.if_match.contains(etag_of(current))


# --- authentication ---------------------------------------------------------------------


def _is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _authenticate() -> ResponseReturnValue | None:
    if not _is_api_request():
        return None
    # Flask-Login asks for the user here, never the session cookie: set it before anyone asks.
    g._login_user = AnonymousUserMixin()
    if request.method == "OPTIONS" or request.endpoint is None:
        return None  # preflights, 404 and 405 need no token
    public = declared_access(current_app.view_functions.get(request.endpoint)) == PUBLIC
    header = request.headers.get("Authorization", "")
    if not header:
        if public:
            return None
        return unauthorized("Send an API token: Authorization: Bearer <token>.")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return unauthorized("The Authorization header must be: Bearer <token>.")
    session = db.session()
    try:
        token = tokens.authenticate(session, presented.strip())
    except tokens.TokenRefused as refused:
        return unauthorized(str(refused))
    user = token.user
    g._login_user = user
    g.api_token = token
    g.setdefault(_USE, (token.id, token.last_used_at))
    if request.method not in READ_METHODS and token.scope != TokenScope.WRITE:
        return problem(403, f"The token {token.prefix} may only read; this needs a write token.")
    set_actor(session, request_actor())
    return None


def rate_limit_key() -> str:
    """Counted per token (authenticated before the limiter runs), else per client address."""
    token = g.get("api_token")
    return f"api-token:{token.id}" if token is not None else get_remote_address()


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _cors_origins() -> set[str]:
    configured = current_app.config.get("API_CORS_ORIGINS") or ""
    return {origin.strip().rstrip("/") for origin in configured.replace(",", " ").split() if origin.strip()}


def _after_api_request(response: Response) -> Response:
    if not _is_api_request():
        return response
    origin = request.headers.get("Origin")
    if origin and origin.rstrip("/") in _cors_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Location, Retry-After, X-Request-ID"
        response.vary.add("Origin")
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = (
                "Authorization, Content-Type, If-Match, If-None-Match"
            )
            response.headers["Access-Control-Max-Age"] = "600"
    if g.get("api_token") is not None:
        # A person's data: no shared cache may keep it; the client may, revalidating by ETag
        # (an export's download says no-store: nobody keeps it).
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Authorization")
    if response.status_code >= 500:
        g.pop(_USE, None)
    return response


def _record_token_use(_exc: BaseException | None) -> None:
    use = g.pop(_USE, None)
    if use is None:
        return
    token_id, last_known = use
    session = get_database(current_app).write_sessions()
    try:
        tokens.record_use(session, token_id, last_known)
        session.commit()
    except Exception:
        session.rollback()
        current_app.logger.exception("could not record the use of API token %s", token_id)
    finally:
        session.close()


def init_app(app: Flask) -> None:
    """Before the rate limiter and the access gate, so both see the token's user."""
    app.before_request(_authenticate)
    app.after_request(_after_api_request)
    app.teardown_request(_record_token_use)


def _refuse_other_bodies() -> ResponseReturnValue | None:
    if request.method in READ_METHODS or request.method == "DELETE":
        return None
    if request.content_length == 0 and not request.data:
        return None
    if request.mimetype != "application/json":
        return problem(415, "Send the request body as JSON (Content-Type: application/json).")
    if request.get_json(silent=True) is None:
        return problem(400, "The request body is not valid JSON.")
    return None


bp.before_request(_refuse_other_bodies)
limiter.limit(_rate_limit, key_func=rate_limit_key)(bp)
