"""Small request helpers every feature's views share."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from factcheck import db

Model = TypeVar("Model")


def current_actor() -> Any:
    """The signed-in user as a model object (not Flask-Login's proxy), for operations."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def get_or_404(model: type[Model], record_id: int) -> Model:
    record = db.session().get(model, record_id)
    if record is None:
        abort(404)
    return record
