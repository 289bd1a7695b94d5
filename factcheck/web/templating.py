"""What every template can use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from factcheck import db
from factcheck.organisation.details import publisher
from factcheck.security.permissions import Permission, can
from factcheck.web import markdown


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def organisation_name() -> str:
    """The organisation's name: the admin's saved settings, else the configured default.

    One primary-key read per request (kept in ``g``); outside a request, or when
    the request's transaction has failed (an error page), the configured name.
    """
    if not has_request_context():
        return current_app.config["ORGANISATION_NAME"]
    if "organisation_name" not in g:
        try:
            g.organisation_name = publisher(db.session()).name
        except SQLAlchemyError:
            return current_app.config["ORGANISATION_NAME"]
    return g.organisation_name


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["markdown"] = markdown.render

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "can": can,
            "Permission": Permission,
            "organisation_name": organisation_name(),
        }
