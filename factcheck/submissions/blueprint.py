"""The reader submissions blueprint: public forms and the editors' queue."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("submissions", __name__)
