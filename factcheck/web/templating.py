"""What every template can use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context
from flask_babel import get_locale
from sqlalchemy.exc import SQLAlchemyError

from factcheck import db
from factcheck.organisation.details import publisher
from factcheck.security.permissions import Permission, can
from factcheck.web import formatting, markdown


def _page_language() -> Any:
    # The request's language (factcheck/web/i18n.py); English outside a request.
    return get_locale() if has_request_context() else formatting.SOURCE_LANGUAGE


def format_datetime(value: datetime | None) -> str:
    """``|datetime``: a moment in the page's language, in UTC (factcheck/web/formatting.py); in a
    right-to-left language isolated, so it keeps its order in any surrounding text."""
    language = _page_language()
    return formatting.isolated(formatting.format_datetime(value, language), language)


def format_date(value: date | datetime | None) -> str:
    """``|date``: a day in the page's language."""
    language = _page_language()
    return formatting.isolated(formatting.format_date(value, language), language)


def format_number(value: int | float | None) -> str:
    """``|number``: a count or figure with the page's digits and separators."""
    return formatting.format_number(value, _page_language())


def format_percent(value: float | None) -> str:
    """``|percent``: a share (0.5) as a percentage in the page's language."""
    return formatting.format_percent(value, _page_language())


def format_timeago(value: datetime | None) -> str:
    """``|timeago``: "3 days ago" in the page's language."""
    language = _page_language()
    return formatting.isolated(formatting.format_timeago(value, language), language)


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
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["timeago"] = format_timeago
    app.jinja_env.filters["markdown"] = markdown.render

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "can": can,
            "Permission": Permission,
            "organisation_name": organisation_name(),
        }
