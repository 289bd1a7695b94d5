"""The public site's reference pages: methodology, corrections, about, and annotated documents.

Everything a reader sees here comes from published snapshots, the rating
scale and the organisation's settings; drafts, ratings and reviewers' notes
never reach these pages. The annotated document highlights only the quotes
of claims whose latest published revision says they appeared in it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session, selectinload

from factcheck import db
from factcheck.claims.anchoring import anchor
from factcheck.claims.models import Claim
from factcheck.documents.models import Document
from factcheck.organisation.details import organisation, publisher
from factcheck.public import caching
from factcheck.public.blueprint import bp
from factcheck.public.checks import label_shown, not_found, settings_version
from factcheck.publishing.claimreview import shown_label
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.queries import revisions_by_claim
from factcheck.publishing.snapshot import scale_bounds
from factcheck.ratings.models import RatingLabel
from factcheck.security.permissions import public
from factcheck.web.keyset import InvalidCursor, Key, Ordering, fetch_page

# The language of the public pages (templates/public/layout.html).
SITE_LANGUAGE = "en"
# Corrections listed per page.
CORRECTIONS_PAGE_SIZE = 50

# The corrections policy shown until an admin writes the organisation's own (Markdown).
DEFAULT_CORRECTIONS_POLICY = _l(
    """\
We correct our mistakes openly. When something in a published fact check turns out to be wrong
or out of date, we change the fact check on the same page and add a dated note saying what
changed and why. Earlier versions stay readable, and every change is listed below, newest first.

- **Correction**: we got something wrong, such as a fact, a source or the verdict itself.
- **Update**: new information came to light after we published.
- **Retraction**: we withdraw the fact check. Its page stays online with a note explaining why.

If you think we got something wrong, tell us with the "Report an error" link on the fact check's page.
"""
)


# --- the site's icon ------------------------------------------------------------


@bp.route("/favicon.ico")
@public
def favicon() -> ResponseReturnValue:
    # Browsers and feed readers ask for /favicon.ico whatever the page links; send them to the icon.
    return redirect(url_for("static", filename="favicon.svg"), 301)


# --- methodology ---------------------------------------------------------------


@bp.route("/methodology")
@public
def methodology() -> ResponseReturnValue:
    session = db.session()
    config = current_app.config
    rules = (int(config["MIN_RATINGS"]), bool(config["FOUR_EYES"]))
    # Any change to the scale moves its newest updated_at; a deleted label changes the count.
    scale_changed_at, label_count, settings_changed_at = session.execute(
        select(func.max(RatingLabel.updated_at), func.count(RatingLabel.id), settings_version())
    ).one()
    etag = caching.make_etag(
        "methodology",
        (caching.stamp(scale_changed_at), label_count, caching.stamp(settings_changed_at), *rules),
    )

    def render() -> str:
        labels = list(
            session.scalars(
                select(RatingLabel)
                .where(RatingLabel.is_active.is_(True))
                .order_by(RatingLabel.position, RatingLabel.id)
                # Their names in the page's language (templates/public/methodology.html).
                .options(selectinload(RatingLabel.translations))
            )
        )
        worst, best = scale_bounds(session)
        return render_template(
            "public/methodology.html",
            labels=labels,
            worst=worst,
            best=best,
            ordered_count=sum(1 for label in labels if label.value is not None),
            min_ratings=rules[0],
            four_eyes=rules[1],
            organisation=publisher(session),
        )

    last_modified = caching.latest_of(scale_changed_at, settings_changed_at)
    return caching.serve(caching.get_cache().pages, etag, last_modified, render)


# --- corrections ---------------------------------------------------------------

# Newest first; revisions whose date is unknown (imported corrections without one) after the dated.
_UNDATED_LAST = case((Publication.date_unknown.is_(True), 1), else_=0)
CORRECTIONS_ORDER = Ordering(
    "corrections",
    (Key(_UNDATED_LAST, int), Key(Publication.published_at, datetime, True), Key(Publication.id, int, True)),
)
LATER_REVISION = Publication.kind != PublicationKind.PUBLICATION


@bp.route("/corrections")
@public
def corrections() -> ResponseReturnValue:
    session = db.session()
    after, before = request.args.get("after") or None, request.args.get("before") or None
    try:
        if after and before:
            raise InvalidCursor("both directions")
        for cursor in (after, before):
            if cursor is not None:
                CORRECTIONS_ORDER.decode(cursor)
    except InvalidCursor:
        abort(400)
    # Revisions are never edited or deleted: the newest and the count say whether the list changed.
    newest, count, settings_changed_at, undated = session.execute(
        select(
            func.max(Publication.published_at),
            func.count(Publication.id),
            settings_version(),
            func.sum(_UNDATED_LAST),
        ).where(LATER_REVISION)
    ).one()
    etag = caching.make_etag(
        "corrections",
        (
            caching.stamp(newest),
            count,
            caching.stamp(settings_changed_at),
            undated or 0,
            after or "",
            before or "",
        ),
    )

    def render() -> str:
        entries = (
            select(Publication, Claim.slug)
            .join(Claim, Claim.id == Publication.claim_id)
            .where(LATER_REVISION, Claim.slug.is_not(None))
        )
        page = fetch_page(
            session, entries, CORRECTIONS_ORDER, size=CORRECTIONS_PAGE_SIZE, after=after, before=before
        )
        settings = organisation(session)
        policy = settings.corrections_policy.strip() if settings and settings.corrections_policy else ""
        return render_template(
            "public/corrections.html",
            policy=policy or str(DEFAULT_CORRECTIONS_POLICY),
            entries=[(row[0], row[1]) for row in page.rows],
            newer=url_for("public.corrections", before=page.previous_cursor)
            if page.previous_cursor
            else None,
            older=url_for("public.corrections", after=page.next_cursor) if page.next_cursor else None,
        )

    last_modified = caching.latest_of(newest, settings_changed_at)
    return caching.serve(caching.get_cache().lists, etag, last_modified, render)


# --- about ---------------------------------------------------------------------


@bp.route("/about")
@public
def about() -> ResponseReturnValue:
    session = db.session()
    settings_changed_at = session.scalar(select(settings_version()))
    etag = caching.make_etag("about", (caching.stamp(settings_changed_at),))

    def render() -> str:
        settings = organisation(session)
        return render_template(
            "public/about.html",
            details=publisher(session),
            contact_email=settings.contact_email if settings else None,
            about_text=settings.about.strip() if settings and settings.about else "",
        )

    return caching.serve(caching.get_cache().pages, etag, settings_changed_at, render)


# --- the annotated document ----------------------------------------------------


@dataclass
class PublishedCheck:
    """A published claim as a document's reader sees it: from its latest revision only."""

    slug: str
    label: str
    retracted: bool
    headline: str
    claimant: str
    quotes: list[str]
    # The id of the first highlight in the text, when a quote was found there.
    target: str | None = None
    first_at: int | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Highlight:
    """One quote of a published check, found at text[start:end]."""

    start: int
    end: int
    check: PublishedCheck


