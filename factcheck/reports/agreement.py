"""Agreement between reviewers' independent ratings: Krippendorff's alpha for ordinal data.

Alpha compares the disagreement observed among the ratings of the same claim
with the disagreement expected if labels were handed out by chance (from how
often each label is used overall): ``alpha = 1 - observed / expected``. It is 1
when every claim's raters agree, 0 when agreement is no better than chance, and
negative when raters disagree systematically. The ordinal distance counts how
many label uses lie between two labels, so "False" vs "Mostly false" is a
smaller disagreement than "False" vs "True", without pretending the steps of
the scale are equal.

The arithmetic is done by the ``krippendorff`` library (Castro, 2017), which
follows Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011); the
tests check it against that paper's worked example and an independent
implementation.

How to read it (Krippendorff, *Content Analysis*, 2004, p. 241): rely on data
with alpha >= 0.800; consider data between 0.667 and 0.800 only for tentative
conclusions; below 0.667 the raters do not apply the scale the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import krippendorff
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Krippendorff's customary thresholds.
RELIABLE = 0.800
TENTATIVE = 0.667

HOW_TO_READ = _l(
    "Krippendorff's alpha measures how far reviewers who rated the same claims independently agree, "
    "beyond what chance would give: 1 is perfect agreement, 0 is no better than chance, and below 0 "
    "reviewers disagree systematically. It treats the scale as ordered, so neighbouring labels count as "
    "a smaller disagreement than opposite ones. Krippendorff advises relying on ratings with alpha of "
    "at least 0.800 and drawing only tentative conclusions between 0.667 and 0.800."
)

# Why there is no number.
NOT_ENOUGH_DATA = "not_enough_data"
NO_VARIATION = "no_variation"


@dataclass(frozen=True)
class Agreement:
    """Alpha (None when it cannot be computed) and what it rests on.

    ``claims`` and ``ratings`` count the claims with at least two ordered
    ratings and those ratings; ``excluded_unordered`` counts ratings left out
    because their label is outside the ordered scale (Unverifiable, Satire).
    ``problem`` is :data:`NOT_ENOUGH_DATA` or :data:`NO_VARIATION` when alpha is None.
    """

    alpha: float | None
    claims: int
    ratings: int
    reviewers: int
    excluded_unordered: int
    problem: str | None = None

    @property
    def level(self) -> str | None:
        """ "reliable", "tentative" or "low" by Krippendorff's thresholds; None without a number."""
        if self.alpha is None:
            return None
        if self.alpha >= RELIABLE:
            return "reliable"
        if self.alpha >= TENTATIVE:
            return "tentative"
        return "low"

    @property
    def reading(self) -> str:
        """One plain sentence saying what this result means for the team."""
        if self.problem == NOT_ENOUGH_DATA:
            return _(
                "Not enough data: agreement needs at least two claims that two or more reviewers rated "
                "on the ordered scale in this period."
            )
        if self.problem == NO_VARIATION:
            return _(
                "Every rating used the same label, so there is no variation to measure agreement against; "
                "alpha is undefined."
            )
        if self.level == "reliable":
            return _("Reliable: the team applies the rating scale consistently (alpha of at least 0.800).")
        if self.level == "tentative":
            return _(
                "Tentative: reviewers mostly agree, but between 0.667 and 0.800 Krippendorff advises "
                "drawing only tentative conclusions; compare notes on the labels you disagree about."
            )
        return _(
            "Low: the team reads the scale differently (alpha below 0.667). Discuss the label "
            "definitions together and look at the claims you rated apart."
        )


def ordinal_alpha(ratings: Iterable[tuple[int, int, int | None]], scale: Sequence[int]) -> Agreement:
    """Ordinal alpha over ``(claim id, reviewer id, label value)`` ratings.

    A value of ``None`` stands for a label outside the ordered scale and is
    excluded. Claims with fewer than two ordered ratings carry no information
    about agreement and are left out. Fewer than two such claims gives
    :data:`NOT_ENOUGH_DATA`; a single value used throughout gives
    :data:`NO_VARIATION` (alpha is 0/0 then). ``scale`` lists the ordered
    label values, so the value domain is the team's whole scale.
    """
    by_claim: dict[int, dict[int, int]] = defaultdict(dict)
    excluded = 0
    for claim_id, reviewer_id, value in ratings:
        if value is None:
            excluded += 1
        else:
            by_claim[claim_id][reviewer_id] = value
    units = {claim: values for claim, values in by_claim.items() if len(values) >= 2}
    rated = sum(len(values) for values in units.values())
    reviewers = len({reviewer for values in units.values() for reviewer in values})
    if len(units) < 2:
        return Agreement(None, len(units), rated, reviewers, excluded, NOT_ENOUGH_DATA)
    used = {value for values in units.values() for value in values.values()}
    if len(used) < 2:
        return Agreement(None, len(units), rated, reviewers, excluded, NO_VARIATION)
    domain = sorted(set(scale) | used)
    # value_counts: one row per claim, one column per scale value, how many reviewers chose it.
    counts = [[list(values.values()).count(value) for value in domain] for values in units.values()]
    alpha = float(
        krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement="ordinal")
    )
    return Agreement(alpha, len(units), rated, reviewers, excluded)
