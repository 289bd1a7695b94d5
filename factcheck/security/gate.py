"""The before-request gate: deny by default, enforce each view's declared access."""

from __future__ import annotations

from flask import Flask, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from factcheck.security import events
from factcheck.security.models import SecurityEventKind
from factcheck.security.permissions import PUBLIC, can, declared_access
from factcheck.web.urls import login_redirect

# What someone who must choose a new password may still do.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"accounts.account", "accounts.logout"})


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce_declared_access() -> ResponseReturnValue | None:
        if request.endpoint is None:
            return None  # 404 / 405 follow their own course
        view = current_app.view_functions.get(request.endpoint)
        access = declared_access(view)
        if request.endpoint == "static":
            return None
        if (
            request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
            and current_user.is_authenticated
            and current_user.must_change_password
        ):
            # An admin required a new password: nothing else (not even the desk's home) until it is set.
            flash(_("An admin asked you to choose a new password before you continue."), "info")
            return redirect(url_for("accounts.account"))
        if access == PUBLIC:
            return None
        if request.method == "OPTIONS" and getattr(request.url_rule, "provide_automatic_options", False):
            return None  # Flask's own answer (the Allow header, CORS preflights): runs no view
        if access is None:
            # A view that forgot to say who may use it is nobody's.
            current_app.logger.error("view %s declares no access; refused", request.endpoint)
            events.record_after_request(SecurityEventKind.PERMISSION_DENIED, permission="undeclared")
            abort(403)
        if not current_user.is_authenticated:
            # The API (factcheck/api/core.py) answers 401 itself before this; never a login page.
            if request.blueprint == "api":
                abort(401)
            return login_redirect()
        if not can(current_user, access):
            events.record_after_request(SecurityEventKind.PERMISSION_DENIED, permission=str(access))
            abort(403)
        return None
