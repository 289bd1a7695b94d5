"""The team's discussion of a claim."""

from flask import Blueprint

bp = Blueprint("discussion", __name__, url_prefix="/claims")
