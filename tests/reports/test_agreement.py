"""Krippendorff's alpha for ordinal data: the library against the paper, and against our own arithmetic."""

from __future__ import annotations

import math
import random
from collections import Counter
from itertools import permutations

import krippendorff
import pytest

from factcheck.reports.agreement import NO_VARIATION, NOT_ENOUGH_DATA, Agreement, ordinal_alpha

SCALE = [1, 2, 3, 4, 5]

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), section C: four observers,
# twelve units, missing values. The paper gives alpha = 0.743 nominal, 0.815 ordinal, 0.849 interval.
PAPER = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def hand_ordinal_alpha(units: list[list[int]]) -> float:
    """Alpha from its definition (Krippendorff 2011), written independently of the library.

    Coincidences o(c,k) sum 1/(m_u - 1) over ordered pairs of values from different
    observers of each unit with m_u >= 2 values; n_c are their margins; the ordinal
    distance is (sum of n_g for g from c to k, minus (n_c + n_k) / 2) squared.
    """
    pairable = [unit for unit in units if len(unit) >= 2]
    coincidences: Counter[tuple[int, int]] = Counter()
    for unit in pairable:
        for c, k in permutations(unit, 2):
            coincidences[c, k] += 1 / (len(unit) - 1)
    margins: Counter[int] = Counter()
    for (c, _k), weight in coincidences.items():
        margins[c] += weight
    values = sorted(margins)
    total = sum(margins.values())

    def distance(c: int, k: int) -> float:
        low, high = min(c, k), max(c, k)
        between = sum(margins[g] for g in values if low <= g <= high)
        return (between - (margins[c] + margins[k]) / 2) ** 2

    observed = sum(weight * distance(c, k) for (c, k), weight in coincidences.items()) / total
    expected = sum(margins[c] * margins[k] * distance(c, k) for c in values for k in values) / (
        total * (total - 1)
    )
    return 1 - observed / expected


def paper_units() -> list[list[int]]:
    return [[row[unit] for row in PAPER if row[unit] is not None] for unit in range(len(PAPER[0]))]


def as_ratings(units: list[list[int | None]]) -> list[tuple[int, int, int | None]]:
    return [
        (claim, reviewer, value) for claim, unit in enumerate(units) for reviewer, value in enumerate(unit)
    ]


def test_the_library_reproduces_the_papers_example():
    data = [[math.nan if value is None else value for value in row] for row in PAPER]
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal") == pytest.approx(
        0.815, abs=5e-4
    )
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") == pytest.approx(
        0.743, abs=5e-4
    )


def test_our_own_arithmetic_reproduces_the_papers_example():
    assert hand_ordinal_alpha(paper_units()) == pytest.approx(0.815, abs=5e-4)


def test_ordinal_alpha_agrees_with_the_paper_and_the_hand_computation():
    agreement = ordinal_alpha(as_ratings(paper_units()), SCALE)
    assert agreement.alpha == pytest.approx(hand_ordinal_alpha(paper_units()))
    # Unit 12 has a single value and carries no information.
    assert (agreement.claims, agreement.ratings, agreement.reviewers) == (11, 40, 4)


def test_the_report_data_set_by_hand():
    # tests/reports/dataset.py works this one out on paper: 113/126.
    units = [[1, 1, 2], [4, 5], [3, 3]]
    assert hand_ordinal_alpha(units) == pytest.approx(113 / 126)
    assert ordinal_alpha(as_ratings(units), SCALE).alpha == pytest.approx(113 / 126)


@pytest.mark.parametrize("seed", range(8))
def test_random_ratings_match_the_independent_computation(seed):
    rng = random.Random(seed)
    units = [[rng.choice(SCALE) for _ in range(rng.randint(1, 5))] for _ in range(rng.randint(2, 30))]
    units[0] = [1, 5]  # at least two values and one pairable unit besides
    units[1] = [2, 2, 3]
    agreement = ordinal_alpha(as_ratings(units), SCALE)
    assert agreement.alpha == pytest.approx(hand_ordinal_alpha(units))


def test_labels_outside_the_order_are_excluded_and_counted():
    with_unordered = ordinal_alpha(as_ratings([[1, 1, None], [2, 3], [None, 4]]), SCALE)
    without = ordinal_alpha(as_ratings([[1, 1], [2, 3]]), SCALE)
    assert with_unordered.alpha == pytest.approx(without.alpha)
    assert (with_unordered.claims, with_unordered.ratings, with_unordered.excluded_unordered) == (2, 4, 2)


def test_not_enough_data():
    for units in ([], [[1, 2]], [[1, 2], [3]], [[1, None], [2, 3]]):
        agreement = ordinal_alpha(as_ratings(units), SCALE)
        assert agreement.alpha is None and agreement.problem == NOT_ENOUGH_DATA
        assert agreement.reading.startswith("Not enough data")


def test_a_single_label_throughout_has_no_alpha():
    agreement = ordinal_alpha(as_ratings([[3, 3], [3, 3, 3]]), SCALE)
    assert (agreement.alpha, agreement.problem, agreement.claims, agreement.ratings) == (
        None,
        NO_VARIATION,
        2,
        5,
    )
    assert "undefined" in agreement.reading


@pytest.mark.parametrize(
    ("alpha", "level", "words"),
    [
        (1.0, "reliable", "Reliable"),
        (0.8, "reliable", "Reliable"),
        (0.7999, "tentative", "Tentative"),
        (0.667, "tentative", "Tentative"),
        (0.6669, "low", "reads the scale differently"),
        (-0.2, "low", "reads the scale differently"),
    ],
)
def test_the_reading_follows_krippendorffs_thresholds(alpha, level, words):
    agreement = Agreement(alpha, 5, 12, 3, 0)
    assert agreement.level == level
    assert words in agreement.reading
