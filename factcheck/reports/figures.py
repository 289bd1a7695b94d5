"""The figures of the team report, each defined precisely.

A period is a range of whole days, ``start`` to ``end`` inclusive, in UTC: it
holds every moment from ``start`` 00:00 UTC up to, not including, the day after
``end`` 00:00 UTC. "In the period" below always means that.

- **captured**: claims whose ``created_at`` is in the period.
- **published**: first publications (revision 1) whose ``published_at`` is in
  the period; a claim counts once, in the period it first went public.
- **corrected**, **updated**, **retracted**: publication revisions of that kind
  whose ``published_at`` is in the period (a claim corrected twice counts twice).
- A revision whose date is unknown (``date_unknown``: imported from a record
  without ``datePublished``) is in no period: its ``published_at`` is the time
  of the import, not of the verdict, so it counts nowhere in the report.
- **dismissed**: workflow transitions to ``dismissed`` in the period (a claim
  dismissed, restored and dismissed again counts twice).
- **verdict distribution**: the label of each first publication in the period
  (the label it was published with, not one a later correction gave it),
  every label of the scale in its display order, zeros included, then any
  other published label (retired or imported) by name.
- **time to publication**: for each claim first published in the period, its
  first ``published_at`` minus its ``created_at``, in hours. Claims imported
  from another tool are left out (their capture time is the import, not the
  work), and so is any negative span. The median and the 90th percentile use
  linear interpolation between the closest ranks (:func:`percentile`: the
  method of numpy's default, R's type 7 and ``statistics.quantiles(method=
  "inclusive")``); the median is the 50th percentile, i.e. ``statistics.median``.
- **work per person**: for each user, the ratings they submitted (``created_at``
  of the rating in the period; a later revision does not count again), the
  sources they added and the claims they captured in the period. People with
  none of the three are not listed; records whose author account is gone are
  not counted.
- **agreement**: Krippendorff's alpha for ordinal data (see
  :mod:`factcheck.reports.agreement`) over the numeric values of the labels of
  ratings submitted in the period, per claim; each rating counts with the label
  it was first submitted with (from the audit history), because only that one
  was given blind, before the reviewer could see the others. Ratings with a
  label outside the order (Unverifiable, Satire) are excluded and counted.
  Only claims with two or more such ratings in the period take part; with
  fewer than two of those claims the report says "not enough data", and when
  every one of their ratings has the same label alpha is undefined (0/0). The
  report gives the number of claims, ratings and reviewers it rests on.
- **most-checked claimants**: the ten claimants with the most claims captured
  in the period, names compared ignoring case and repeated spaces (the
  spelling used most is shown); ties by name.
- **sources per verdict**: for claims first published in the period, the
  number of sources in that first publication's snapshot (what readers were
  shown): mean and median per verdict overall, the mean per label, and the
  share of those sources marked primary (primary sources / all sources).
- **weekly flow**: captured and published (as above) per calendar week, weeks
  starting on Monday; the first and last week are cut to the period.

:func:`team_report` reads the rows it needs from a session;
:func:`compute_report` and the functions it uses work on plain values, so
every figure can be checked without a database or a request.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.audit.models import AuditChange
from factcheck.claims.models import Claim, ClaimState, ClaimTransition
from factcheck.db import utcnow
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.reports.agreement import Agreement, ordinal_alpha
from factcheck.sources.models import Source

# The report's default period: this many days, ending today.
DEFAULT_DAYS = 30
# Longer periods are refused: a weekly chart of more weeks is unreadable, and the report reads every row.
MAX_DAYS = 3 * 366
TOP_CLAIMANTS = 10


# --- the period ------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end``, both included, in UTC."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("a period starts on or before its last day")

    @classmethod
    def ending(cls, end: date, days: int = DEFAULT_DAYS) -> Period:
        """The ``days`` days up to and including ``end``."""
        return cls(end - timedelta(days=days - 1), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)

    def __contains__(self, moment: datetime) -> bool:
        return self.start_at <= moment < self.end_at

    def weeks(self) -> list[tuple[date, date]]:
        """(first day, last day) of each Monday-to-Sunday week, cut to the period."""
        monday = self.start - timedelta(days=self.start.weekday())
        weeks = []
        while monday <= self.end:
            weeks.append((max(monday, self.start), min(monday + timedelta(days=6), self.end)))
            monday += timedelta(days=7)
        return weeks


def default_period(today: date | None = None) -> Period:
    return Period.ending(today or utcnow().date())


# --- plain inputs ----------------------------------------------------------------


@dataclass(frozen=True)
class CapturedClaim:
    claim_id: int
    created_at: datetime
    claimant: str
    created_by_id: int | None


@dataclass(frozen=True)
class FirstPublication:
    """A claim's revision 1, with what the figures need of its claim and snapshot."""

    claim_id: int
    published_at: datetime
    claim_created_at: datetime
    label_name: str
    # is_primary of each source in the snapshot.
    sources_primary: tuple[bool, ...] = ()
    imported: bool = False


