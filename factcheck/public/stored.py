"""Verdict pages rendered once per revision, stored with their validators (docs/PERFORMANCE.md).

A page is rendered when its revision is published (corrected, updated,
retracted) in the same transaction, so the new revision is served the moment
it commits. Transactions that publish many revisions at once (an import) hand
the rendering to the worker instead; until a page is stored, or while a stored
one is out of date, the app renders it as before. A stored page is served by
:mod:`factcheck.public.fastpath` only while it still matches: the latest
revision, the organisation's settings, and the site (templates,
configuration, the address it was rendered for). ``factcheck pages rebuild``
and the ``pages.rebuild`` job render every page that no longer matches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import Select, bindparam, delete, event, func, inspect, select
from sqlalchemy.orm import Session

from factcheck.claims.merging import survivor_slug
from factcheck.claims.models import Claim
from factcheck.db import get_database, utcnow
from factcheck.jobs import queue
from factcheck.jobs.runner import handler
from factcheck.public import caching
from factcheck.public.checks import check_etag, check_state, render_check, settings_version
from factcheck.public.models import StoredPage
from factcheck.publishing.models import Publication
from factcheck.publishing.urls import public_base
from factcheck.web import i18n

JOB_KIND = "pages.rebuild"
# More revisions than this in one transaction (an import) are rendered by the worker, so the
# transaction stays short; a few (a publication by an editor) are rendered in it.
RENDER_INLINE_MAX = 20
# Pages rendered per transaction by a rebuild (short write transactions on SQLite).
REBUILD_BATCH = 200
_PENDING = "stored_pages_pending"


def check_path(slug: str) -> str:
    return f"/checks/{slug}"


def site_hash() -> str:
    """What a stored page depends on besides the data: templates, configuration, the address."""
    return hashlib.sha256(repr(caching.site_key()).encode()).hexdigest()[:40]


@contextmanager
def _rendering_context(session: Session, path: str = "/") -> Iterator[None]:
    """A request context to render the page at ``path`` in (outside a request, CLI or worker: for
    the public address) whose ``db.session()`` is ``session``: the layout reads the transaction
    being published. The page is the one every reader gets: in the organisation's public language
    and as a public page, even inside an editor's request (their language, their desk page's path)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    context = (
        nullcontext() if has_request_context() else app.test_request_context(path, base_url=public_base())
    )
    with context:
        previous = g.get("db_session")
        g.db_session = session
        try:
            with i18n.rendering_public_page(path, i18n.public_language(session)):
                yield
        finally:
            if previous is None:
                g.pop("db_session", None)
            else:
                g.db_session = previous


def store(session: Session, claim_id: int) -> StoredPage | None:
    """Render the claim's verdict page and store it (None, and nothing stored, when it is not public)."""
    slug = session.scalar(select(Claim.slug).where(Claim.id == claim_id))
    with _rendering_context(session, check_path(slug) if slug else "/"):
        state = check_state(session, slug) if slug else None
        if state is None or state.moved_to is not None:
            session.execute(delete(StoredPage).where(StoredPage.claim_id == claim_id))
            return None
        body = render_check(session, slug, state).encode()
        values = {
            "claim_id": claim_id,
            "revision": state.latest_revision,
            "site": site_hash(),
            "settings_changed_at": state.settings_changed_at,
            "etag": check_etag(state),
            "last_modified": state.last_modified,
            "body": body,
            "rendered_at": utcnow(),
        }
    page = session.get(StoredPage, check_path(slug))
    if page is None:
        page = StoredPage(path=check_path(slug), **values)
        session.add(page)
    else:
        for name, value in values.items():
            setattr(page, name, value)
    return page


# --- rendering on publication ------------------------------------------------------


def note_changes(session: Session, objects: Iterable[Any]) -> None:
    """Remember the claims whose revisions were added or changed in this transaction."""
    pending: set[int] = session.info.setdefault(_PENDING, set())
    pending.update(obj.claim_id for obj in objects if isinstance(obj, Publication) and obj.claim_id)


