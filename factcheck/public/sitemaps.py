"""The sitemap at any size: one ``urlset`` while it fits, else a sitemap index of numbered pages.

The sitemap protocol allows 50,000 URLs (and 50 MB) per file; past that,
``/sitemap.xml`` becomes a ``sitemapindex`` naming ``/sitemaps/<n>.xml``. URLs are
in claim order (the public pages first), so a new check lands on the last page
and the earlier pages keep their contents: a crawler re-reads only the pages
whose ``lastmod`` moved.

The XML is written as text chunks while the rows are read in keyset batches,
so memory stays flat however many checks are published.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from factcheck.claims.models import Claim
from factcheck.publishing.attribution import dated_time
from factcheck.publishing.models import Publication
from factcheck.publishing.urls import absolute_url, check_url

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The protocol's limit of URLs per sitemap file.
MAX_URLS = 50_000
# Checks read (and written out) per query.
BATCH = 2_000
# Public pages besides the verdicts listed in the sitemap.
SITEMAP_PAGES = ("public.checks", "public.methodology", "public.corrections", "public.about")
_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _url(location: str, lastmod: datetime | None) -> str:
    modified = f"<lastmod>{_timestamp(lastmod)}</lastmod>" if lastmod is not None else ""
    return f"<url><loc>{escape(location)}</loc>{modified}</url>"


def public_pages() -> list[str]:
    """The addresses of the public pages this deployment has."""
    locations = []
    for endpoint in SITEMAP_PAGES:
        try:
            locations.append(absolute_url(endpoint))
        except BuildError:  # a page of the public site that this deployment does not have
            continue
    return locations


def published_claims(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Claim).where(Claim.slug.is_not(None))) or 0


def page_count(session: Session, max_urls: int = MAX_URLS) -> int:
    """How many sitemap files the URLs fill; 1 means a plain ``urlset`` at ``/sitemap.xml``."""
    total = len(public_pages()) + published_claims(session)
    return max(1, -(-total // max_urls))


def _claim_range(session: Session, page: int, max_urls: int) -> tuple[int, int | None, int]:
    """Page ``page`` (1-based): the first claim id on it, the first id past it, and how many
    public pages come first (page 1 only)."""
    pages = len(public_pages())
    skip = max(0, (page - 1) * max_urls - pages)
    leading = pages if page == 1 else 0
    published = select(Claim.id).where(Claim.slug.is_not(None)).order_by(Claim.id)
    first = session.scalar(published.offset(skip).limit(1))
    after = session.scalar(published.offset(skip + max_urls - leading).limit(1))
    return first or 0, after, leading


def _checks(session: Session, first: int, after: int | None) -> Iterator[tuple[str, datetime | None]]:
    """(slug, when its latest dated revision appeared) for published claims first <= id < after."""
    last_seen = first - 1
    while True:
        ids = select(Claim.id).where(Claim.slug.is_not(None), Claim.id > last_seen)
        if after is not None:
            ids = ids.where(Claim.id < after)
        batch = ids.order_by(Claim.id).limit(BATCH).subquery()
        rows = session.execute(
            select(Claim.id, Claim.slug, func.max(dated_time()))
            .join(batch, batch.c.id == Claim.id)
            .join(Publication, Publication.claim_id == Claim.id)
            .group_by(Claim.id, Claim.slug)
            .order_by(Claim.id)
        ).all()
        if not rows:
            return
        for _, slug, last_published in rows:
            yield slug, last_published
        last_seen = rows[-1][0]


def urlset_chunks(
    session: Session, page: int = 1, *, last_published_at: datetime | None, max_urls: int = MAX_URLS
) -> Iterator[str]:
    """One sitemap file (page ``page`` of :func:`page_count`) as text chunks."""
    yield f'{_HEAD}<urlset xmlns="{SITEMAP_NS}">'
    first, after, leading = _claim_range(session, page, max_urls)
    if leading:
        lists = absolute_url("public.checks")
        yield "".join(
            _url(location, last_published_at if location == lists else None) for location in public_pages()
        )
    pending: list[str] = []
    if first:
        for slug, last_published in _checks(session, first, after):
            # lastmod only where a date is known (an undated import's import time is not when it changed).
            pending.append(_url(check_url(slug), last_published))
            if len(pending) >= BATCH:
                yield "".join(pending)
                pending = []
    pending.append("</urlset>")
    yield "".join(pending)


def page_lastmods(session: Session, pages: int, max_urls: int = MAX_URLS) -> Sequence[datetime | None]:
    """Per sitemap page, when its newest dated revision appeared (None when it has no dated one)."""
    leading = len(public_pages())
    ranked = (
        select(
            Claim.id.label("claim_id"),
            ((func.row_number().over(order_by=Claim.id) - 1 + leading) // max_urls).label("page"),
        )
        .where(Claim.slug.is_not(None))
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.page, func.max(dated_time()))
        .join(Publication, Publication.claim_id == ranked.c.claim_id)
        .group_by(ranked.c.page)
    ).all()
    found = {int(page): last for page, last in rows}
    return [found.get(index) for index in range(pages)]


def index_document(locations: Sequence[str], lastmods: Sequence[datetime | None]) -> str:
    """The ``sitemapindex`` naming every sitemap page."""
    entries = "".join(
        f"<sitemap><loc>{escape(location)}</loc>"
        + (f"<lastmod>{_timestamp(lastmod)}</lastmod>" if lastmod is not None else "")
        + "</sitemap>"
        for location, lastmod in zip(locations, lastmods, strict=True)
    )
    return f'{_HEAD}<sitemapindex xmlns="{SITEMAP_NS}">{entries}</sitemapindex>'
