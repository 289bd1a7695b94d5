"""Archived snapshots on the desk: the page as archived (sandboxed) and its WARC."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from factcheck import db
from factcheck.archive import serving
from factcheck.archive.models import Snapshot
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import get_or_404

bp = Blueprint("archive", __name__, url_prefix="/snapshots")


@bp.route("/<id:snapshot_id>")
@requires(Permission.READ_DESK)
def page(snapshot_id: int) -> ResponseReturnValue:
    return serving.archived_page(db.session(), get_or_404(Snapshot, snapshot_id))


@bp.route("/<id:snapshot_id>.warc.gz")
@requires(Permission.READ_DESK)
def download(snapshot_id: int) -> ResponseReturnValue:
    return serving.warc_download(db.session(), get_or_404(Snapshot, snapshot_id))
