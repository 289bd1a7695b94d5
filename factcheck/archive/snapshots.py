"""Taking a snapshot of a page: fetch it, read its main text, keep the response as WARC records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from factcheck.archive import warc
from factcheck.archive.fetching import Fetched, FetchError, FetchSettings, fetch
from factcheck.archive.models import Snapshot, SnapshotWarc
from factcheck.documents.extract import Extracted, UnreadableUpload, normalise_text, read_upload


class DamagedSnapshot(Exception):
    """The stored WARC bytes no longer match the audited hash."""


@dataclass(frozen=True)
class Page:
    """A fetched page and what was read from it."""

    fetched: Fetched
    extracted: Extracted


def fetch_page(url: str, settings: FetchSettings) -> Page:
    """Fetch ``url`` and read its main text and metadata. Raises FetchError. No database access:
    callers run it outside any transaction (on SQLite one would hold the write lock)."""
    fetched = fetch(url, settings)
    return Page(fetched, read_body(fetched, settings.max_bytes))


def read_body(fetched: Fetched, max_bytes: int) -> Extracted:
    """The page's main text (trafilatura for HTML, as for an uploaded page). Raises FetchError."""
    filename = "page.txt" if fetched.media_type == "text/plain" else "page.html"
    try:
        return read_upload(filename, fetched.body, max_html_bytes=max_bytes)
    except UnreadableUpload as exc:
        raise FetchError("no-text", str(exc).rstrip(".")) from None


def text_digest(text: str) -> str:
    """SHA-256 of the main text with its white space collapsed: what link checks compare, so a
    page re-wrapped or re-served with other markup is not "changed" while its words are the same."""
    words = " ".join(normalise_text(text).split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def store(session: Session, page: Page) -> Snapshot:
    """Add the snapshot of ``page`` (its row and WARC bytes) to the session."""
    fetched = page.fetched
    data = warc.write(fetched)
    title = page.extracted.metadata.get("title")
    snapshot = Snapshot(
        url=fetched.url,
        final_url=fetched.final_url,
        fetched_at=fetched.fetched_at,
        status=fetched.status,
        content_type=fetched.content_type[:200],
        payload_sha256=hashlib.sha256(fetched.body).hexdigest(),
        text_sha256=text_digest(page.extracted.text),
        title=str(title) if title else None,
        warc_sha256=hashlib.sha256(data).hexdigest(),
        warc_size=len(data),
    )
    session.add(snapshot)
    session.flush()
    session.add(SnapshotWarc(snapshot_id=snapshot.id, warc=data))
    session.flush()
    return snapshot


def warc_bytes(session: Session, snapshot: Snapshot) -> bytes:
    """The snapshot's WARC, checked against its audited hash. Raises DamagedSnapshot."""
    stored = session.get(SnapshotWarc, snapshot.id)
    if stored is None or hashlib.sha256(stored.warc).hexdigest() != snapshot.warc_sha256:
        raise DamagedSnapshot(f"snapshot {snapshot.id}: the archived bytes do not match their hash")
    return bytes(stored.warc)
