"""The claims export through the API: the export page's formats and filters, streamed
(factcheck/exports/catalogue.py), with the blind rule for ratings as on the page."""

from __future__ import annotations

from flask import Response, current_app
from spectree import Response as Responses

from factcheck import db
from factcheck.api.core import bp, field_problem
from factcheck.api.schemas import ExportQuery, Problem
from factcheck.api.spec import spec
from factcheck.exports.catalogue import CLAIM_FORMATS, streamed_claim_chunks
from factcheck.exports.claims import InvalidFilter, Viewer, parse_filter
from factcheck.exports.streams import dated_filename, download
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor


@bp.get("/exports/claims")
@requires(Permission.EXPORT)
@spec.validate(
    resp=Responses("HTTP_200", HTTP_401=Problem, HTTP_403=Problem, HTTP_422=Problem), tags=["exports"]
)
def export_claims(query: ExportQuery) -> Response:
    """The claims matching the filters as a download in ``format`` (CSV, XLSX, JSON, NDJSON, or
    the ClaimReview feed of published ones), streamed as it is read. Ratings are blind as on
    the desk: a reviewer gets the ratings only of the claims they rated themselves."""
    session = db.session()
    try:
        claim_filter = parse_filter(
            session,
            date_field=query.date_field,
            date_from=query.date_from,
            date_to=query.date_to,
            state=query.state,
            label=query.label,
            tag=query.tag,
            reviewer=query.reviewer,
            claimant=query.claimant,
        )
    except InvalidFilter as error:
        return field_problem(error.field, error.message[:1].upper() + error.message[1:] + ".")
    format_ = CLAIM_FORMATS[query.format]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    chunks = streamed_claim_chunks(app, format_.key, claim_filter, Viewer.of(current_actor()))
    return download(chunks, dated_filename("claims", format_.extension), format_.mimetype)
