"""The report's charts: well-formed SVG, named and described, one bar per label or week with its number."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from factcheck.reports.charts import nice_ceiling, verdict_chart, weekly_chart
from factcheck.reports.figures import LabelCount, Period, weekly_flow
from tests.reports.dataset import at

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - the app's own markup


def bars(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-bar"]


def assert_accessible(root: ET.Element, chart_id: str) -> tuple[str, str]:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.get("id") == f"{chart_id}-title" and title.text
    assert desc is not None and desc.get("id") == f"{chart_id}-desc" and desc.text
    # The strict CSP: no inline styles, no scripts.
    assert not [element for element in root.iter() if "style" in element.attrib]
    assert root.find(f".//{SVG}script") is None
    return title.text, desc.text


def test_verdict_chart_has_one_bar_per_label_with_its_count():
    rows = [LabelCount("False", 3), LabelCount("Mostly false", 0), LabelCount("True", 1)]
    root = parse(verdict_chart(rows))
    title, desc = assert_accessible(root, "verdict-chart")
    assert title == "Verdicts published"
    assert desc == "4 verdicts published, by label. False: 3, Mostly false: 0, True: 1."
    found = [(bar.get("data-label"), int(bar.get("data-value"))) for bar in bars(root)]
    assert found == [("False", 3), ("Mostly false", 0), ("True", 1)]
    widths = [float(bar.find(f"{SVG}rect").get("width")) for bar in bars(root)]
    assert widths[0] > widths[2] > widths[1] == 0
    assert widths[0] == pytest.approx(3 * widths[2], abs=0.02)  # coordinates keep two decimals
    # Each bar names itself and shows its number as text.
    assert [bar.find(f"{SVG}title").text for bar in bars(root)] == ["False: 3", "Mostly false: 0", "True: 1"]
    assert [[t.text for t in bar.iter(f"{SVG}text")] for bar in bars(root)] == [
        ["False", "3"],
        ["Mostly false", "0"],
        ["True", "1"],
    ]


def test_label_names_are_escaped():
    name = '</text><script>alert("x")</script> & "quotes"'
    root = parse(verdict_chart([LabelCount(name, 2), LabelCount("True", 1)]))
    [first, _] = bars(root)
    assert first.get("data-label") == name
    assert root.find(f".//{SVG}script") is None
    assert name in root.find(f"{SVG}desc").text


def test_an_empty_distribution_still_parses():
    root = parse(verdict_chart([LabelCount("False", 0), LabelCount("True", 0)]))
    assert_accessible(root, "verdict-chart")
    assert [int(bar.get("data-value")) for bar in bars(root)] == [0, 0]


def test_weekly_chart_has_two_bars_per_week():
    period = Period(date(2024, 3, 1), date(2024, 3, 17))
    flow = weekly_flow(period, [at(3, 1), at(3, 5), at(3, 6), at(3, 16)], [at(3, 7)])
    root = parse(weekly_chart(flow))
    _title, desc = assert_accessible(root, "weekly-chart")
    assert desc == (
        "3 weeks from 2024-03-01 to 2024-03-17: 4 claims captured and 1 verdict published in all; "
        "most claims captured in the week of 2024-03-04 (2)."
    )
    found = [(bar.get("data-week"), bar.get("data-series"), int(bar.get("data-value"))) for bar in bars(root)]
    assert found == [
        ("2024-03-01", "captured", 1),
        ("2024-03-01", "published", 0),
        ("2024-03-04", "captured", 2),
        ("2024-03-04", "published", 1),
        ("2024-03-11", "captured", 1),
        ("2024-03-11", "published", 0),
    ]
    heights = {
        (b.get("data-week"), b.get("data-series")): float(b.find(f"{SVG}rect").get("height"))
        for b in bars(root)
    }
    assert heights["2024-03-04", "captured"] == pytest.approx(2 * heights["2024-03-01", "captured"])


def test_a_long_period_labels_only_some_weeks():
    period = Period(date(2023, 1, 2), date(2024, 12, 29))
    root = parse(weekly_chart(weekly_flow(period, [], [])))
    assert len(bars(root)) == 2 * 104
    week_labels = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    assert 8 <= len(week_labels) <= 13


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, (1, 1)), (1, (1, 1)), (4, (4, 1)), (7, (8, 2)), (23, (25, 5)), (99, (100, 20)), (1234, (1500, 500))],
)
def test_axis_ceiling(value, expected):
    assert nice_ceiling(value) == expected