# The publications whose snapshot says the claim appeared in a document, one query per
# dialect: JSON functions, so the answer does not depend on how the JSON was written.
_CITING_SQL = {
    "postgresql": text(
        "SELECT DISTINCT p.claim_id FROM publications AS p"
        " CROSS JOIN LATERAL json_array_elements("
        "   CASE WHEN json_typeof(p.snapshot -> 'appearances') = 'array'"
        "   THEN p.snapshot -> 'appearances' ELSE '[]'::json END) AS a(value)"
        " WHERE json_typeof(a.value) = 'object' AND a.value ->> 'document_id' = :document_id"
    ),
    "sqlite": text(
        "SELECT DISTINCT p.claim_id FROM publications AS p, json_each(p.snapshot, '$.appearances') AS a"
        " WHERE a.type = 'object' AND json_extract(a.value, '$.document_id') = :document_id"
    ),
}


def _claims_citing(session: Session, document_id: int) -> list[int]:
    """Ids of claims with any publication whose snapshot names the document (a superset, checked later)."""
    dialect = session.get_bind().dialect.name
    value: int | str = str(document_id) if dialect == "postgresql" else document_id
    return list(session.scalars(_CITING_SQL[dialect], {"document_id": value}))


def published_checks(
    session: Session, document_id: int, claim_ids: Sequence[int] | None = None
) -> list[PublishedCheck]:
    """The published claims whose latest revision says they appeared in the document.

    ``claim_ids``: the claims to look at, when already known (:func:`_claims_citing`).
    """
    if claim_ids is None:
        claim_ids = _claims_citing(session, document_id)
    slugs: dict[int, str] = {
        claim_id: slug
        for claim_id, slug in session.execute(
            select(Claim.id, Claim.slug).where(Claim.id.in_(claim_ids), Claim.slug.is_not(None))
        )
    }
    revisions = revisions_by_claim(session, sorted(slugs))
    checks = []
    for claim_id, slug in slugs.items():
        history = revisions.get(claim_id)
        if not history:
            continue
        snapshot: dict[str, Any] = history[-1].snapshot
        here = [
            appearance
            for appearance in snapshot.get("appearances") or []
            if isinstance(appearance, dict) and appearance.get("document_id") == document_id
        ]
        if not here:
            continue
        retracted = history[-1].kind == PublicationKind.RETRACTION
        checks.append(
            PublishedCheck(
                slug=slug,
                label=shown_label(history),
                retracted=retracted,
                headline=history[-1].headline,
                claimant=str(snapshot.get("claimant") or ""),
                quotes=[str(a["quote"]) for a in here if a.get("quote")],
            )
        )
    return checks