@dataclass(frozen=True)
class SubmittedRating:
    claim_id: int
    reviewer_id: int
    created_at: datetime
    # The numeric value of the label it was first submitted with; None outside the ordered scale.
    value: int | None


@dataclass(frozen=True)
class ScaleLabel:
    name: str
    value: int | None


@dataclass
class ReportInputs:
    """Everything the report is computed from, as plain values (rows in the period only)."""

    scale: list[ScaleLabel] = field(default_factory=list)
    captured: list[CapturedClaim] = field(default_factory=list)
    first_publications: list[FirstPublication] = field(default_factory=list)
    # kind -> number of later revisions (correction, update, retraction) in the period.
    later_revisions: dict[PublicationKind, int] = field(default_factory=dict)
    dismissals: int = 0
    ratings: list[SubmittedRating] = field(default_factory=list)
    # author id -> sources they added in the period.
    sources_added: dict[int, int] = field(default_factory=dict)
    # user id -> display name, for everyone above.
    names: dict[int, str] = field(default_factory=dict)


# --- results ---------------------------------------------------------------------


@dataclass(frozen=True)
class LabelCount:
    name: str
    count: int


@dataclass(frozen=True)
class DurationSummary:
    """Time from capture to first publication, in hours."""

    count: int
    median_hours: float | None
    p90_hours: float | None
    # Claims first published in the period but left out (imported, or published before captured).
    excluded: int = 0


@dataclass(frozen=True)
class WeekFlow:
    first_day: date
    last_day: date
    captured: int
    published: int


@dataclass(frozen=True)
class PersonWork:
    user_id: int
    name: str
    ratings: int
    sources: int
    claims: int


@dataclass(frozen=True)
class ClaimantCount:
    name: str
    claims: int


@dataclass(frozen=True)
class LabelSources:
    name: str
    verdicts: int
    sources: int
    primary: int

    @property
    def mean(self) -> float | None:
        return self.sources / self.verdicts if self.verdicts else None

    @property
    def primary_share(self) -> float | None:
        return self.primary / self.sources if self.sources else None


@dataclass(frozen=True)
class SourceSummary:
    verdicts: int
    sources: int
    primary: int
    mean: float | None
    median: float | None
    by_label: list[LabelSources]

    @property
    def primary_share(self) -> float | None:
        return self.primary / self.sources if self.sources else None


@dataclass(frozen=True)
class TeamReport:
    period: Period
    generated_at: datetime
    captured: int
    published: int
    corrected: int
    updated: int
    retracted: int
    dismissed: int
    verdicts: list[LabelCount]
    time_to_publication: DurationSummary
    weekly: list[WeekFlow]
    people: list[PersonWork]
    agreement: Agreement
    claimants: list[ClaimantCount]
    sources: SourceSummary

    @property
    def counts(self) -> list[tuple[str, int]]:
        """The headline numbers, in reading order."""
        return [
            (_("Claims captured"), self.captured),
            (_("Verdicts published"), self.published),
            (_("Corrections"), self.corrected),
            (_("Updates"), self.updated),
            (_("Retractions"), self.retracted),
            (_("Claims dismissed"), self.dismissed),
        ]


