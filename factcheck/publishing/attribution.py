"""Whose fact check a publication is: ours, or another publisher's that we imported.

A record imported from another publisher's ClaimReview keeps, in its snapshot,
the address it was published at (``review_url``), its author (``review_author``)
and its licence when it had one (``review_license``, the record's ``sdLicense``).
Our own checks, and our own records imported back, have no ``review_author``:
our organisation signs them. Everything public that names who checked a claim
(the page, the index, the feeds, the ClaimReview markup) asks :func:`attribution`,
so our organisation is never presented as the author of someone else's review.

Undated revisions (``Publication.date_unknown``: a record without ``datePublished``)
keep a time to be ordered by; :func:`dated_time` is the SQL for "its time, if known".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, null

from factcheck.db import UTCDateTime
from factcheck.publishing.models import Publication

# The snapshot fields that say whose check it is; a revision published here carries them over.
ATTRIBUTION_FIELDS = ("review_url", "review_author", "review_license")
# Where undated checks sort in "newest first" orders: after every dated one.
UNDATED_SORTS_AS = datetime(1900, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Attribution:
    """Another publisher's fact check: who published it, where, and under which licence."""

    publisher: str
    publisher_url: str | None
    review_url: str | None
    license: str | None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def attribution(snapshot: dict[str, Any]) -> Attribution | None:
    """The other publisher of the check this snapshot shows; None when it is ours."""
    author = snapshot.get("review_author")
    if not isinstance(author, dict):
        return None
    return Attribution(
        publisher=_text(author.get("name")) or "another publisher",
        publisher_url=_text(author.get("url")),
        review_url=_text(snapshot.get("review_url")),
        license=_text(snapshot.get("review_license")),
    )


def carried_over(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The attribution fields of ``snapshot``, for the next revision of the same check."""
    return {name: snapshot[name] for name in ATTRIBUTION_FIELDS if name in snapshot}


def other_publisher(publication: Any = Publication) -> ColumnElement[Any]:
    """SQL: the other publisher's name of a publication row (NULL for our own checks).

    ``publication`` is the Publication entity or an alias of it."""
    return publication.snapshot[("review_author", "name")].as_string()


def dated_time(publication: Any = Publication) -> ColumnElement[Any]:
    """SQL: the publication's time, NULL when its date is unknown (aggregate it with max/min)."""
    return case((publication.date_unknown.is_(True), null()), else_=publication.published_at)


def sort_time(dated: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL: an aggregated :func:`dated_time` made sortable: undated comes after everything dated."""
    return func.coalesce(dated, literal(UNDATED_SORTS_AS, type_=UTCDateTime()))
