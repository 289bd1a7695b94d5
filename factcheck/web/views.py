"""The home page and the health check."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from factcheck import db
from factcheck.home import views as home_views
from factcheck.security.permissions import public

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def home() -> ResponseReturnValue:
    """Staff get what waits for them (factcheck/home); signed out, the published checks."""
    return home_views.home()


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    """For load balancers: 200 when the app can reach its database."""
    db.session().execute(text("SELECT 1"))
    return {"status": "ok"}
