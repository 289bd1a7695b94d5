"""Expected access to archived pages: snapshots, archiving a source, fetching a document again.

Snapshots are staff material (the archived page and its WARC): anyone on the desk.
The public archived copy of a source is only for sources a published revision
cites; the world's published claim cites none, so everyone gets 404.
"""

from __future__ import annotations

from datetime import UTC, datetime

from factcheck.archive import snapshots
from factcheck.archive.fetching import Fetched
from factcheck.archive.models import Snapshot
from factcheck.documents.extract import Extracted
from tests.security.expected.world import LOGIN, Expected, World

EXPECTED: Expected = {
    ("archive.page", "GET"): (LOGIN, 200, 200, 200),
    ("archive.download", "GET"): (LOGIN, 200, 200, 200),
    # Archiving a source: anyone on the desk; it goes to the worker, back to the claim page.
    ("sources.archive", "POST"): (LOGIN, 302, 302, 302),
    # Fetching a document again: anyone on the desk (the world's document was not fetched: back to it).
    ("document_fetching.retry", "POST"): (LOGIN, 302, 302, 302),
    ("public.archived_source", "GET"): (404, 404, 404, 404),
}


def _snapshot(world: World) -> Snapshot:
    body = b"<html><head><title>Briefing</title></head><body><p>The range is 480 km.</p></body></html>"
    fetched = Fetched(
        url="https://example.org/briefing",
        final_url="https://example.org/briefing",
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8"},
        body=body,
        request_headers={"User-Agent": "factcheck-test"},
        fetched_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    )
    return snapshots.store(world.db, snapshots.Page(fetched, Extracted(text="The range is 480 km.")))


ARGUMENTS = {"snapshot_id": lambda world: world.get("snapshot", _snapshot).id}
