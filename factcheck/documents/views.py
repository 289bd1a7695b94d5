"""Documents: adding them and reading them with their claims highlighted."""

from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/documents")
