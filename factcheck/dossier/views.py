"""The dossier of a claim, as a printable desk page and as a PDF download."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.db import session_scope
from factcheck.dossier import prepared
from factcheck.dossier.content import build_dossier
from factcheck.jobs.models import JobState
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("dossier", __name__, url_prefix="/claims")
# How often the "being prepared" page reloads itself (seconds).
PREPARING_REFRESH_SECONDS = 3


@bp.route("/<id:claim_id>/dossier")
@requires(Permission.EXPORT)
def show(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    dossier = build_dossier(db.session(), claim, current_actor())
    return render_template("dossier/show.html", claim=claim, tab="dossier", dossier=dossier)


@bp.route("/<id:claim_id>/dossier.pdf")
@requires(Permission.EXPORT)
def pdf(claim_id: int) -> ResponseReturnValue:
    """The PDF: from the cache; rendered now if small; else queued for the worker (docs/worker.md)."""
    claim = get_or_404(Claim, claim_id)
    viewer = current_actor()
    session = db.session()
    # @requires checked the permission; build_dossier checks it again, with blind ratings, wherever it renders.
    key = prepared.cache_key(session, claim, viewer, get_locale())
    path = prepared.cached_path(current_app, key)
    if path is None and len(claim.sources) <= prepared.inline_max_sources(current_app):
        path = prepared.render_and_store(current_app, session, claim, viewer, key, base_url=request.url)
    if path is not None:
        return _download(claim, path)
    # A GET's session reads (SQLite: a deferred transaction); the job goes in a short write of its own.
    with session_scope(current_app) as writer:
        failed = prepared.request_render(writer, key, base_url=request.url_root).state == JobState.FAILED
    response = Response(
        render_template(
            "dossier/preparing.html",
            claim=claim,
            failed=failed,
            refresh_seconds=PREPARING_REFRESH_SECONDS,
            source_count=len(claim.sources),
        ),
        # 202 while it is being prepared; a render that failed for good is an answer too.
        status=200 if failed else 202,
    )
    if not failed:
        response.headers["Retry-After"] = str(PREPARING_REFRESH_SECONDS)
    return response


def _download(claim: Claim, path: str) -> Response:
    rendered_on = datetime.fromtimestamp(os.path.getmtime(path), UTC).date()
    # Read whole: a PDF is a few MB at most, and no file stays open after the response.
    with open(path, "rb") as handle:
        response = Response(handle.read(), mimetype="application/pdf")
    response.headers.set(
        "Content-Disposition", "attachment", filename=prepared.download_name(claim, rendered_on)
    )
    # Internal notes: not for shared caches, nor the browser's.
    response.headers["Cache-Control"] = "private, no-store"
    return response