# --- the figures, from plain values --------------------------------------------------


def percentile(values: Iterable[float], fraction: float) -> float | None:
    """The ``fraction`` quantile (0..1) by linear interpolation between closest ranks.

    For n sorted values, the position is ``(n - 1) * fraction`` counted from 0;
    a fractional position is interpolated between its two neighbours. This is
    numpy's default method and ``statistics.quantiles(method="inclusive")``.
    None for no values.
    """
    if not 0 <= fraction <= 1:
        raise ValueError("fraction is between 0 and 1")
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


def label_spellings(label_names: Iterable[str], scale: Sequence[ScaleLabel]) -> dict[str, str]:
    """Each label name -> the name it is counted under: spellings that differ only in case and
    spacing ("Mostly False", "Mostly false") are one label, named as our scale names it, else by
    the spelling used most (ties: the first in alphabetical order)."""
    ours = {_claimant_key(label.name): label.name for label in scale}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for name in label_names:
        spellings[_claimant_key(name)][name] += 1
    shown: dict[str, str] = {}
    for key, variants in spellings.items():
        name = ours.get(key) or min(variants.items(), key=lambda item: (-item[1], item[0]))[0]
        shown.update(dict.fromkeys(variants, name))
    return shown


def verdict_distribution(label_names: Iterable[str], scale: Sequence[ScaleLabel]) -> list[LabelCount]:
    """Count per label: the scale's labels in order (zeros included), then any others by name;
    spellings of one label are counted together (:func:`label_spellings`)."""
    names = list(label_names)
    shown = label_spellings(names, scale)
    counts = Counter(shown[name] for name in names)
    known = [label.name for label in scale]
    others = sorted(set(counts) - set(known), key=str.casefold)
    return [LabelCount(name, counts.get(name, 0)) for name in [*known, *others]]


def time_to_publication(publications: Iterable[FirstPublication]) -> DurationSummary:
    hours, excluded = [], 0
    for publication in publications:
        span = (publication.published_at - publication.claim_created_at).total_seconds() / 3600
        if publication.imported or span < 0:
            excluded += 1
        else:
            hours.append(span)
    return DurationSummary(len(hours), percentile(hours, 0.5), percentile(hours, 0.9), excluded)


def weekly_flow(
    period: Period, captured: Iterable[datetime], published: Iterable[datetime]
) -> list[WeekFlow]:
    def per_week(moments: Iterable[datetime]) -> Counter[date]:
        days = (moment.astimezone(UTC).date() for moment in moments if moment in period)
        return Counter(day - timedelta(days=day.weekday()) for day in days)

    captured_weeks, published_weeks = per_week(captured), per_week(published)
    flow = []
    for first, last in period.weeks():
        monday = first - timedelta(days=first.weekday())
        flow.append(WeekFlow(first, last, captured_weeks[monday], published_weeks[monday]))
    return flow


def work_per_person(
    ratings: Iterable[SubmittedRating],
    sources_added: Mapping[int, int],
    captured: Iterable[CapturedClaim],
    names: Mapping[int, str],
) -> list[PersonWork]:
    """Ratings, sources and claims per person with any of them, by name."""
    rated = Counter(rating.reviewer_id for rating in ratings)
    claimed = Counter(claim.created_by_id for claim in captured if claim.created_by_id is not None)
    people = set(rated) | {user for user, count in sources_added.items() if count} | set(claimed)
    work = [
        PersonWork(
            user,
            names.get(user, _("User %(id)s", id=user)),
            rated[user],
            sources_added.get(user, 0),
            claimed[user],
        )
        for user in people
    ]
    return sorted(work, key=lambda person: (person.name.casefold(), person.user_id))


