"""The public verdict pages and the index of published checks (PRODUCT.md, "Publishing rules").

Everything here reads publication snapshots only (and a claim's id and slug):
drafts, ratings, source notes, discussions and assignments never reach a
reader. Pages are served through :mod:`factcheck.public.caching`: one small
query decides the validators, a fresh client gets a 304, and a rendered page
is reused until a new revision or new organisation settings change its key.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, case, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from factcheck import db
from factcheck.claims import merging
from factcheck.claims.models import Claim
from factcheck.organisation.details import publisher
from factcheck.organisation.models import Organisation
from factcheck.public import caching
from factcheck.public.blueprint import bp
from factcheck.publishing.attribution import Attribution, attribution, dated_time, other_publisher, sort_time
from factcheck.publishing.claimreview import RETRACTED_LABEL, claim_review, script_json, shown_label
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.queries import revisions_of
from factcheck.publishing.urls import absolute_url, check_url
from factcheck.ratings.models import RatingLabel, RatingLabelTranslation
from factcheck.ratings.scale_views import label_name_filter
from factcheck.search.folding import FOLD, fold
from factcheck.search.query import SearchQuery
from factcheck.search.query import parse as parse_search
from factcheck.search.whole_words import whole_words
from factcheck.security.permissions import public
from factcheck.web import formatting, keyset, markdown
from factcheck.web.i18n import current_language

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 10
# The label filter: at most this many labels, and labels not of our scale only when this many
# checks show them (imported archives bring hundreds of one-off labels).
LABEL_CHOICES = 30
LABEL_MIN_USES = 2
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@bp.record_once
def _setup(state: Any) -> None:
    caching.init_app(state.app)


# --- display helpers -------------------------------------------------------------------


def _as_datetime(value: Any) -> datetime | date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        text = str(value)
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        return None


@bp.app_template_filter("public_date")
def public_date(value: Any) -> str:
    """A date (or ISO 8601 text) as readers of the page's language read it: 4 December 2018."""
    parsed = _as_datetime(value)
    if parsed is None:
        return str(value or "")
    # In the page's language: "4 de diciembre de 2018" (factcheck/web/formatting.py).
    return formatting.isolated(formatting.format_long_date(parsed, get_locale()), get_locale())


@bp.app_template_filter("iso_date")
def iso_date(value: Any) -> str:
    """The machine-readable form for ``<time datetime>``."""
    parsed = _as_datetime(value)
    return parsed.isoformat() if parsed is not None else ""


@bp.app_template_filter("attribution")
def attribution_filter(snapshot: Any) -> Attribution | None:
    """The other publisher of a snapshot's check (None: ours), for templates."""
    return attribution(snapshot) if isinstance(snapshot, dict) else None


@bp.app_template_test("web_url")
def web_url(value: Any) -> bool:
    """Whether a stored address is a web link (only those become links on public pages)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def label_shown(label: str) -> str:
    """A verdict label as feeds and annotations show it: the retracted mark in the interface's
    language, any other label as the scale (or the imported record) names it."""
    return _("Retracted") if label == RETRACTED_LABEL else label


def plain_text(markdown_text: str | None, limit: int = 300) -> str:
    """Markdown as one line of plain text (for descriptions and feeds)."""
    text = " ".join(markdown.render(markdown_text).striptags().split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def not_found() -> ResponseReturnValue:
    """The public 404, in the public layout (it shows nothing about anyone)."""
    caching.shared_response()
    return render_template("public/not_found.html"), 404


# --- the validators' facts ----------------------------------------------------------------


def settings_version() -> Any:
    """When the public site's settings last changed (a scalar subquery; NULL before any): the
    organisation's details, or the rating scale's names in other languages (admins set both)."""
    changes = union_all(
        select(Organisation.updated_at.label("changed_at")).where(Organisation.id == 1),
        select(func.max(RatingLabelTranslation.updated_at)),
    ).subquery()
    return select(func.max(changes.c.changed_at)).scalar_subquery()


class _PublicState:
    """A public page changes when something is published or the organisation's settings change."""

    last_published_at: datetime | None
    settings_changed_at: datetime | None

    @property
    def last_modified(self) -> datetime | None:
        return caching.latest_of(self.last_published_at, self.settings_changed_at)


