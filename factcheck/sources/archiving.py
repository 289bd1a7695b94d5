"""Archived copies of sources, and checking that the pages cited are still there and unchanged.

- "Archive this source" (staff) queues a ``sources.archive`` job: the worker fetches the
  source's address as a document fetch does (factcheck/archive/), keeps the snapshot and links it.
- Publishing a claim queues the same job for each of its web sources not archived yet.
- ``factcheck sources check-links``, and the worker every LINK_CHECK_HOURS (a ``sources.check_links``
  job that queues the next one), fetch every cited address again: a 4xx/5xx answer or a host
  that no longer resolves is "gone"; a main text whose digest differs from the archived one's
  is "changed" (the normalised text is compared, not the bytes, so markup, ads and dates in the
  page's frame do not count).

Handlers fetch outside any transaction, then write, attributed to the worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.archive import snapshots
from factcheck.archive.fetching import FetchError, FetchSettings
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.jobs.queue import Claimed, enqueue
from factcheck.jobs.runner import handler
from factcheck.security.permissions import Permission, require
from factcheck.sources.models import LinkStatus, Source

ARCHIVE_JOB = "sources.archive"
CHECK_LINKS_JOB = "sources.check_links"
DEFAULT_LINK_CHECK_HOURS = 24.0


class ArchiveError(ValueError):
    """An archive request the rules refuse; the message is for the person who asked."""


def is_web_address(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def request_archive(session: Session, actor: Any, source: Source) -> None:
    """Queue a snapshot of the source's page. Raises PermissionDenied or ArchiveError."""
    require(actor, Permission.CONTRIBUTE)
    if not is_web_address(source.url):
        raise ArchiveError(_("Only a source with a web address can be archived."))
    _enqueue_archive(session, source)


def _enqueue_archive(session: Session, source: Source) -> None:
    enqueue(session, ARCHIVE_JOB, {"source_id": source.id})


def archive_on_publish(session: Session, claim: Claim) -> None:
    """Queue snapshots of the claim's web sources that have none yet (in the publication's
    transaction), when config ARCHIVE_SOURCES_ON_PUBLISH says so (on by default; the tests turn
    it off but in tests/archive, so that publishing elsewhere never reaches for the web)."""
    if not (has_app_context() and current_app.config.get("ARCHIVE_SOURCES_ON_PUBLISH", True)):
        return
    for source in claim.sources:
        if source.snapshot_id is None and is_web_address(source.url):
            enqueue(session, ARCHIVE_JOB, {"source_id": source.id}, key=f"{ARCHIVE_JOB}:{source.id}:publish")


@handler(ARCHIVE_JOB)
def run_archive(session: Session, job: Claimed) -> None:
    source = session.get(Source, job.payload["source_id"])
    if source is None or not is_web_address(source.url):
        return
    source_id, url = source.id, str(source.url)
    session.rollback()
    set_actor(session, Actor.system(f"Background worker, archiving source {source_id}", "worker"))
    try:
        page = snapshots.fetch_page(url, FetchSettings.from_config(current_app.config))
    except FetchError as exc:
        source = session.get_one(Source, source_id)
        source.link_problem = f"Archiving failed: {exc}"
        source.link_checked_at = utcnow()
        if _is_gone(exc):
            source.link_status = LinkStatus.GONE
        return
    source = session.get_one(Source, source_id)
    if source.url != url:
        return  # the address was edited meanwhile: this page is not the source's any more
    source.snapshot = snapshots.store(session, page)
    source.link_status = LinkStatus.OK
    source.link_problem = None
    source.link_checked_at = page.fetched.fetched_at


# --- link checks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCheck:
    source_id: int
    url: str
    status: LinkStatus | None
    problem: str | None


def _is_gone(error: FetchError) -> bool:
    return (error.kind == "http" and "answered" in str(error)) or (
        error.kind == "unreachable" and "does not resolve" in str(error)
    )


def check_link(
    url: str, archived_text_sha256: str | None, settings: FetchSettings
) -> tuple[LinkStatus | None, str | None]:
    """What the page at ``url`` is now, against the archived text's digest (None: not archived)."""
    try:
        page = snapshots.fetch_page(url, settings)
    except FetchError as exc:
        # Too slow, refused, robots.txt: the check could not tell; say why, flag nothing.
        return (LinkStatus.GONE if _is_gone(exc) else None), str(exc)
    if (
        archived_text_sha256 is not None
        and snapshots.text_digest(page.extracted.text) != archived_text_sha256
    ):
        return LinkStatus.CHANGED, "the page's main text differs from the archived copy"
    return LinkStatus.OK, None


def check_links(
    session: Session, settings: FetchSettings, *, source_ids: Iterable[int] | None = None
) -> list[LinkCheck]:
    """Check every source with a web address; each result is written as soon as it is known
    (in its own transaction), and no transaction is open while a page is fetched."""
    query = select(Source.id, Source.url).where(Source.url.is_not(None)).order_by(Source.id)
    if source_ids is not None:
        query = query.where(Source.id.in_(list(source_ids)))
    rows = [(source_id, url) for source_id, url in session.execute(query) if is_web_address(url)]
    session.rollback()
    results = []
    for source_id, url in rows:
        source = session.get(Source, source_id)
        archived = source.snapshot.text_sha256 if source is not None and source.snapshot else None
        session.rollback()
        status, problem = check_link(url, archived, settings)
        source = session.get(Source, source_id)
        if source is None or source.url != url:
            session.rollback()
            continue
        source.link_status = status if status is not None else source.link_status
        source.link_problem = problem
        source.link_checked_at = utcnow()
        session.commit()
        results.append(LinkCheck(source_id, url, status, problem))
    return results


def schedule_link_checks(session: Session, config: Any, *, now: datetime | None = None) -> None:
    """Queue the next periodic link check (one per period: the key names it), unless turned off."""
    hours = float(config.get("LINK_CHECK_HOURS", DEFAULT_LINK_CHECK_HOURS))
    if hours <= 0:
        return
    now = now or utcnow()
    period = int(hours * 3600)
    slot = int(now.timestamp()) // period + 1
    enqueue(
        session,
        CHECK_LINKS_JOB,
        key=f"{CHECK_LINKS_JOB}:{period}:{slot}",
        run_after=datetime.fromtimestamp(slot * period, now.tzinfo)
        if now.tzinfo
        else now + timedelta(seconds=period),
    )


@handler(CHECK_LINKS_JOB)
def run_check_links(session: Session, job: Claimed) -> None:
    set_actor(session, Actor.system("Background worker, checking source links", "worker"))
    check_links(session, FetchSettings.from_config(current_app.config))
    schedule_link_checks(session, current_app.config)
