"""The editor's verdict on a claim."""

from flask import Blueprint

bp = Blueprint("verdicts", __name__, url_prefix="/claims")