# How many revisions have an unknown date: a re-import that finds a date was only the import's
# time marks it unknown without a new revision, and the pages must not stay cached with the date.
_UNDATED_COUNT = func.sum(case((Publication.date_unknown.is_(True), 1), else_=0))


@dataclass(frozen=True)
class CheckState(_PublicState):
    claim_id: int
    latest_revision: int
    last_published_at: datetime
    settings_changed_at: datetime | None
    undated_revisions: int = 0
    # The survivor's slug when this claim was merged into a published claim (docs/merging.md).
    moved_to: str | None = None

    def key(self) -> tuple[Any, ...]:
        return (
            self.claim_id,
            self.latest_revision,
            caching.stamp(self.last_published_at),
            caching.stamp(self.settings_changed_at),
            self.undated_revisions,
        )


@functools.cache
def _check_state_query() -> Select[Any]:
    # Built once: every verdict-page request runs it, and building a select costs more than running it.
    return (
        select(
            Claim.id,
            func.max(Publication.revision),
            func.max(Publication.published_at),
            settings_version(),
            _UNDATED_COUNT,
            merging.survivor_slug(Claim.id),
        )
        .join(Publication, Publication.claim_id == Claim.id)
        .where(Claim.slug == bindparam("slug"))
        .group_by(Claim.id)
    )


def check_state(session: Session, slug: str) -> CheckState | None:
    """One small query: the published claim's id, latest revision and times; None if nothing is public."""
    row = session.execute(_check_state_query(), {"slug": slug}).one_or_none()
    if row is None:
        return None
    return CheckState(row[0], row[1], row[2], row[3], int(row[4] or 0), row[5])


@dataclass(frozen=True)
class SiteState(_PublicState):
    """What every list of publications depends on: the newest one, how many, the settings."""

    last_published_at: datetime | None
    publications: int
    settings_changed_at: datetime | None
    undated_publications: int = 0

    def key(self) -> tuple[Any, ...]:
        return (
            caching.stamp(self.last_published_at),
            self.publications,
            caching.stamp(self.settings_changed_at),
            self.undated_publications,
        )


def site_state(session: Session) -> SiteState:
    row = session.execute(
        select(
            func.max(Publication.published_at), func.count(Publication.id), settings_version(), _UNDATED_COUNT
        )
    ).one()
    return SiteState(row[0], row[1], row[2], int(row[3] or 0))


# --- the verdict page ---------------------------------------------------------------------


@dataclass
class CheckView:
    """What the verdict page (or an old revision of it) shows."""

    slug: str
    revisions: Sequence[Publication]  # every revision, oldest first
    shown: Sequence[Publication]  # the revisions up to the one shown

    @property
    def current(self) -> Publication:
        return self.shown[-1]

    @property
    def snapshot(self) -> dict[str, Any]:
        return self.current.snapshot

    @property
    def label(self) -> str:
        return shown_label(self.shown)

    @property
    def retraction(self) -> Publication | None:
        return self.current if self.current.kind == PublicationKind.RETRACTION else None

    @property
    def is_latest(self) -> bool:
        return self.current.revision == self.revisions[-1].revision

    @property
    def first_published_at(self) -> datetime:
        return self.shown[0].published_at

    @property
    def notes(self) -> list[Publication]:
        """The corrections, updates and retraction shown so far, newest first."""
        return [r for r in reversed(self.shown) if r.kind != PublicationKind.PUBLICATION and r.note]

    @property
    def attribution(self) -> Attribution | None:
        """The other publisher whose check this is (None: ours)."""
        return attribution(self.snapshot)

    @property
    def description(self) -> str:
        return plain_text(self.snapshot.get("summary")) or str(self.snapshot.get("headline") or "")


