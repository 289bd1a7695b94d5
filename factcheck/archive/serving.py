"""Answering with an archived page: as a WARC download, or the page itself, sandboxed.

The archived page is someone else's HTML. It is served with a policy that runs
nothing and loads nothing (``sandbox`` without ``allow-scripts``, ``default-src
'none'``), so its scripts, forms and trackers are inert and it cannot reach the
app's cookies or pages; images and styles are not loaded either (they were not
archived). nosniff keeps browsers to the declared type.
"""

from __future__ import annotations

from flask import Response, abort
from sqlalchemy.orm import Session

from factcheck.archive import warc
from factcheck.archive.models import Snapshot
from factcheck.archive.snapshots import DamagedSnapshot, warc_bytes

ARCHIVED_PAGE_POLICY = "sandbox; default-src 'none'; form-action 'none'; frame-ancestors 'self'"


def _checked_warc(session: Session, snapshot: Snapshot) -> bytes:
    try:
        return warc_bytes(session, snapshot)
    except DamagedSnapshot:
        # The bytes no longer match the audited hash: serve nothing rather than a forged page.
        abort(410)


def warc_download(session: Session, snapshot: Snapshot) -> Response:
    response = Response(_checked_warc(session, snapshot), mimetype="application/warc")
    response.headers["Content-Disposition"] = f'attachment; filename="snapshot-{snapshot.id}.warc.gz"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def archived_page(session: Session, snapshot: Snapshot, *, cache: str = "private, no-store") -> Response:
    archived = warc.read_response(_checked_warc(session, snapshot))
    media_type = (archived.content_type or "text/html").split(";", 1)[0].strip().lower()
    if media_type not in ("text/html", "application/xhtml+xml", "text/plain"):
        media_type = "text/plain"
    charset = _charset(archived.content_type)
    response = Response(
        archived.body, content_type=f"{media_type}; charset={charset}" if charset else media_type
    )
    response.headers["Content-Security-Policy"] = ARCHIVED_PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = cache
    return response


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value.strip(' "').replace("-", "").replace("_", "").isalnum():
            return value.strip(' "')
    return None
