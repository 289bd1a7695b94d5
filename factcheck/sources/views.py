"""Sources of a claim: add, edit, remove."""

from flask import Blueprint

bp = Blueprint("sources", __name__, url_prefix="/claims")
