"""The export page (reviewers and up): pick a format and filters, download the claims.

Downloads are GET requests (they change nothing, so no CSRF token) and stream:
the rows are read by a session of their own (:func:`factcheck.db.reading_session`)
while the response is sent, batch by batch.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.exports.catalogue import CLAIM_FORMATS, streamed_claim_chunks
from factcheck.exports.claims import CLAIM_COLUMNS, Viewer
from factcheck.exports.forms import ExportForm, export_form, validated_filter
from factcheck.exports.record import complete_record
from factcheck.exports.streams import dated_filename, download
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("exports", __name__, url_prefix="/exports")


def _form() -> ExportForm:
    formats = [(key, _(format_.label)) for key, format_ in CLAIM_FORMATS.items()]
    return export_form(db.session(), request.args, formats)


def _page(form: ExportForm) -> ResponseReturnValue:
    return render_template("exports/index.html", form=form, columns=CLAIM_COLUMNS), form_status(form)


@bp.route("/")
@requires(Permission.EXPORT)
def index() -> ResponseReturnValue:
    return _page(_form())


@bp.route("/claims")
@requires(Permission.EXPORT)
def claims() -> ResponseReturnValue:
    form = _form()
    claim_filter = validated_filter(db.session(), form)
    if claim_filter is None:
        return _page(form)
    format_ = CLAIM_FORMATS[form.format.data]
    viewer = Viewer.of(current_actor())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # The language is read now: the response streams after the request's context is gone.
    chunks = streamed_claim_chunks(app, format_.key, claim_filter, viewer, get_locale())
    return download(chunks, dated_filename("claims", format_.extension), format_.mimetype)


@bp.route("/claims/<id:claim_id>.json")
@requires(Permission.EXPORT)
def claim_record(claim_id: int) -> ResponseReturnValue:
    """One claim's complete record (factcheck/exports/record.py), as a download."""
    claim = get_or_404(Claim, claim_id)
    record = complete_record(db.session(), claim, Viewer.of(current_actor()))
    body = json.dumps(record, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="claim-{claim.id}.json"'
    return response