def _claimant_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def top_claimants(claimants: Iterable[str], limit: int = TOP_CLAIMANTS) -> list[ClaimantCount]:
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for name in claimants:
        spellings[_claimant_key(name)][" ".join(name.split())] += 1
    ranked = []
    for variants in spellings.values():
        # The spelling used most; ties by the first in alphabetical order.
        shown = min(variants.items(), key=lambda item: (-item[1], item[0]))[0]
        ranked.append(ClaimantCount(shown, sum(variants.values())))
    ranked.sort(key=lambda claimant: (-claimant.claims, claimant.name.casefold()))
    return ranked[:limit]


def sources_per_verdict(
    publications: Sequence[FirstPublication], scale: Sequence[ScaleLabel]
) -> SourceSummary:
    counts = [len(publication.sources_primary) for publication in publications]
    by_label: dict[str, list[FirstPublication]] = defaultdict(list)
    shown = label_spellings((publication.label_name for publication in publications), scale)
    for publication in publications:
        by_label[shown[publication.label_name]].append(publication)
    order = [row.name for row in verdict_distribution(by_label, scale) if row.name in by_label]
    labels = [
        LabelSources(
            name,
            len(by_label[name]),
            sum(len(p.sources_primary) for p in by_label[name]),
            sum(sum(p.sources_primary) for p in by_label[name]),
        )
        for name in order
    ]
    return SourceSummary(
        verdicts=len(publications),
        sources=sum(counts),
        primary=sum(sum(publication.sources_primary) for publication in publications),
        mean=statistics.fmean(counts) if counts else None,
        median=percentile(counts, 0.5),
        by_label=labels,
    )


def compute_report(
    period: Period, inputs: ReportInputs, *, generated_at: datetime | None = None
) -> TeamReport:
    """Every figure of the report from plain inputs.

    Claims, first publications and ratings outside the period are ignored; the
    counts already made per period (later revisions, dismissals, sources added)
    are taken as given.
    """
    captured = [claim for claim in inputs.captured if claim.created_at in period]
    published = [p for p in inputs.first_publications if p.published_at in period]
    ratings = [rating for rating in inputs.ratings if rating.created_at in period]
    scale_values = [label.value for label in inputs.scale if label.value is not None]
    return TeamReport(
        period=period,
        generated_at=generated_at or utcnow(),
        captured=len(captured),
        published=len(published),
        corrected=inputs.later_revisions.get(PublicationKind.CORRECTION, 0),
        updated=inputs.later_revisions.get(PublicationKind.UPDATE, 0),
        retracted=inputs.later_revisions.get(PublicationKind.RETRACTION, 0),
        dismissed=inputs.dismissals,
        verdicts=verdict_distribution((p.label_name for p in published), inputs.scale),
        time_to_publication=time_to_publication(published),
        weekly=weekly_flow(period, (c.created_at for c in captured), (p.published_at for p in published)),
        people=work_per_person(ratings, inputs.sources_added, captured, inputs.names),
        agreement=ordinal_alpha(((r.claim_id, r.reviewer_id, r.value) for r in ratings), scale_values),
        claimants=top_claimants(claim.claimant for claim in captured),
        sources=sources_per_verdict(published, inputs.scale),
    )


# --- reading the inputs from the database --------------------------------------------


def _in(column: Any, period: Period) -> Any:
    return (column >= period.start_at) & (column < period.end_at)


def submitted_label_ids(session: Session, claim_ids: Iterable[int]) -> dict[int, int]:
    """rating id -> the label id it was first submitted with, from the audit history's INSERT records."""
    ids = sorted(set(claim_ids))
    first: dict[int, int] = {}
    # Chunks keep the IN list within every database's parameter limit.
    for offset in range(0, len(ids), 500):
        rows = session.execute(
            select(AuditChange.row_key, AuditChange.changes).where(
                AuditChange.table_name == "ratings",
                AuditChange.operation == "INSERT",
                AuditChange.claim_id.in_(ids[offset : offset + 500]),
            )
        )
        for row_key, changes in rows:
            label = (changes.get("label_id") or [None, None])[1]
            if isinstance(row_key, dict) and row_key.get("id") is not None and label is not None:
                first[int(row_key["id"])] = int(label)
    return first


