"""The claims blueprint; its routes live in the modules named after what they show
(views: one claim; listing: the list and search; capture: capturing from a document)."""

from flask import Blueprint

bp = Blueprint("claims", __name__, url_prefix="/claims")
