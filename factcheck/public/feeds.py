"""The public feeds: the Atom feed of publications, the sitemap, and the ClaimReview DataFeed.

All three read publications only, answer conditional requests with 304 (the
validators depend on the newest publication, how many there are, and the
organisation's settings), and carry ``Cache-Control: public``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, current_app, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.db import reading_session
from factcheck.organisation.details import publisher
from factcheck.public import caching, sitemaps
from factcheck.public.blueprint import bp
from factcheck.public.checks import SiteState, label_shown, plain_text, site_state
from factcheck.publishing.attribution import attribution
from factcheck.publishing.claimreview import RETRACTED_LABEL
from factcheck.publishing.feeds import claimreview_feed_chunks
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.urls import absolute_url, check_url
from factcheck.security.permissions import public
from factcheck.web.i18n import current_language

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 50
FEED_MAX_AGE = 300
# The feed's "updated" before anything is published (it must hold a date).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot hold at all; removed from text before it goes into a feed.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    return _NOT_XML.sub("", str(value or ""))


def element(parent: ET.Element, tag: str, text: Any = None, **attributes: str) -> ET.Element:
    """A child element whose text and attributes are made fit for XML (the transparency feed uses it too)."""
    node = ET.SubElement(parent, tag, {name: xml_text(value) for name, value in attributes.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def xml_document(root: ET.Element) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds")


# --- Atom ---------------------------------------------------------------------------------


def entry_title(publication: Publication) -> str:
    if publication.kind == PublicationKind.PUBLICATION:
        return publication.headline
    return _("%(kind)s: %(headline)s", kind=publication.kind.label, headline=publication.headline)


def entry_label(publication: Publication) -> str:
    """The label readers saw with this revision."""
    return RETRACTED_LABEL if publication.kind == PublicationKind.RETRACTION else publication.label_name


def entry_summary(publication: Publication) -> str:
    snapshot = publication.snapshot
    label = label_shown(entry_label(publication))
    other = attribution(snapshot)
    if publication.kind == PublicationKind.PUBLICATION:
        summary = f"{label}. {plain_text(snapshot.get('summary'), limit=600)}".strip()
        return (
            _("Fact check by %(publisher)s: %(summary)s", publisher=other.publisher, summary=summary)
            if other
            else summary
        )
    when = publication.published_at.astimezone(UTC).date().isoformat()
    if other:
        return _(
            "%(kind)s of %(date)s: %(note)s (Verdict by %(publisher)s: %(label)s.)",
            kind=publication.kind.label,
            date=when,
            note=publication.note,
            publisher=other.publisher,
            label=label,
        )
    return _(
        "%(kind)s of %(date)s: %(note)s (Verdict: %(label)s.)",
        kind=publication.kind.label,
        date=when,
        note=publication.note,
        label=label,
    )


def atom_feed(session: Session) -> str:
    signer = publisher(session)
    rows = session.execute(
        select(Publication, Claim.slug)
        .join(Claim, Claim.id == Publication.claim_id)
        # An undated revision (an imported record without a date) is no news: it is never an entry.
        .where(Claim.slug.is_not(None), Publication.date_unknown.is_(False))
        .order_by(Publication.published_at.desc(), Publication.id.desc())
        .limit(FEED_ENTRIES)
    ).all()
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    feed_url = absolute_url("public.feed")
    element(feed, "id", feed_url)
    element(feed, "title", _("%(site)s: fact checks", site=signer.name))
    element(feed, "subtitle", _("Published fact checks, with every correction, update and retraction."))
    updated = rows[0][0].published_at if rows else EPOCH
    element(feed, "updated", _timestamp(updated))
    element(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    element(feed, "link", rel="alternate", type="text/html", href=absolute_url("public.checks"))
    author = element(feed, "author")
    element(author, "name", signer.name)
    if signer.url:
        element(author, "uri", signer.url)
    element(feed, "generator", "factcheck")
    for publication, slug in rows:
        entry = element(feed, "entry")
        element(entry, "id", absolute_url("public.check_revision", slug=slug, revision=publication.revision))
        element(entry, "title", entry_title(publication))
        element(entry, "link", rel="alternate", type="text/html", href=check_url(slug))
        other = attribution(publication.snapshot)
        if other is not None:
            # The entry's author is the publisher of the check, not us (the feed's author).
            by = element(entry, "author")
            element(by, "name", other.publisher)
            if other.publisher_url:
                element(by, "uri", other.publisher_url)
            if other.review_url:
                element(entry, "link", rel="via", type="text/html", href=other.review_url)
        element(entry, "published", _timestamp(publication.published_at))
        element(entry, "updated", _timestamp(publication.published_at))
        element(entry, "summary", entry_summary(publication), type="text")
        label = entry_label(publication)
        element(entry, "category", term=label, label=label)
        if publication.kind != PublicationKind.PUBLICATION:
            element(entry, "category", term=publication.kind.value, label=publication.kind.label)
    return xml_document(feed)


@bp.route("/checks/feed.atom")
@public
def feed() -> ResponseReturnValue:
    session = db.session()
    state = site_state(session)
    etag = caching.make_etag("feed", state.key())
    return caching.serve(
        caching.get_cache().lists,
        etag,
        state.last_modified,
        lambda: atom_feed(session),
        mimetype="application/atom+xml",
        max_age=FEED_MAX_AGE,
    )


# --- sitemap ------------------------------------------------------------------------------


def _streamed_urlset(page: int, state: SiteState, etag: str) -> Response:
    """One sitemap file, written while it is read (``factcheck.public.sitemaps``)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def chunks() -> Iterator[str]:
        # The request's session is closed once the response starts: stream from a session of its own.
        with reading_session(app) as sitemap_session:
            yield from sitemaps.urlset_chunks(
                sitemap_session, page, last_published_at=state.last_published_at, max_urls=sitemaps.MAX_URLS
            )

    response = Response(stream_with_context(chunks()), mimetype="application/xml")
    return caching.streamed(response, etag, state.last_modified, FEED_MAX_AGE)


