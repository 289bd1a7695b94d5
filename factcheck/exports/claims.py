"""The claims export: its columns, its filters, and the claims read in batches.

Who reads it: the team (reviewers and up, ``Permission.EXPORT``), on the web
(``/exports/``) and with ``factcheck export claims``. The column list is
documented for people and for ``factcheck import claims`` in docs/exports.md;
:data:`CLAIM_COLUMNS` is the one definition every format uses (CSV and XLSX
headings are ``Column.header``, JSON keys ``Column.name``). Keep both stable:
add columns at the end, never rename one.

Draft or published? The verdict columns hold the **current draft verdict**
(label, headline, summary), and their headings say so ("Verdict label
(draft)"): an export is the team's working view, and for claims not yet
published the draft is all there is. What readers see is in "Published label"
(the label of the latest publication revision, "Retracted" once retracted) and
"Verdict URL". A published claim whose draft changed since its last revision
therefore shows the new draft label beside the published one; the ClaimReview
format (``factcheck.exports.claimreview``) exports only published snapshots.

Blind ratings: "Reviewer ratings" follows the claim page's rule
(:func:`factcheck.ratings.visibility.can_see_ratings`): editors and admins see
every rating; a reviewer sees a claim's ratings only once they have rated it,
otherwise the cell says they are hidden (``null`` in JSON). The command line
is the operator's, and sees every rating.

Streaming: :func:`claim_records` reads the matching claims in id order, in
keyset batches of :data:`BATCH` claims, loading what the columns need for the
whole batch at once (one query per kind of related row, only the columns
shown: document texts, explanations, ratings' reasoning and snapshots are never
read) and emptying the session between batches. Memory stays flat however
many claims match.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Appearance, Claim, ClaimantKind, ClaimState, Tag, claim_tags
from factcheck.documents.models import Document
from factcheck.exports.formats import Column, Sheet, table_columns
from factcheck.publishing.claimreview import RETRACTED_LABEL
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.urls import check_url
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.ratings.visibility import can_see_ratings
from factcheck.sources.models import Source
from factcheck.verdicts.models import Verdict
from factcheck.web.marks import N_

# Claims read per query; the related rows of a batch come in one query per relationship.
BATCH = 500
DATE_FIELDS = ("captured", "published")
# What a reviewer who has not rated the claim sees in place of the others' ratings.
HIDDEN_RATINGS = "(hidden until you rate this claim)"
MAX_CLAIMANT_FILTER = 200


# --- who is exporting -----------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whose export it is, for the blind-rating rule. ``user`` None: the command line (sees all)."""

    user: Any = None

    @classmethod
    def of(cls, user: Any) -> Viewer:
        # A detached copy of what the rule reads: the request's session closes before the download streams.
        return cls(
            SimpleNamespace(id=user.id, role=user.role, is_authenticated=True, is_disabled=user.is_disabled)
        )

    @classmethod
    def command_line(cls) -> Viewer:
        return cls(None)

    def sees_ratings(self, claim: Any) -> bool:
        """The claim page's rule; ``claim`` is anything with ``ratings`` having a ``reviewer_id``."""
        return self.user is None or can_see_ratings(self.user, claim)


# --- filters ----------------------------------------------------------------------------