def render_pending(session: Session) -> None:
    """Before the transaction commits: render the pages of the claims it published (or ask the worker)."""
    pending: set[int] = session.info.pop(_PENDING, set())
    if not pending or not has_app_context():
        # Without an app (a script) there is nothing to render with; the stored pages no
        # longer match the latest revision, so the app renders them until a rebuild.
        return
    if len(pending) > RENDER_INLINE_MAX:
        request_rebuild(session)
        return
    for claim_id in sorted(pending):
        store(session, claim_id)


def request_rebuild(session: Session) -> None:
    """Ask the worker to render every page that no longer matches (in the caller's transaction)."""
    queue.enqueue(session, JOB_KIND)


# --- rebuilding ------------------------------------------------------------------------


def _published() -> Select[Any]:
    return (
        select(Claim.id, func.max(Publication.revision))
        .join(Publication, Publication.claim_id == Claim.id)
        .where(Claim.slug.is_not(None))
        .group_by(Claim.id)
    )


def outdated(session: Session) -> list[int]:
    """The published claims whose stored page is missing or no longer matches, by id."""
    with _rendering_context(session):
        site = site_hash()
    settings = session.scalar(select(settings_version()))
    stored = {
        claim_id: (revision, page_site, page_settings)
        for claim_id, revision, page_site, page_settings in session.execute(
            select(StoredPage.claim_id, StoredPage.revision, StoredPage.site, StoredPage.settings_changed_at)
        )
    }
    return sorted(
        claim_id
        for claim_id, revision in session.execute(_published())
        if stored.get(claim_id) != (revision, site, settings)
    )


def rebuild_some(session: Session, limit: int = REBUILD_BATCH) -> tuple[int, int]:
    """Render up to ``limit`` outdated pages; returns (rendered, still outdated)."""
    claim_ids = outdated(session)
    for claim_id in claim_ids[:limit]:
        store(session, claim_id)
    return min(limit, len(claim_ids)), max(0, len(claim_ids) - limit)


def rebuild(app: Flask, *, everything: bool = False, batch: int = REBUILD_BATCH) -> int:
    """Render every outdated page (with ``everything``, every page), a batch per transaction."""
    database = get_database(app)
    with app.app_context():
        with database.write_sessions() as session, session.begin():
            if everything:
                session.execute(delete(StoredPage))
            claim_ids = outdated(session)
        for start in range(0, len(claim_ids), batch):
            with database.write_sessions() as session, session.begin():
                for claim_id in claim_ids[start : start + batch]:
                    store(session, claim_id)
    return len(claim_ids)


@handler(JOB_KIND)
def rebuild_job(session: Session, _claimed: queue.Claimed) -> None:
    """The worker's rebuild: a batch per job, and another job while pages are left."""
    _rendered, left = rebuild_some(session)
    if left:
        request_rebuild(session)


def ensure_current(app: Flask) -> bool:
    """At start-up (``factcheck run``, ``factcheck worker``): ask for a rebuild when pages are outdated
    (new templates or configuration after an upgrade). Returns whether one was asked for."""
    database = get_database(app)
    with app.app_context(), database.write_sessions() as session, session.begin():
        if not inspect(session.connection()).has_table(StoredPage.__tablename__):
            return False  # not upgraded yet: the upgrade asks
        if not outdated(session):
            return False
        request_rebuild(session)
        return True


# --- the lean path's lookup -----------------------------------------------------------

# One statement, by primary key: the page, if it is still the latest revision's under the
# current settings, and the claim was not merged into a published one (the app answers
# that with a 301). (The site is compared by the caller, which knows it without the database.)
LOOKUP = select(StoredPage.body, StoredPage.etag, StoredPage.last_modified, StoredPage.site).where(
    StoredPage.path == bindparam("path"),
    StoredPage.settings_changed_at.is_not_distinct_from(settings_version()),
    StoredPage.revision
    == select(func.max(Publication.revision))
    .where(Publication.claim_id == StoredPage.claim_id)
    .scalar_subquery(),
    survivor_slug(StoredPage.claim_id).is_(None),
)


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context: Any) -> None:
    note_changes(session, [*session.new, *session.dirty])


@event.listens_for(Session, "before_commit")
def _render_before_commit(session: Session) -> None:
    render_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)
