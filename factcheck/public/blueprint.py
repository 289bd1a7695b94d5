"""The public site's blueprint; routes attach to it from the modules named after what they show."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
