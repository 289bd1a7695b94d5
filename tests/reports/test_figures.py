"""Every figure of the team report on a hand-made desk with known answers (tests/reports/dataset.py)."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from factcheck.reports.figures import (
    CapturedClaim,
    FirstPublication,
    Period,
    ReportInputs,
    ScaleLabel,
    compute_report,
    percentile,
    team_report,
    time_to_publication,
    top_claimants,
    verdict_distribution,
    weekly_flow,
)
from tests.reports import dataset
from tests.reports.dataset import MARCH, at, build_desk


@pytest.fixture
def desk(db_session, make_user):
    return build_desk(db_session, make_user)


@pytest.fixture
def march(db_session, desk):
    return team_report(db_session, MARCH)


def test_counts(march):
    assert {
        "captured": march.captured,
        "published": march.published,
        "corrected": march.corrected,
        "updated": march.updated,
        "retracted": march.retracted,
        "dismissed": march.dismissed,
    } == dataset.EXPECTED_COUNTS


def test_verdict_distribution_follows_the_scale_then_other_labels(march):
    assert [(row.name, row.count) for row in march.verdicts] == dataset.EXPECTED_VERDICTS


def test_time_to_publication(march):
    summary = march.time_to_publication
    assert summary.count == len(dataset.EXPECTED_HOURS)
    assert summary.excluded == 1  # the imported claim
    assert summary.median_hours == pytest.approx(dataset.EXPECTED_MEDIAN_HOURS)
    assert summary.p90_hours == pytest.approx(dataset.EXPECTED_P90_HOURS)


def test_weekly_flow(march):
    assert [
        (w.first_day, w.last_day, w.captured, w.published) for w in march.weekly
    ] == dataset.EXPECTED_WEEKS


def test_work_per_person(march):
    assert [(p.name, p.ratings, p.sources, p.claims) for p in march.people] == dataset.EXPECTED_PEOPLE


def test_agreement_uses_the_labels_first_submitted(march):
    agreement = march.agreement
    assert agreement.alpha == pytest.approx(dataset.EXPECTED_ALPHA)
    assert {
        "claims": agreement.claims,
        "ratings": agreement.ratings,
        "reviewers": agreement.reviewers,
        "excluded_unordered": agreement.excluded_unordered,
    } == dataset.EXPECTED_AGREEMENT
    assert agreement.level == "reliable"


def test_most_checked_claimants(march):
    assert [(c.name, c.claims) for c in march.claimants] == dataset.EXPECTED_CLAIMANTS


def test_sources_per_verdict(march):
    sources = march.sources
    assert {
        "verdicts": sources.verdicts,
        "sources": sources.sources,
        "primary": sources.primary,
        "mean": sources.mean,
        "median": sources.median,
    } == pytest.approx(dataset.EXPECTED_SOURCES)
    assert sources.primary_share == pytest.approx(4 / 7)
    assert [
        (row.name, row.verdicts, row.sources, row.primary, row.mean, row.primary_share)
        for row in sources.by_label
    ] == [pytest.approx(row) if row[-1] is not None else row for row in dataset.EXPECTED_SOURCES_BY_LABEL]


def test_an_empty_period(db_session, desk):
    report = team_report(db_session, Period(date(2023, 6, 1), date(2023, 6, 30)))
    assert (report.captured, report.published, report.corrected, report.dismissed) == (0, 0, 0, 0)
    assert all(row.count == 0 for row in report.verdicts)
    assert [row.name for row in report.verdicts][:5] == [
        "False",
        "Mostly false",
        "Misleading",
        "Mostly true",
        "True",
    ]
    assert (report.time_to_publication.count, report.time_to_publication.median_hours) == (0, None)
    assert report.time_to_publication.p90_hours is None
    assert len(report.weekly) == 5 and all(w.captured == w.published == 0 for w in report.weekly)
    assert report.people == [] and report.claimants == []
    assert report.agreement.alpha is None and report.agreement.problem == "not_enough_data"
    assert "Not enough data" in report.agreement.reading
    assert (report.sources.verdicts, report.sources.mean, report.sources.primary_share) == (0, None, None)


def test_one_day_period_includes_its_last_second(db_session, desk):
    report = team_report(db_session, Period(date(2024, 3, 31), date(2024, 3, 31)))
    assert report.captured == 1  # c7 at 23:59:59 (c8 at 00:00 on 1 April is the next day's)
    assert [(w.first_day, w.last_day) for w in report.weekly] == [(date(2024, 3, 31), date(2024, 3, 31))]


# --- the pure functions -------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 3, 4, 5, 10, 11, 37])
def test_percentile_is_linear_interpolation_like_statistics(size):
    values = [random.uniform(0, 500) for _ in range(size)]
    deciles = statistics.quantiles(values, n=10, method="inclusive")
    assert percentile(values, 0.9) == pytest.approx(deciles[8])
    assert percentile(values, 0.1) == pytest.approx(deciles[0])
    assert percentile(values, 0.5) == pytest.approx(statistics.median(values))


def test_percentile_by_hand():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9) == pytest.approx(91.0)
    assert percentile([3, 1, 2], 1.0) == 3 and percentile([3, 1, 2], 0.0) == 1
    with pytest.raises(ValueError):
        percentile([1], 90)


def test_period_bounds_and_weeks():
    period = Period(date(2024, 3, 4), date(2024, 3, 17))
    assert period.days == 14
    assert period.start_at == datetime(2024, 3, 4, tzinfo=UTC)
    assert period.end_at == datetime(2024, 3, 18, tzinfo=UTC)
    assert datetime(2024, 3, 17, 23, 59, 59, tzinfo=UTC) in period
    assert datetime(2024, 3, 18, tzinfo=UTC) not in period
    assert period.weeks() == [(date(2024, 3, 4), date(2024, 3, 10)), (date(2024, 3, 11), date(2024, 3, 17))]
    assert Period.ending(date(2024, 3, 31)) == Period(date(2024, 3, 2), date(2024, 3, 31))
    with pytest.raises(ValueError):
        Period(date(2024, 3, 2), date(2024, 3, 1))


def test_weekly_flow_ignores_moments_outside_the_period():
    period = Period(date(2024, 3, 6), date(2024, 3, 12))  # Wednesday to Tuesday
    captured = [at(3, 5, 23, 59, 59), at(3, 6, 0), at(3, 10, 23), at(3, 11), at(3, 13)]
    flow = weekly_flow(period, captured, [at(3, 12, 23)])
    assert [(w.first_day, w.last_day, w.captured, w.published) for w in flow] == [
        (date(2024, 3, 6), date(2024, 3, 10), 2, 0),
        (date(2024, 3, 11), date(2024, 3, 12), 1, 1),
    ]


def test_verdict_distribution_counts_unknown_labels_after_the_scale():
    scale = [ScaleLabel("False", 1), ScaleLabel("True", 2), ScaleLabel("Satire", None)]
    rows = verdict_distribution(["True", "zany", "False", "True", "Altered"], scale)
    assert [(r.name, r.count) for r in rows] == [
        ("False", 1),
        ("True", 2),
        ("Satire", 0),
        ("Altered", 1),
        ("zany", 1),
    ]


def test_verdict_distribution_groups_spellings_of_one_label():
    scale = [ScaleLabel("False", 1), ScaleLabel("Mostly false", 2)]
    names = ["Mostly False", "Mostly false", "mostly  FALSE", "Distorts the Facts", "Distorts the facts"]
    names += ["Distorts the facts", "FALSE"]
    rows = verdict_distribution(names, scale)
    assert [(r.name, r.count) for r in rows] == [("False", 1), ("Mostly false", 3), ("Distorts the facts", 3)]


def test_top_claimants_keeps_ten_and_breaks_ties_by_name():
    names = [f"Claimant {letter}" for letter in "ABCDEFGHIJKL"] + ["Claimant L", "claimant  l", "Claimant K"]
    top = top_claimants(names)
    assert len(top) == 10
    assert [(c.name, c.claims) for c in top[:3]] == [("Claimant L", 3), ("Claimant K", 2), ("Claimant A", 1)]
    assert top[-1].name == "Claimant H"


def test_time_to_publication_leaves_out_imports_and_negative_spans():
    created = at(3, 1, 0)
    rows = [
        FirstPublication(1, created + timedelta(hours=10), created, "False"),
        FirstPublication(2, created + timedelta(hours=30), created, "False", imported=True),
        FirstPublication(3, created - timedelta(hours=1), created, "False"),
    ]
    summary = time_to_publication(rows)
    assert (summary.count, summary.excluded, summary.median_hours, summary.p90_hours) == (1, 2, 10.0, 10.0)


def test_compute_report_ignores_rows_outside_the_period():
    inputs = ReportInputs(
        scale=[ScaleLabel("False", 1)],
        captured=[CapturedClaim(1, at(3, 1), "NATO", 7), CapturedClaim(2, at(4, 1), "NATO", 7)],
        names={7: "Ann"},
    )
    report = compute_report(Period(date(2024, 3, 1), date(2024, 3, 31)), inputs)
    assert report.captured == 1
    assert [(p.name, p.claims) for p in report.people] == [("Ann", 1)]
