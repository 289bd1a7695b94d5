"""Error pages: HTML for people, problem+json for the API.

They are rendered without the database: the request's transaction may be aborted,
the database unreachable, and a signed-in user's page would otherwise load the user
(Flask-Login's context processor) or the organisation's name. So the page template
gets only what is passed here, and the security headers are set on it directly.
"""

from __future__ import annotations

from flask import Flask, current_app, g, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from factcheck.security import events, origin
from factcheck.security.models import SecurityEventKind
from factcheck.security.permissions import PermissionDenied
from factcheck.web import headers

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Sign in or send an API token."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is no page at this address."),
    405: _l("This page does not accept that kind of request."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a few minutes and try again."),
    500: _l("Something went wrong on our side. The team has been told."),
    503: _l("The service is briefly unavailable. Nothing you sent was saved; please try again in a moment."),
}

# What a 503 asks clients to wait: a database restart or a SQLite write lock held by an import
# usually clears within seconds.
RETRY_AFTER_SECONDS = 5


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _organisation_name() -> str:
    # The name this request already read, else the configured one: never a query here.
    return g.get("organisation_name") or current_app.config["ORGANISATION_NAME"]


def render_error(code: int, message: str | None = None, *, retry_after: int | None = None) -> Response:
    message = str(message or MESSAGES.get(code) or _("Error"))
    if _wants_json():
        from factcheck.api.core import problem

        response = problem(code, message)
    else:
        # The environment's own render: no context processors, so nothing that queries.
        page = current_app.jinja_env.get_template("errors/error.html").render(
            code=code, message=message, retry_after=retry_after, organisation_name=_organisation_name()
        )
        response = make_response(page, code)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return headers.apply(response)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ResponseReturnValue:
        typed = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
        # Never echo passwords back into a page.
        secret = any("password" in name for name, _value in typed)
        if origin.is_sensitive_action():
            # Admin, role, publishing and account actions: no one-click resubmit, which would turn
            # a forged request into one click; the person reloads the real page instead.
            return render_error(
                403,
                _(
                    "This action was refused because its form had expired or did not come from this site; "
                    "nothing was changed. Reload the page and do it again."
                ),
            )
        same_origin = g.get("request_origin") == origin.Verdict.SAME_ORIGIN
        if request.method == "POST" and typed and not secret and same_origin and not _wants_json():
            # Keep what the person typed: the same fields, with a fresh token, one click away.
            # Only for a form this site's own page sent (an expired token), never for one of unknown origin.
            return render_template("errors/resubmit.html", fields=typed, action=request.full_path), 400
        return render_error(
            400,
            _(
                "The form expired or was not sent from this site (%(reason)s). "
                "Go back, reload the page and submit it again.",
                reason=error.description,
            ),
        )

    @app.errorhandler(PermissionDenied)
    def _permission_denied(error: PermissionDenied) -> ResponseReturnValue:
        # An operation refused the actor: log it like the gate's refusals, answer 403 with why.
        events.record_after_request(SecurityEventKind.PERMISSION_DENIED, permission=str(error.permission))
        return render_error(403, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code == 429 and request.endpoint == "accounts.login":
            events.record_after_request(
                SecurityEventKind.LOGIN_THROTTLED, email=(request.form.get("email") or "")[:254]
            )
        # The API says what happened (werkzeug's description, or the one given to abort()).
        detail = error.description if _wants_json() and code < 500 else None
        retry_after = getattr(error, "retry_after", None) if code in (429, 503) else None
        response = render_error(code, detail, retry_after=int(retry_after) if retry_after else None)
        if code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeoutError)
    def _database_unavailable(error: Exception) -> ResponseReturnValue:
        # The database is down, restarting, or (SQLite) its write lock was not free in time:
        # the request did nothing, and may simply be sent again.
        current_app.logger.warning("database unavailable: %s", str(error).splitlines()[0])
        return render_error(503, retry_after=RETRY_AFTER_SECONDS)

    @app.errorhandler(PendingRollbackError)
    def _transaction_unusable(error: PendingRollbackError) -> ResponseReturnValue:
        # A statement earlier in the request lost the connection (db.init_app notes it) and
        # later code used the session again, e.g. the header's unread count while rendering:
        # the same outage as above. Without a lost connection it is a bug: a 500, logged.
        if g.get("database_lost") is not None:
            return _database_unavailable(error)
        current_app.log_exception((type(error), error, error.__traceback__))
        return render_error(500)

    @app.errorhandler(500)
    def _server_error(_error: Exception) -> ResponseReturnValue:
        return render_error(500)
