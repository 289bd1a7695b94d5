"""The claimant's kind frozen in the snapshot and typed in the ClaimReview markup readers' crawlers see."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from factcheck.claims.models import ClaimantKind
from factcheck.publishing import operations
from tests.claims.desk import acting_as
from tests.public.reader import json_ld
from tests.publishing.building import make_team, published_claim, ready_claim, revisions


def _claim_review(client: Any, slug: str) -> dict[str, Any]:
    response = client.get(f"/checks/{slug}")
    assert response.status_code == 200
    [review] = [item for item in json_ld(response) if item.get("@type") == "ClaimReview"]
    return review


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (ClaimantKind.PERSON, "Person"),
        (ClaimantKind.ORGANISATION, "Organization"),
        (ClaimantKind.UNKNOWN, "Thing"),
    ],
)
def test_the_snapshot_freezes_the_kind_and_the_markup_types_the_claimant(
    client: Any, db_session: Session, make_user: Any, kind: ClaimantKind, schema_type: str
) -> None:
    team = make_team(make_user)
    claim = published_claim(db_session, team)
    [publication] = revisions(db_session, claim)
    # Published as unknown (the default), then the kind the test is about, frozen in a new snapshot.
    assert publication.snapshot["claimant_kind"] == "unknown"
    publication.snapshot = {**publication.snapshot, "claimant_kind": kind.value}
    db_session.commit()

    author = _claim_review(client, claim.slug or "")["itemReviewed"]["author"]

    assert author == {"@type": schema_type, "name": claim.claimant}


def test_a_snapshot_from_before_kinds_still_renders_as_unknown(
    client: Any, db_session: Session, make_user: Any
) -> None:
    team = make_team(make_user)
    claim = published_claim(db_session, team)
    claim.claimant_kind = ClaimantKind.PERSON
    [publication] = revisions(db_session, claim)
    publication.snapshot = {k: v for k, v in publication.snapshot.items() if k != "claimant_kind"}
    db_session.commit()

    author = _claim_review(client, claim.slug or "")["itemReviewed"]["author"]

    # What readers saw is frozen: the desk's later choice waits for the next revision.
    assert author == {"@type": "Thing", "name": claim.claimant}


def test_publishing_freezes_the_claims_kind(db_session: Session, make_user: Any) -> None:
    team = make_team(make_user)
    claim = ready_claim(db_session, team)
    claim.claimant_kind = ClaimantKind.ORGANISATION
    acting_as(db_session, team["ada"])
    operations.publish(db_session, claim, team["ada"])
    db_session.commit()

    [publication] = revisions(db_session, claim)
    assert publication.snapshot["claimant_kind"] == "organisation"
