"""Error pages: HTML for people, problem+json for the API."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from factcheck.security import events
from factcheck.security.models import SecurityEventKind
from factcheck.security.permissions import PermissionDenied

MESSAGES = {
    400: "The request could not be understood.",
    401: "Sign in or send an API token.",
    403: "You do not have permission to see this page.",
    404: "There is no page at this address.",
    405: "This page does not accept that kind of request.",
    413: "The upload is too large.",
    429: "Too many attempts. Please wait a few minutes and try again.",
    500: "Something went wrong on our side. The team has been told.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, message: str | None = None) -> ResponseReturnValue:
    message = message or MESSAGES.get(code, "Error")
    if _wants_json():
        from factcheck.api.core import problem

        return problem(code, message)
    return render_template("errors/error.html", code=code, message=message), code


def _with_headers(response: ResponseReturnValue, headers: dict[str, str]) -> ResponseReturnValue:
    if isinstance(response, Response):
        response.headers.update(headers)
        return response
    body, status = response  # type: ignore[misc]
    return body, status, headers


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ResponseReturnValue:
        typed = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
        # Never echo passwords back into a page.
        secret = any("password" in name for name, _value in typed)
        if request.method == "POST" and typed and not secret and not _wants_json():
            # Keep what the person typed: the same fields, with a fresh token, one click away.
            return render_template("errors/resubmit.html", fields=typed, action=request.full_path), 400
        return render_error(
            400,
            f"The form expired or was not sent from this site ({error.description}). "
            "Go back, reload the page and submit it again.",
        )

    @app.errorhandler(PermissionDenied)
    def _permission_denied(error: PermissionDenied) -> ResponseReturnValue:
        # An operation refused the actor: log it like the gate's refusals, answer 403 with why.
        events.record_after_request(SecurityEventKind.PERMISSION_DENIED, permission=str(error.permission))
        return render_error(403, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        # The API says what happened (werkzeug's description, or the one given to abort()).
        detail = error.description if _wants_json() and code < 500 else None
        response = render_error(code, detail)
        if code == 405 and getattr(error, "valid_methods", None):
            return _with_headers(response, {"Allow": ", ".join(error.valid_methods)})  # type: ignore[attr-defined]
        if code == 429:
            if request.endpoint == "accounts.login":
                events.record_after_request(
                    SecurityEventKind.LOGIN_THROTTLED, email=(request.form.get("email") or "")[:254]
                )
            retry_after = getattr(error, "retry_after", None)
            return _with_headers(response, {"Retry-After": str(retry_after)} if retry_after else {})
        return response

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> ResponseReturnValue:
        return render_error(500)
