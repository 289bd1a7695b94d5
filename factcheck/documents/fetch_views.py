"""Fetching a document's page again after a failed fetch."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from factcheck import db
from factcheck.documents import fetching
from factcheck.documents.models import Document
from factcheck.documents.operations import DocumentError
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("document_fetching", __name__, url_prefix="/documents")


@bp.route("/<id:document_id>/fetch", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def retry(document_id: int) -> ResponseReturnValue:
    document = get_or_404(Document, document_id)
    try:
        fetching.retry_fetch(db.session(), current_actor(), document)
    except DocumentError as error:
        flash(str(error), "error")
    else:
        flash(_("The page is being fetched again."), "info")
    return redirect(url_for("documents.show", document_id=document.id))