@bp.route("/sitemap.xml", endpoint="sitemap")
@public
def sitemap_xml() -> ResponseReturnValue:
    """Every public address in one ``urlset``, or past the protocol's 50,000 a sitemap index."""
    session = db.session()
    state = site_state(session)
    etag = caching.make_etag("sitemap", (*state.key(), sitemaps.MAX_URLS))
    if caching.is_fresh(etag, state.last_modified):
        return caching.not_modified(etag, state.last_modified, FEED_MAX_AGE)
    pages = sitemaps.page_count(session, sitemaps.MAX_URLS)
    if pages == 1:
        return _streamed_urlset(1, state, etag)
    locations = [absolute_url("public.sitemap_page", page=page) for page in range(1, pages + 1)]
    return caching.serve(
        caching.get_cache().lists,
        etag,
        state.last_modified,
        lambda: sitemaps.index_document(locations, sitemaps.page_lastmods(session, pages, sitemaps.MAX_URLS)),
        mimetype="application/xml",
        max_age=FEED_MAX_AGE,
    )


@bp.route("/sitemaps/<id:page>.xml", endpoint="sitemap_page")
@public
def sitemap_page(page: int) -> ResponseReturnValue:
    """One page of the sitemap index (page 1 exists even when ``/sitemap.xml`` is the only file)."""
    session = db.session()
    state = site_state(session)
    etag = caching.make_etag("sitemap-page", (*state.key(), sitemaps.MAX_URLS, page))
    if caching.is_fresh(etag, state.last_modified):
        return caching.not_modified(etag, state.last_modified, FEED_MAX_AGE)
    if page > sitemaps.page_count(session, sitemaps.MAX_URLS):
        abort(404)
    return _streamed_urlset(page, state, etag)


# --- ClaimReview DataFeed -----------------------------------------------------------------


@bp.route("/claimreview.json")
@public
def claimreview_feed() -> ResponseReturnValue:
    """Every published claim's current ClaimReview in one schema.org DataFeed, streamed."""
    session = db.session()
    state = site_state(session)
    etag = caching.make_etag("claimreview", state.key())
    if caching.is_fresh(etag, state.last_modified):
        return caching.not_modified(etag, state.last_modified, FEED_MAX_AGE)
    signer = publisher(session)
    name = _("%(site)s: ClaimReview data feed", site=signer.name)
    url = absolute_url("public.claimreview_feed")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # The reviews point to the verdict pages at this feed's addresses: in its language.
    language = current_language()

    def chunks() -> Iterator[str]:
        # The request's session is closed once the response starts: stream from a session of its own.
        with reading_session(app) as feed_session:
            yield from claimreview_feed_chunks(feed_session, signer, name=name, url=url, language=language)

    response = Response(stream_with_context(chunks()), mimetype="application/ld+json")
    response.headers["Content-Disposition"] = 'inline; filename="claimreview.json"'
    return caching.streamed(response, etag, state.last_modified, FEED_MAX_AGE)
