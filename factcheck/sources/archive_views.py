"""Archiving a source's page (staff), and a published claim's archived sources (public)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from factcheck import db
from factcheck.archive import serving
from factcheck.claims.models import Claim
from factcheck.public.blueprint import bp as public_bp
from factcheck.public.checks import check_state
from factcheck.publishing.operations import latest_revision
from factcheck.security.permissions import Permission, public, requires
from factcheck.sources import archiving
from factcheck.sources.models import Source
from factcheck.sources.views import bp
from factcheck.web.lookups import current_actor, get_or_404

# An archived page does not change: readers and caches may keep it.
PUBLIC_CACHE = "public, max-age=3600"


@bp.route("/<id:claim_id>/sources/<id:source_id>/archive", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def archive(claim_id: int, source_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    source = get_or_404(Source, source_id)
    if source.claim_id != claim.id:
        abort(404)
    try:
        archiving.request_archive(db.session(), current_actor(), source)
    except archiving.ArchiveError as error:
        flash(str(error), "error")
    else:
        flash(_("The source's page is being archived."), "info")
    return redirect(url_for("claims.show", claim_id=claim.id, _anchor=f"source-{source.id}"))


@public_bp.route("/checks/<slug>/archived")
@public
def archived_source(slug: str) -> ResponseReturnValue:
    """The archived copy of a source of a published fact check, by its address (``?url=``).

    Only addresses the published revision cites are served, so the archived copy of a
    source added to the draft since stays on the desk.
    """
    session = db.session()
    url = request.args.get("url", "")
    state = check_state(session, slug)
    if state is None or not url:
        abort(404)
    revision = latest_revision(session, state.claim_id)
    cited = {source.get("url") for source in (revision.snapshot.get("sources", []) if revision else [])}
    if url not in cited:
        abort(404)
    source = session.scalars(
        select(Source)
        .where(Source.claim_id == state.claim_id, Source.url == url, Source.snapshot_id.is_not(None))
        .order_by(Source.id)
        .limit(1)
    ).first()
    if source is None or source.snapshot is None:
        abort(404)
    return serving.archived_page(session, source.snapshot, cache=PUBLIC_CACHE)