def place_quotes(document_text: str, checks: Sequence[PublishedCheck]) -> list[Highlight]:
    """Find each check's quotes in the text (the first occurrence; spacing may differ).

    Sets each check's ``target`` (the id of its first highlight) and orders the
    checks by where their first quote is, unfound ones last.
    """
    highlights: list[Highlight] = []
    for check in checks:
        for quote in check.quotes:
            span = anchor(document_text, quote)
            if span is None or span[0] == span[1]:
                continue
            highlights.append(Highlight(span[0], span[1], check))
            if check.first_at is None or span[0] < check.first_at:
                check.first_at = span[0]
    highlights.sort(key=lambda h: (h.start, -h.end, h.check.slug))
    for number, check in enumerate(sorted((c for c in checks if c.first_at is not None), key=_position)):
        check.target = f"check-{number + 1}"
    return highlights


def _position(check: PublishedCheck) -> tuple[int, str]:
    return (check.first_at if check.first_at is not None else 2**62, check.slug)


def annotate(document_text: str, highlights: Sequence[Highlight], *, lang: str | None = None) -> Markup:
    """The text, escaped, with every highlight marked and followed by its verdict.

    The text is cut at every start and end, so overlapping quotes become
    sibling ``<mark>`` elements and never nest: the HTML stays well formed.
    Screen readers hear where a checked claim starts and what its verdict is;
    ``lang`` (the site's language) marks those words when the text is in another.
    """
    lang_attribute = Markup(' lang="{}"').format(lang) if lang else Markup("")
    cuts = sorted({0, len(document_text), *(h.start for h in highlights), *(h.end for h in highlights)})
    targeted: set[str] = set()
    parts: list[Markup] = []
    for start, end in itertools.pairwise(cuts):
        for highlight in highlights:
            if highlight.start == start:
                check = highlight.check
                target = check.target if check.target and check.target not in targeted else None
                if target:
                    targeted.add(target)
                parts.append(
                    Markup(
                        '<span class="quote-start"{id}><span class="visually-hidden"{lang}>'
                        "{said} </span></span>"
                    ).format(
                        id=Markup(' id="{}"').format(target) if target else "",
                        lang=lang_attribute,
                        said=_("Checked claim, rated %(label)s:", label=label_shown(check.label)),
                    )
                )
        piece = escape(document_text[start:end])
        covering = [h for h in highlights if h.start <= start and end <= h.end]
        if covering:
            parts.append(
                Markup('<mark class="{classes}">{piece}</mark>').format(
                    classes="published-quote" + (" overlap" if len(covering) > 1 else ""), piece=piece
                )
            )
        else:
            parts.append(piece)
        for highlight in highlights:
            if highlight.end == end:
                check = highlight.check
                parts.append(
                    Markup(
                        ' <a class="verdict-tag{retracted}" href="{url}" title="{headline}"{lang}>'
                        '<span class="visually-hidden">{said} </span>{label}</a>'
                    ).format(
                        said=_("Read the fact check, verdict:"),
                        retracted=" retracted" if check.retracted else "",
                        lang=lang_attribute,
                        url=url_for("public.check", slug=check.slug),
                        headline=check.headline,
                        label=label_shown(check.label),
                    )
                )
    return Markup("").join(parts)


class _NotPublic(Exception):
    """The document names no published claim after all (found while rendering)."""


@bp.route("/read/<id:document_id>")
@public
def document(document_id: int) -> ResponseReturnValue:
    session = db.session()
    document_changed_at = session.scalar(select(Document.updated_at).where(Document.id == document_id))
    claim_ids = _claims_citing(session, document_id) if document_changed_at is not None else []
    # Each citing claim's latest revision decides what is shown; revisions are never edited.
    latest = session.execute(
        select(Publication.claim_id, func.max(Publication.revision), func.max(Publication.published_at))
        .join(Claim, Claim.id == Publication.claim_id)
        .where(Publication.claim_id.in_(claim_ids), Claim.slug.is_not(None))
        .group_by(Publication.claim_id)
        .order_by(Publication.claim_id)
    ).all()
    if not latest:
        # Only documents in which a published claim appeared are public.
        return not_found()
    etag = caching.make_etag(
        "document",
        (document_id, caching.stamp(document_changed_at), *((row[0], row[1]) for row in latest)),
    )

    def render() -> str:
        found = session.get(Document, document_id)
        checks = published_checks(session, document_id, claim_ids)
        if found is None or not checks:
            raise _NotPublic
        highlights = place_quotes(found.text, checks)
        return render_template(
            "public/document.html",
            document=found,
            # The words we add to the text are in the site's language, which may not be the text's.
            text_html=annotate(found.text, highlights, lang=SITE_LANGUAGE if found.language else None),
            checks=sorted(checks, key=_position),
        )

    last_modified = caching.latest_of(document_changed_at, *(row[2] for row in latest))
    try:
        return caching.serve(caching.get_cache().pages, etag, last_modified, render)
    except _NotPublic:
        # Every citing claim's latest revision has left the document.
        return not_found()