def _check_view(session: Session, slug: str, claim_id: int, revision: int | None = None) -> CheckView:
    revisions = revisions_of(session, claim_id)
    shown = revisions if revision is None else [r for r in revisions if r.revision <= revision]
    return CheckView(slug=slug, revisions=revisions, shown=shown)


@bp.route("/checks/<slug>")
@public
def check(slug: str) -> ResponseReturnValue:
    session = db.session()
    state = check_state(session, slug)
    if state is None:
        return not_found()
    if state.moved_to is not None:
        # A published duplicate merged into a published check: readers and links go there for good.
        return redirect(check_url(state.moved_to), 301)
    return caching.serve(
        caching.get_cache().pages,
        check_etag(state),
        state.last_modified,
        lambda: render_check(session, slug, state),
    )


def check_etag(state: CheckState) -> str:
    """The verdict page's validator (the same whether the page is stored or rendered now)."""
    return caching.make_etag("check", state.key())


def render_check(session: Session, slug: str, state: CheckState) -> str:
    """The verdict page's HTML (inside a request context: its links are absolute)."""
    view = _check_view(session, slug, state.claim_id)
    canonical = check_url(slug)
    review = claim_review(
        view.revisions, url=canonical, publisher=publisher(session), language=current_language()
    )
    # The rating's name as the page shows it, in the page's language (the number stays the scale's).
    review["reviewRating"]["alternateName"] = label_name_filter(review["reviewRating"]["alternateName"])
    return render_template(
        "public/check.html",
        view=view,
        canonical=canonical,
        site_name=publisher(session).name,
        claim_review_json=script_json(review),
    )


@bp.route("/checks/<slug>/revisions/<id:revision>")
@public
def check_revision(slug: str, revision: int) -> ResponseReturnValue:
    """An earlier (or the current) revision exactly as readers saw it then.

    It is marked ``noindex`` with the current page as canonical, and carries no
    ClaimReview: there is one ClaimReview per claim, on its canonical page.
    """
    session = db.session()
    state = check_state(session, slug)
    if state is None or not 1 <= revision <= state.latest_revision:
        return not_found()
    etag = caching.make_etag("revision", (revision, *state.key()))

    def render() -> str:
        view = _check_view(session, slug, state.claim_id, revision)
        return render_template(
            "public/check_revision.html",
            view=view,
            canonical=check_url(slug),
            site_name=publisher(session).name,
        )

    return caching.serve(caching.get_cache().pages, etag, state.last_modified, render)


# --- the index ----------------------------------------------------------------------------


# The index's "by" filter: our own checks, or those of the other publishers we imported.
BY_US, BY_OTHERS = "us", "others"
BY_CHOICES = {BY_US: _l("Our fact checks"), BY_OTHERS: _l("Other publishers' fact checks")}


@dataclass
class IndexFilters:
    q: str = ""
    label: str = ""
    by: str = ""
    published_from: date | None = None
    published_to: date | None = None
    after: str | None = None
    before: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.label or self.by or self.published_from or self.published_to)

    def args(self, **changes: Any) -> dict[str, str]:
        """The query string for a link keeping these filters (pagination cursors replaced)."""
        values = {
            "q": self.q,
            "label": self.label,
            "by": self.by,
            "from": self.published_from.isoformat() if self.published_from else "",
            "to": self.published_to.isoformat() if self.published_to else "",
        }
        values.update(changes)
        return {name: value for name, value in values.items() if value}


