"""Mapping foreign rating labels onto the team's scale, and reading ClaimReview values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import config
from factcheck.imports.claimreview import BadRecord, parse_review, read_records, strip_quotes
from factcheck.imports.labels import (
    LabelMapError,
    LabelMapper,
    RatingNumbers,
    checked_map,
    normalise,
    read_map_file,
)
from factcheck.ratings.models import RatingLabel
from tests.imports.samples import WHALES, review


def mapper(db: Session, mapping: dict[str, str | None] | None = None) -> LabelMapper:
    default = config.DefaultConfig.IMPORT_LABEL_MAP if mapping is None else mapping
    return LabelMapper(db.scalars(select(RatingLabel)), default)


def key(db: Session, name: str | None, numbers: RatingNumbers | None = None, **kwargs: object) -> str | None:
    match = mapper(db, **kwargs).match(name, numbers)  # type: ignore[arg-type]
    return match.label.key if match.label else None


@pytest.mark.parametrize(
    ("foreign", "ours"),
    [
        ("True", "true"),
        ("Mostly True", "mostly-true"),
        ("Half-True", "misleading"),
        ("Mostly False", "mostly-false"),
        ("FALSE", "false"),
        ("Pants on Fire!", "false"),
        ("Geppetto Checkmark", "true"),
        ("Two Pinocchios", "misleading"),
        ("Four Pinocchios", "false"),
        ("Altered", "false"),
        ("Partly false", "mostly-false"),
        ("Missing context", "misleading"),
        ("Satire", "satire"),
        # Our own scale, by name and by key.
        ("Unverifiable", "unverifiable"),
        ("mostly-false", "mostly-false"),
        ("Spins the Facts", None),
    ],
)
def test_the_default_map(db_session: Session, foreign: str, ours: str | None) -> None:
    assert key(db_session, foreign) == ours


def test_normalise() -> None:
    assert normalise("  Pants-on_Fire!! ") == "pants on fire"
    assert normalise("Half  True.") == "half true"


def test_null_unmaps_and_beats_the_numbers(db_session: Session) -> None:
    numbers = RatingNumbers(value=1, best=5, worst=1)
    assert key(db_session, "False", mapping={"false": None}) is None
    assert key(db_session, "False", numbers, mapping={"false": None}) is None
    assert key(db_session, "Unnamed", numbers, mapping={}) == "false"


@pytest.mark.parametrize(
    ("value", "best", "worst", "ours"),
    [
        (1, 5, 1, "false"),
        (5, 5, 1, "true"),
        (3, 5, 1, "misleading"),
        # 1 = best on a backwards scale.
        (1, 1, 5, "true"),
        # 0.5 of the way: 3 on ours.
        (50, 100, 0, "misleading"),
        # Out of range, or no scale: no match.
        (7, 5, 1, None),
        (3, None, 1, None),
        (3, 3, 3, None),
    ],
)
def test_numbers(
    db_session: Session, value: float, best: float | None, worst: float, ours: str | None
) -> None:
    assert key(db_session, None, RatingNumbers(value, best, worst), mapping={}) == ours


def test_map_values_are_checked(db_session: Session, tmp_path: Path) -> None:
    assert checked_map('{"A": "false", "B": null}', "X") == {"A": "false", "B": None}
    with pytest.raises(LabelMapError, match="X must be a JSON object"):
        checked_map("[1]", "X")
    with pytest.raises(LabelMapError, match="must map to a label key"):
        checked_map({"A": 3}, "X")
    with pytest.raises(LabelMapError, match="cannot read the label map"):
        read_map_file(tmp_path / "none.json")
    assert mapper(db_session, {"A": "nope"}).problems == [
        "the label map sends 'A' to 'nope', which is not an active label of the rating scale"
    ]


@pytest.mark.parametrize(
    ("published", "unquoted"),
    [
        ('"Japanese whaling crew eaten alive."', "Japanese whaling crew eaten alive."),
        ("\u201cWe\u2019re getting into the pool.\u201d", "We\u2019re getting into the pool."),
        ("\u201eZitat\u201c", "Zitat"),
        ("'Single'", "Single"),
        ('"A" and "B"', '"A" and "B"'),
        ('Says "no".', 'Says "no".'),
        ('""', '""'),
    ],
)
def test_surrounding_quotation_marks(published: str, unquoted: str) -> None:
    assert strip_quotes(published) == unquoted


def test_the_item_may_be_a_claim_or_a_creative_work_with_several_authors() -> None:
    record = review("https://example.org/r", "Text", "False", item_type="Claim")
    record["itemReviewed"]["author"] = [{"@type": "Person", "name": "A"}, {"@type": "Person", "name": "B"}]
    assert parse_review(record).claimant == "A, B"
    del record["itemReviewed"]
    assert parse_review(record).claimant == "Unknown"


def test_types_are_recognised_in_their_usual_spellings() -> None:
    for spelling in ("ClaimReview", "schema:ClaimReview", "https://schema.org/ClaimReview", ["ClaimReview"]):
        assert parse_review({**WHALES, "@type": spelling}).url == WHALES["url"]
    with pytest.raises(BadRecord, match="not a ClaimReview"):
        parse_review({**WHALES, "@type": "Review"})


def test_a_graph_keeps_only_its_claim_reviews() -> None:
    records = read_records(json.dumps({"@graph": [{"@type": "Organization"}, WHALES]}))
    assert [record.location for record in records] == ["index 1"]
