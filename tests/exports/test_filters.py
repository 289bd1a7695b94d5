"""Every filter narrows the hand-made desk to the known answer; bad values are refused by name."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from factcheck.exports.claims import InvalidFilter, Viewer, claim_records, count_claims, parse_filter
from tests.exports.conftest import Desk


def matching(db: Session, **filters: Any) -> list[int]:
    claim_filter = parse_filter(db, **filters)
    ids = [record.id for record in claim_records(db, claim_filter, Viewer.command_line())]
    assert count_claims(db, claim_filter) == len(ids)
    return ids


# Each case: the filters, and the names of the claims (Desk attributes) they leave.
CASES = [
    pytest.param({}, ["speech", "budget", "formula", "retracted", "dismissed"], id="nothing"),
    pytest.param(
        {"date_from": "2024-03-01", "date_to": "2024-06-06"},
        ["speech", "budget", "formula"],
        id="captured-range",
    ),
    pytest.param({"date_from": "2024-05-05"}, ["budget", "formula", "dismissed"], id="captured-from"),
    pytest.param({"date_to": "2024-02-29"}, ["retracted"], id="captured-to"),
    pytest.param(
        {"date_field": "published", "date_from": "2024-03-01", "date_to": "2024-03-31"},
        ["speech"],
        id="first-published-range",
    ),
    # The correction of April does not count: the first publication does.
    pytest.param(
        {"date_field": "published", "date_from": "2024-04-01", "date_to": "2024-04-30"},
        [],
        id="not-revisions",
    ),
    pytest.param({"date_field": "published", "date_from": "2024-06-01"}, ["retracted"], id="published-from"),
    pytest.param(
        {"date_field": "published"}, ["speech", "budget", "formula", "retracted", "dismissed"], id="no-dates"
    ),
    pytest.param({"state": "published"}, ["speech", "retracted"], id="state"),
    pytest.param({"state": "In review"}, [], id="state-label"),
    pytest.param({"label": "false"}, ["speech"], id="label"),
    pytest.param({"label": "TRUE"}, ["retracted"], id="label-any-case"),
    pytest.param({"label": "misleading"}, ["budget"], id="label-draft"),
    pytest.param({"tag": "NATO"}, ["speech", "retracted"], id="tag"),
    pytest.param({"tag": "nato"}, ["speech", "retracted"], id="tag-any-case"),
    pytest.param({"reviewer": "anna@example.org"}, ["speech", "budget"], id="reviewer-email"),
    pytest.param({"reviewer": "BORIS@example.org"}, ["speech", "retracted"], id="reviewer-email-case"),
    pytest.param({"claimant": "stoltenberg"}, ["speech", "retracted"], id="claimant"),
    pytest.param({"claimant": "  OF FIN "}, ["budget"], id="claimant-substring"),
    pytest.param({"claimant": "%"}, [], id="claimant-wildcard-is-literal"),
    pytest.param(
        {"claimant": "stoltenberg", "state": "published", "tag": "economy"}, ["speech"], id="combined"
    ),
]


@pytest.mark.parametrize(("filters", "expected"), CASES)
def test_each_filter_narrows_to_the_known_claims(
    db_session: Session, desk: Desk, filters: dict[str, Any], expected: list[str]
) -> None:
    assert matching(db_session, **filters) == desk.ids(*(getattr(desk, name) for name in expected))


def test_reviewer_by_id(db_session: Session, desk: Desk) -> None:
    assert matching(db_session, reviewer=str(desk.boris.id)) == desk.ids(desk.speech, desk.retracted)
    assert matching(db_session, reviewer=str(desk.edith.id)) == []


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"date_field": "updated"}, "date_field", "not a date field"),
        ({"date_from": "2024-02-30"}, "date_from", "is not a date"),
        ({"date_to": "yesterday"}, "date_to", "is not a date"),
        ({"date_from": "2024-05-01", "date_to": "2024-04-01"}, "date_to", "before the start date"),
        ({"state": "finished"}, "state", "is not a state"),
        ({"label": "pants-on-fire"}, "label", "no rating label with the key"),
        ({"tag": "sport"}, "tag", "no tag named"),
        ({"reviewer": "nobody@example.org"}, "reviewer", "no user"),
        ({"reviewer": "999999"}, "reviewer", "no user"),
        ({"claimant": "x" * 201}, "claimant", "at most 200"),
    ],
)
def test_bad_values_are_refused_naming_the_filter(
    db_session: Session, desk: Desk, filters: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidFilter) as caught:
        parse_filter(db_session, **filters)
    assert caught.value.field == field
    assert message in caught.value.message


def test_the_label_error_lists_the_keys(db_session: Session, desk: Desk) -> None:
    with pytest.raises(InvalidFilter, match="false, mostly-false, misleading, mostly-true, true"):
        parse_filter(db_session, label="nope")
