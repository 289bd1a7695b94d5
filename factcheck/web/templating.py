"""What every template can use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask

from factcheck.security.permissions import Permission, can
from factcheck.web import markdown


def format_datetime(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["markdown"] = markdown.render

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "can": can,
            "Permission": Permission,
            "organisation_name": app.config["ORGANISATION_NAME"],
        }