def load_inputs(session: Session, period: Period) -> ReportInputs:
    """The rows of the period the report needs, as plain values."""
    labels = list(session.scalars(select(RatingLabel).order_by(RatingLabel.position, RatingLabel.id)))
    value_of = {label.id: label.value for label in labels}
    inputs = ReportInputs(scale=[ScaleLabel(label.name, label.value) for label in labels if label.is_active])
    inputs.captured = [
        CapturedClaim(*row)
        for row in session.execute(
            select(Claim.id, Claim.created_at, Claim.claimant, Claim.created_by_id)
            .where(_in(Claim.created_at, period))
            .order_by(Claim.id)
        )
    ]
    first_rows = session.execute(
        select(
            Publication.claim_id,
            Publication.published_at,
            Claim.created_at,
            Publication.label_name,
            Publication.snapshot,
            Claim.imported_from.is_not(None),
        )
        .join(Claim, Claim.id == Publication.claim_id)
        .where(
            Publication.revision == 1,
            Publication.date_unknown.is_(False),
            _in(Publication.published_at, period),
        )
        .order_by(Publication.published_at, Publication.claim_id)
    )
    inputs.first_publications = [
        FirstPublication(
            claim_id,
            published_at,
            created_at,
            label_name,
            tuple(bool(source.get("is_primary")) for source in (snapshot or {}).get("sources") or []),
            bool(imported),
        )
        for claim_id, published_at, created_at, label_name, snapshot, imported in first_rows
    ]
    inputs.later_revisions = {
        kind: count
        for kind, count in session.execute(
            select(Publication.kind, func.count())
            .where(
                Publication.revision > 1,
                Publication.date_unknown.is_(False),
                _in(Publication.published_at, period),
            )
            .group_by(Publication.kind)
        )
    }
    inputs.dismissals = (
        session.scalar(
            select(func.count()).where(
                ClaimTransition.to_state == ClaimState.DISMISSED, _in(ClaimTransition.created_at, period)
            )
        )
        or 0
    )
    rating_rows = session.execute(
        select(Rating.id, Rating.claim_id, Rating.reviewer_id, Rating.created_at, Rating.label_id)
        .where(_in(Rating.created_at, period))
        .order_by(Rating.id)
    ).all()
    per_claim = Counter(row.claim_id for row in rating_rows)
    # Only ratings that take part in agreement need their first label looked up.
    submitted = submitted_label_ids(session, [claim for claim, count in per_claim.items() if count >= 2])
    inputs.ratings = [
        SubmittedRating(
            row.claim_id, row.reviewer_id, row.created_at, value_of.get(submitted.get(row.id, row.label_id))
        )
        for row in rating_rows
    ]
    inputs.sources_added = {
        author: count
        for author, count in session.execute(
            select(Source.created_by_id, func.count())
            .where(_in(Source.created_at, period), Source.created_by_id.is_not(None))
            .group_by(Source.created_by_id)
        )
    }
    people = (
        {rating.reviewer_id for rating in inputs.ratings}
        | set(inputs.sources_added)
        | {claim.created_by_id for claim in inputs.captured if claim.created_by_id is not None}
    )
    if people:
        inputs.names = {
            user_id: name
            for user_id, name in session.execute(select(User.id, User.name).where(User.id.in_(people)))
        }
    return inputs


def team_report(session: Session, period: Period, *, generated_at: datetime | None = None) -> TeamReport:
    """The team report of ``period``, read from the database."""
    return compute_report(period, load_inputs(session, period), generated_at=generated_at)
