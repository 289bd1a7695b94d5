"""Counts of matching rows that stop early: "more than 10,000" instead of an exact number.

On a large desk an exact count of a common word's matches (or of every claim)
reads every matching row, which costs more than the number helps anyone; the
pages that show counts read at most :data:`COUNT_AT_MOST` + 1 rows and say
"more than 10,000" past that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

COUNT_AT_MOST = 10_000


@dataclass(frozen=True)
class Count:
    """A number of rows, exact unless ``more`` (then: more than ``at_most``)."""

    value: int
    at_most: int = COUNT_AT_MOST
    more: bool = False

    def __str__(self) -> str:
        return f"more than {self.at_most:,}" if self.more else f"{self.value:,}"

    @property
    def all_of(self) -> str:
        """For a link to the whole list: "All 25" or "More than 10,000"."""
        return f"More than {self.at_most:,}" if self.more else f"All {self.value:,}"


def capped_count(session: Session, matches: Select[Any], *, at_most: int | None = None) -> Count:
    """How many rows ``matches`` gives, reading at most ``at_most + 1`` (default COUNT_AT_MOST)."""
    at_most = COUNT_AT_MOST if at_most is None else at_most
    # The LIMIT inside: the database stops once it has found one row more than it will count.
    found = session.scalar(select(func.count()).select_from(matches.limit(at_most + 1).subquery())) or 0
    return Count(min(found, at_most), at_most, more=found > at_most)