class InvalidFilter(ValueError):
    """A filter value that names nothing or makes no sense; ``field`` is the filter's name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClaimExportFilter:
    """Which claims to export; every field optional, all of them must hold.

    The date range is inclusive, in UTC days, on the day the claim was captured
    (``date_field`` "captured") or first published ("published": claims never
    published are then left out as soon as a bound is given).
    """

    date_field: str = "captured"
    date_from: date | None = None
    date_to: date | None = None
    state: ClaimState | None = None
    # The draft verdict's label (what the "Verdict label (draft)" column shows).
    label_id: int | None = None
    tag_id: int | None = None
    # Claims this person has rated.
    reviewer_id: int | None = None
    # A part of the claimant's name, any case (on SQLite, for ASCII letters).
    claimant: str | None = None
    # Only claims with a publication (the ClaimReview format).
    published_only: bool = False
    # One claim (its complete record: factcheck/exports/record.py).
    claim_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.claim_id is not None:
            where.append(Claim.id == self.claim_id)
        if self.state is not None:
            where.append(Claim.state == self.state)
        if self.label_id is not None:
            where.append(Claim.id.in_(select(Verdict.claim_id).where(Verdict.label_id == self.label_id)))
        if self.tag_id is not None:
            where.append(
                Claim.id.in_(select(claim_tags.c.claim_id).where(claim_tags.c.tag_id == self.tag_id))
            )
        if self.reviewer_id is not None:
            where.append(Claim.id.in_(select(Rating.claim_id).where(Rating.reviewer_id == self.reviewer_id)))
        if self.claimant:
            where.append(Claim.claimant.icontains(self.claimant, autoescape=True))
        start = _start_of(self.date_from) if self.date_from else None
        end = _start_of(self.date_to + timedelta(days=1)) if self.date_to else None
        if self.date_field == "published" and (start or end):
            # A claim whose first date is unknown (an undated import) is in no date range.
            first = select(Publication.claim_id).where(
                Publication.revision == 1, Publication.date_unknown.is_(False)
            )
            if start:
                first = first.where(Publication.published_at >= start)
            if end:
                first = first.where(Publication.published_at < end)
            where.append(Claim.id.in_(first))
        else:
            if start:
                where.append(Claim.created_at >= start)
            if end:
                where.append(Claim.created_at < end)
        if self.published_only:
            where.append(Claim.slug.is_not(None))
            where.append(Claim.id.in_(select(Publication.claim_id)))
        return where


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_date(name: str, value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidFilter(name, _("%(text)s is not a date; use YYYY-MM-DD", text=repr(text))) from None


def parse_filter(
    session: Session,
    *,
    date_field: str | None = None,
    date_from: Any = None,
    date_to: Any = None,
    state: str | None = None,
    label: str | None = None,
    tag: str | None = None,
    reviewer: str | None = None,
    claimant: str | None = None,
) -> ClaimExportFilter:
    """The filter from what a person typed (CLI options or web form values).

    ``label`` is a rating label key, ``tag`` a tag name, ``reviewer`` an email
    address or user id. Raises :class:`InvalidFilter` naming the first bad one.
    """
    field_name = (_text(date_field) or "captured").lower()
    if field_name not in DATE_FIELDS:
        raise InvalidFilter(
            "date_field", _("%(text)s is not a date field; use captured or published", text=repr(date_field))
        )
    start, end = parse_date("date_from", date_from), parse_date("date_to", date_to)
    if start and end and start > end:
        raise InvalidFilter(
            "date_to", _("the end date %(end)s is before the start date %(start)s", end=end, start=start)
        )
    claimant_text = _text(claimant)
    if claimant_text and ("\x00" in claimant_text or len(claimant_text) > MAX_CLAIMANT_FILTER):
        raise InvalidFilter(
            "claimant",
            ngettext(
                "the claimant filter takes at most %(num)d character",
                "the claimant filter takes at most %(num)d characters",
                MAX_CLAIMANT_FILTER,
            ),
        )
    return ClaimExportFilter(
        date_field=field_name,
        date_from=start,
        date_to=end,
        state=_state(state),
        label_id=_label_id(session, label),
        tag_id=_tag_id(session, tag),
        reviewer_id=_reviewer_id(session, reviewer),
        claimant=claimant_text,
    )


def _state(value: str | None) -> ClaimState | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return ClaimState(text.lower().replace(" ", "_"))
    except ValueError:
        known = ", ".join(state.value for state in ClaimState)
        raise InvalidFilter(
            "state", _("%(text)s is not a state; use one of %(known)s", text=repr(text), known=known)
        ) from None


def _label_id(session: Session, value: str | None) -> int | None:
    key = _text(value)
    if key is None:
        return None
    found = session.scalar(select(RatingLabel.id).where(func.lower(RatingLabel.key) == key.lower()))
    if found is None:
        known = ", ".join(session.scalars(select(RatingLabel.key).order_by(RatingLabel.position)))
        raise InvalidFilter(
            "label",
            _("no rating label with the key %(key)s; the keys are %(known)s", key=repr(key), known=known),
        )
    return found


def _tag_id(session: Session, value: str | None) -> int | None:
    name = _text(value)
    if name is None:
        return None
    found = session.scalar(select(Tag.id).where(Tag.name == name))
    if found is None:
        found = session.scalar(select(Tag.id).where(func.lower(Tag.name) == name.lower()).limit(1))
    if found is None:
        raise InvalidFilter("tag", _("no tag named %(name)s", name=repr(name)))
    return found


def _reviewer_id(session: Session, value: str | None) -> int | None:
    text = _text(value)
    if text is None:
        return None
    if text.isdigit():
        found = session.scalar(select(User.id).where(User.id == int(text)))
    else:
        found = session.scalar(select(User.id).where(User.email == text.lower()))
    if found is None:
        raise InvalidFilter("reviewer", _("no user with the email or id %(text)s", text=repr(text)))
    return found


# --- reading the claims -----------------------------------------------------------------


@dataclass
class ClaimRecord:
    """One exported claim with what its columns read, loaded for its whole batch.

    The related lists hold SQLAlchemy rows with named fields: ``appearances``
    (url, document_title, document_url), ``ratings`` (reviewer_id, reviewer,
    label), ``revisions`` (revision, kind, published_at, date_unknown, label_name,
    oldest first); ``verdict`` (label, headline, summary, imported_label, imported_publisher)
    or None.
    """

    id: int
    text: str
    claimant: str
    claimed_on: date | None
    state: ClaimState
    slug: str | None
    created_at: datetime
    claimant_kind: ClaimantKind
    language: str | None
    appearances: list[Any] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    ratings: list[Any] = field(default_factory=list)
    verdict: Any = None
    revisions: list[Any] = field(default_factory=list)
    # The sources (title, url, publisher, published_on, kind, stance, quote, is_primary; never
    # the team's private note), oldest first.
    sources: list[Any] = field(default_factory=list)
    # Whether the exporting person may see this claim's ratings.
    ratings_visible: bool = True


_CLAIM_FIELDS = (
    Claim.id,
    Claim.text,
    Claim.claimant,
    Claim.claimed_on,
    Claim.state,
    Claim.slug,
    Claim.created_at,
    Claim.claimant_kind,
    Claim.language,
)


def count_claims(session: Session, claim_filter: ClaimExportFilter) -> int:
    """How many claims the filter matches (the command line's progress bar)."""
    return session.scalar(select(func.count()).select_from(Claim).where(*claim_filter.conditions())) or 0


def claim_batches(
    session: Session, claim_filter: ClaimExportFilter, *, batch: int = BATCH
) -> Iterator[list[ClaimRecord]]:
    """The matching claims in id order, ``batch`` at a time (keyset: after the last id), each
    batch with its related rows: one query per kind of row for the whole batch.

    Plain rows rather than ORM objects with ``selectinload``: building and tracking
    the objects made reading three times slower (1.8 s against 0.6 s of CPU for
    5,000 claims; bench/README.md). The session is emptied between batches all
    the same, so nothing read stays behind.
    """
    query = select(*_CLAIM_FIELDS).where(*claim_filter.conditions()).order_by(Claim.id).limit(batch)
    after = 0
    while True:
        rows = session.execute(query.where(Claim.id > after)).all()
        if not rows:
            return
        records = {row.id: ClaimRecord(*row) for row in rows}
        _load_related(session, records)
        yield list(records.values())
        after = rows[-1].id
        session.expunge_all()
        if len(rows) < batch:
            return


def _load_related(session: Session, records: dict[int, ClaimRecord]) -> None:
    ids = list(records)
    for row in session.execute(
        select(
            Appearance.claim_id,
            Appearance.url,
            Appearance.venue,
            Document.title.label("document_title"),
            Document.url.label("document_url"),
        )
        .outerjoin(Document, Document.id == Appearance.document_id)
        .where(Appearance.claim_id.in_(ids))
        .order_by(Appearance.id)
    ):
        records[row.claim_id].appearances.append(row)
    for claim_id, name in session.execute(
        select(claim_tags.c.claim_id, Tag.name)
        .join(Tag, Tag.id == claim_tags.c.tag_id)
        .where(claim_tags.c.claim_id.in_(ids))
        .order_by(Tag.name)
    ):
        records[claim_id].tags.append(name)
    for row in session.execute(
        select(
            Rating.claim_id,
            Rating.reviewer_id,
            User.name.label("reviewer"),
            RatingLabel.name.label("label"),
        )
        .join(User, User.id == Rating.reviewer_id)
        .join(RatingLabel, RatingLabel.id == Rating.label_id)
        .where(Rating.claim_id.in_(ids))
        .order_by(Rating.id)
    ):
        records[row.claim_id].ratings.append(row)
    for row in session.execute(
        select(
            Verdict.claim_id,
            # An imported label our scale has no match for is exported as it was imported.
            func.coalesce(RatingLabel.name, Verdict.imported_label).label("label"),
            Verdict.headline,
            Verdict.summary,
            Verdict.imported_label,
            Verdict.imported_publisher,
        )
        .outerjoin(RatingLabel, RatingLabel.id == Verdict.label_id)
        .where(Verdict.claim_id.in_(ids))
    ):
        records[row.claim_id].verdict = row
    for row in session.execute(
        select(
            Publication.claim_id,
            Publication.revision,
            Publication.kind,
            Publication.published_at,
            Publication.date_unknown,
            Publication.label_name,
            Publication.note,
        )
        .where(Publication.claim_id.in_(ids))
        .order_by(Publication.claim_id, Publication.revision)
    ):
        records[row.claim_id].revisions.append(row)
    for row in session.execute(
        select(
            Source.claim_id,
            Source.title,
            Source.url,
            Source.publisher,
            Source.published_on,
            Source.kind,
            Source.stance,
            Source.quote,
            Source.is_primary,
        )
        .where(Source.claim_id.in_(ids))
        .order_by(Source.claim_id, Source.id)
    ):
        records[row.claim_id].sources.append(row)


def claim_records(
    session: Session, claim_filter: ClaimExportFilter, viewer: Viewer, *, batch: int = BATCH
) -> Iterator[ClaimRecord]:
    """One :class:`ClaimRecord` per matching claim, oldest first; lazy, batch by batch."""
    for records in claim_batches(session, claim_filter, batch=batch):
        for record in records:
            record.ratings_visible = viewer.sees_ratings(record)
            yield record


# --- the columns ------------------------------------------------------------------------


def _appearances(record: ClaimRecord) -> list[dict[str, str | None]]:
    return [
        {"url": row.url or row.document_url, "document_title": row.document_title, "venue": row.venue}
        for row in record.appearances
    ]


def _appearances_cell(appearances: list[dict[str, str | None]]) -> str:
    # One a line: the address when there is one, else the document's title, else the venue.
    return "\n".join(item["url"] or item["document_title"] or item["venue"] or "" for item in appearances)


def _ratings(record: ClaimRecord) -> list[dict[str, str]] | None:
    if not record.ratings_visible and record.ratings:
        return None
    return [{"reviewer": row.reviewer, "label": row.label} for row in record.ratings]


def _ratings_cell(ratings: list[dict[str, str]] | None) -> str:
    if ratings is None:
        return HIDDEN_RATINGS
    return "; ".join(f"{rating['reviewer']}: {rating['label']}" for rating in ratings)


def _verdict(attribute: str) -> Callable[[ClaimRecord], Any]:
    def get(record: ClaimRecord) -> Any:
        if record.verdict is None:
            return None
        return getattr(record.verdict, attribute) or None

    return get


def _published_label(record: ClaimRecord) -> str | None:
    if not record.revisions:
        return None
    latest = record.revisions[-1]
    return RETRACTED_LABEL if latest.kind == PublicationKind.RETRACTION else latest.label_name


def _verdict_url(record: ClaimRecord) -> str | None:
    if not record.revisions or not record.slug:
        return None
    return check_url(record.slug)


def _corrections(record: ClaimRecord) -> list[Any]:
    return [row for row in record.revisions if row.kind == PublicationKind.CORRECTION]


def _known_date(revision: Any) -> datetime | None:
    """A revision's time, empty when its date is unknown (never the time it was imported)."""
    return None if revision.date_unknown else revision.published_at


def _last_corrected_at(record: ClaimRecord) -> datetime | None:
    corrections = _corrections(record)
    return _known_date(corrections[-1]) if corrections else None


def _joined(values: list[str]) -> str:
    return "; ".join(values)


def _source(row: Any) -> dict[str, Any]:
    return {
        "title": row.title,
        "url": row.url,
        "publisher": row.publisher,
        "date": row.published_on,
        "kind": row.kind.value,
        "stance": row.stance.value,
        "quote": row.quote,
        "primary": row.is_primary,
    }


def _sources(record: ClaimRecord) -> list[dict[str, Any]]:
    return [_source(row) for row in record.sources]


CLAIM_COLUMNS: tuple[Column[ClaimRecord], ...] = (
    Column("claim_id", N_("Claim ID"), lambda r: r.id, width=9),
    Column("claim", N_("Claim"), lambda r: r.text, width=60),
    Column("claimant", N_("Claimant"), lambda r: r.claimant, width=24),
    Column("claim_date", N_("Claim date"), lambda r: r.claimed_on, width=12),
    Column("appearances", N_("Appearances"), _appearances, flat=_appearances_cell, width=40),
    Column("state", N_("State"), lambda r: r.state.value, width=12),
    Column("verdict_label", N_("Verdict label (draft)"), _verdict("label"), width=16),
    Column("verdict_headline", N_("Verdict headline (draft)"), _verdict("headline"), width=40),
    Column("verdict_summary", N_("Verdict summary (draft)"), _verdict("summary"), width=60),
    Column("published_label", N_("Published label"), _published_label, width=16),
    Column("verdict_url", N_("Verdict URL"), _verdict_url, width=40),
    Column("captured_at", N_("Captured at (UTC)"), lambda r: r.created_at, width=20),
    Column(
        "first_published_at",
        N_("First published at (UTC)"),
        lambda r: _known_date(r.revisions[0]) if r.revisions else None,
        width=20,
    ),
    Column("last_corrected_at", N_("Last corrected at (UTC)"), _last_corrected_at, width=20),
    Column("ratings", N_("Reviewer ratings"), _ratings, flat=_ratings_cell, width=40),
    # JSON: the sources as objects; CSV and XLSX: how many (XLSX lists them on its Sources sheet).
    Column("sources", N_("Sources"), _sources, flat=len, width=9),
    Column("corrections", N_("Corrections"), lambda r: len(_corrections(r)), width=11),
    Column("tags", N_("Tags"), lambda r: list(r.tags), flat=_joined, width=24),
    Column("claimant_kind", N_("Claimant kind"), lambda r: r.claimant_kind.value, width=14),
    Column("language", N_("Language"), lambda r: r.language, width=10),
    Column("imported_label", N_("Imported label"), _verdict("imported_label"), width=16),
    Column("imported_publisher", N_("Imported from publisher"), _verdict("imported_publisher"), width=24),
    Column("source_count", N_("Source count"), lambda r: len(r.sources), in_tables=False),
)


# --- the XLSX workbook's further sheets: a row per source, a row per revision ---------------

SOURCE_COLUMNS: tuple[Column[tuple[ClaimRecord, Any]], ...] = (
    Column("claim_id", N_("Claim ID"), lambda pair: pair[0].id, width=9),
    Column("title", N_("Title"), lambda pair: pair[1].title, width=40),
    Column("url", N_("URL"), lambda pair: pair[1].url, width=40),
    Column("publisher", N_("Publisher"), lambda pair: pair[1].publisher, width=24),
    Column("date", N_("Date"), lambda pair: pair[1].published_on, width=12),
    Column("kind", N_("Kind"), lambda pair: pair[1].kind.value, width=16),
    Column("stance", N_("Stance"), lambda pair: pair[1].stance.value, width=10),
    Column("quote", N_("Quote"), lambda pair: pair[1].quote, width=60),
    Column("primary", N_("Primary"), lambda pair: pair[1].is_primary, width=9),
)
REVISION_COLUMNS: tuple[Column[tuple[ClaimRecord, Any]], ...] = (
    Column("claim_id", N_("Claim ID"), lambda pair: pair[0].id, width=9),
    Column("revision", N_("Revision"), lambda pair: pair[1].revision, width=9),
    Column("kind", N_("Kind"), lambda pair: pair[1].kind.value, width=12),
    Column("date", N_("Date (UTC)"), lambda pair: _known_date(pair[1]), width=20),
    Column("note", N_("Note"), lambda pair: pair[1].note, width=60),
)
CLAIM_SHEETS: tuple[Sheet[ClaimRecord], ...] = (
    Sheet(N_("Sources"), SOURCE_COLUMNS, lambda r: [(r, row) for row in r.sources]),
    Sheet(N_("Revisions"), REVISION_COLUMNS, lambda r: [(r, row) for row in r.revisions]),
)


def column_headers(columns: Sequence[Column[Any]] = CLAIM_COLUMNS) -> list[str]:
    """The CSV and XLSX headings (JSON-only fields left out)."""
    return [column.header for column in table_columns(columns)]


def published_claim_ids(session: Session, claim_filter: ClaimExportFilter) -> Any:
    """A subquery of the published claims matching the filter (for the ClaimReview format)."""
    return select(Claim.id).where(*replace(claim_filter, published_only=True).conditions())
