"""The dossier of a claim, as a printable desk page and as a PDF download."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.dossier.content import build_dossier, pdf_filename
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor, get_or_404
from factcheck.web.pdf import render_pdf

bp = Blueprint("dossier", __name__, url_prefix="/claims")


@bp.route("/<id:claim_id>/dossier")
@requires(Permission.EXPORT)
def show(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    dossier = build_dossier(db.session(), claim, current_actor())
    return render_template("dossier/show.html", claim=claim, tab="dossier", dossier=dossier)


@bp.route("/<id:claim_id>/dossier.pdf")
@requires(Permission.EXPORT)
def pdf(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    dossier = build_dossier(db.session(), claim, current_actor())
    html = render_template("dossier/pdf.html", dossier=dossier)
    response = Response(render_pdf(html, base_url=request.url), mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=pdf_filename(dossier))
    # Internal notes: not for shared caches, nor the browser's.
    response.headers["Cache-Control"] = "private, no-store"
    return response