def _parse_date(raw: str, name: str, errors: dict[str, str]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _(
            "“%(value)s” is not a date. Use the form YYYY-MM-DD, e.g. 2019-02-01.", value=raw[:40]
        )
        return None


def parse_filters(args: Any) -> tuple[IndexFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    q = " ".join(str(args.get("q", "")).split())
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _("Search for at most %(max)s characters.", max=MAX_QUERY_LENGTH)
        q = q[:MAX_QUERY_LENGTH]
    if "\x00" in q:
        errors["q"] = _("The search contains a character that is not allowed.")
        q = q.replace("\x00", "")
    by = str(args.get("by", "")).strip()
    if by and by not in BY_CHOICES:
        errors["by"] = _("Choose our fact checks, other publishers' or both.")
        by = ""
    filters = IndexFilters(
        q=q,
        label=str(args.get("label", "")).strip()[:100].replace("\x00", ""),
        by=by,
        published_from=_parse_date(str(args.get("from", "")), "from", errors),
        published_to=_parse_date(str(args.get("to", "")), "to", errors),
        after=args.get("after") or None,
        before=args.get("before") or None,
    )
    if filters.published_from and filters.published_to and filters.published_from > filters.published_to:
        errors["to"] = _("The end date is before the start date.")
    return filters, errors


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class PublishedChecks:
    """The query of every published claim with its latest revision and dates, and its filters.

    Dates are the known ones: ``first_published_at`` is NULL when revision 1's date is unknown,
    ``last_published_at`` when no revision has a date. Checks without any date come after the
    dated ones (``sorted_at``), whenever they were imported.
    """

    def __init__(self) -> None:
        first = case((Publication.revision == 1, dated_time()))
        last = func.max(dated_time())
        self.stats = (
            select(
                Publication.claim_id.label("claim_id"),
                func.max(Publication.revision).label("latest_revision"),
                func.min(first).label("first_published_at"),
                last.label("last_published_at"),
                sort_time(last).label("sorted_at"),
            )
            .group_by(Publication.claim_id)
            .subquery("publication_stats")
        )
        self.latest = aliased(Publication, name="latest_publication")
        self.shown_label = case(
            (self.latest.kind == PublicationKind.RETRACTION, literal(RETRACTED_LABEL)),
            else_=self.latest.label_name,
        )
        self.ordering = keyset.Ordering(
            "public-checks",
            [
                keyset.Key(self.stats.c.sorted_at, datetime, descending=True),
                keyset.Key(Claim.id, int, descending=True),
            ],
        )

    def base(self, *columns: Any) -> Select[Any]:
        stats, latest = self.stats, self.latest
        return (
            select(*columns)
            .select_from(Claim)
            .join(stats, stats.c.claim_id == Claim.id)
            .join(latest, (latest.claim_id == Claim.id) & (latest.revision == stats.c.latest_revision))
            .where(Claim.slug.is_not(None))
        )

    def filtered(self, filters: IndexFilters, *columns: Any, dialect: str) -> Select[Any]:
        """The published claims ``filters`` keep; ``dialect`` the database's (the search differs)."""
        query = self.base(*columns)
        search = parse_search(filters.q)
        if search:
            # Whole words, accents and case aside: "art" is not in "heart", "chavez" is "Chávez".
            terms = SearchQuery(search.text, search.terms[:MAX_SEARCH_WORDS])
            query = query.where(whole_words(self.latest.search_text, terms, dialect))
        if filters.label:
            # Every spelling of the label ("Mostly False", "Mostly false"), as labels() lists one.
            fold_label = getattr(func, FOLD)
            query = query.where(fold_label(self.shown_label) == fold_label(literal(filters.label)))
        if filters.by:
            other = other_publisher(self.latest)
            query = query.where(other.is_(None) if filters.by == BY_US else other.is_not(None))
        if filters.published_from:
            query = query.where(self.stats.c.first_published_at >= _day_start(filters.published_from))
        if filters.published_to and filters.published_to < date.max:
            end = _day_start(filters.published_to + timedelta(days=1))
            query = query.where(self.stats.c.first_published_at < end)
        return query

    def labels(self, session: Session, selected: str = "") -> list[str]:
        """The labels readers can filter by, each once whatever its case (the first spelling in
        alphabetical order stands for the others), alphabetical: those of our rating scale and
        "Retracted" that published checks show, then the other labels (imported checks show
        their publisher's own) that at least :data:`LABEL_MIN_USES` checks show, the most used
        first, up to :data:`LABEL_CHOICES` in all. One-off labels (free-text conclusions) are
        left out of the list, not out of the index: a search or a ``label`` link still finds
        them; ``selected`` (the filter in use) is always listed."""
        counts: dict[str, int] = {}
        spellings: dict[str, str] = {}
        rows = session.execute(self.base(self.shown_label, func.count()).group_by(self.shown_label))
        for name, count in sorted(rows, key=lambda row: row[0]):
            folded = fold(name)
            spellings.setdefault(folded, name)
            counts[folded] = counts.get(folded, 0) + count
        ours = {fold(name) for name in session.scalars(select(RatingLabel.name).where(RatingLabel.is_active))}
        ours.add(fold(RETRACTED_LABEL))
        chosen = [folded for folded in counts if folded in ours]
        others = sorted(
            (folded for folded in counts if folded not in ours and counts[folded] >= LABEL_MIN_USES),
            key=lambda folded: (-counts[folded], folded),
        )
        chosen += others[: max(0, LABEL_CHOICES - len(chosen))]
        if selected and fold(selected) not in chosen:
            chosen.append(fold(selected))
            spellings.setdefault(fold(selected), selected)
        return sorted((spellings[folded] for folded in chosen), key=str.casefold)


@dataclass
class IndexItem:
    slug: str
    label: str
    kind: PublicationKind
    headline: str
    claim: str
    claimant: str
    first_published_at: datetime | None  # None: date unknown
    last_published_at: datetime | None
    publisher: str | None  # the other publisher whose check it is; None: ours


def _render_index(session: Session, filters: IndexFilters, errors: dict[str, str]) -> str:
    checks = PublishedChecks()
    items: list[IndexItem] = []
    total: int | None = None
    page: keyset.Page | None = None
    if not errors:
        query = checks.filtered(
            filters,
            Claim.slug,
            checks.latest,
            checks.shown_label,
            checks.stats.c.first_published_at,
            checks.stats.c.last_published_at,
            dialect=session.get_bind().dialect.name,
        )
        try:
            page = keyset.fetch_page(
                session, query, checks.ordering, size=PAGE_SIZE, after=filters.after, before=filters.before
            )
        except keyset.InvalidCursor:
            errors["page"] = _("This page link is out of date or damaged. Start again from the first page.")
        else:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            for row in page.rows:
                publication: Publication = row[1]
                snapshot = publication.snapshot
                items.append(
                    IndexItem(
                        slug=row[0],
                        label=row[2],
                        kind=publication.kind,
                        headline=publication.headline,
                        claim=str(snapshot.get("claim") or ""),
                        claimant=str(snapshot.get("claimant") or ""),
                        first_published_at=row[3],
                        last_published_at=row[4],
                        publisher=other.publisher if (other := attribution(snapshot)) else None,
                    )
                )
    return render_template(
        "public/checks.html",
        filters=filters,
        errors=errors,
        labels=checks.labels(session, filters.label),
        by_choices=BY_CHOICES,
        items=items,
        total=total,
        page=page,
        feed_url=url_for("public.feed"),
        canonical=absolute_url("public.checks"),
    )


@bp.route("/checks/")
@public
def checks() -> ResponseReturnValue:
    session = db.session()
    filters, errors = parse_filters(request.args)
    for cursor in (filters.after, filters.before):
        if cursor is not None:
            try:
                PublishedChecks().ordering.decode(cursor)
            except keyset.InvalidCursor:
                errors["page"] = _(
                    "This page link is out of date or damaged. Start again from the first page."
                )
    if errors:
        # Shown with the form and the messages; never cached, never a 500.
        return caching.serve(
            None, "", None, lambda: _render_index(session, filters, dict(errors)), status=400
        )
    state = site_state(session)
    etag = caching.make_etag("checks", (*state.key(), request.query_string.decode("latin-1")))
    return caching.serve(
        caching.get_cache().lists, etag, state.last_modified, lambda: _render_index(session, filters, errors)
    )
