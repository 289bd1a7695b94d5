"""Blind ratings of a claim."""

from flask import Blueprint

bp = Blueprint("ratings", __name__, url_prefix="/claims")
