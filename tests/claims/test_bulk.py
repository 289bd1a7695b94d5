"""Bulk actions on the claim list: each claim's outcome, one changeset per claim with the same reason,
the single-claim rules and permissions, and select-all without JavaScript."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.bulk import BulkAction, BulkError, BulkRequest, apply
from factcheck.claims.models import ClaimState
from factcheck.security.permissions import PermissionDenied
from tests.claims.desk import (
    acting_as,
    hidden_fields,
    make_claim,
    make_ready_to_approve,
    page_text,
    stored_claim,
)
from tests.conftest import PASSWORD

CLAIMS = [
    ("Russia's 9M729 missile has a range of 480 km.", "Russian Ministry of Defence"),
    ("NATO has stationed missiles in Romania that can fire Tomahawks.", "Sergei Ryabkov"),
    ("The INF Treaty banned every ground-launched missile of 500 to 5,500 km.", "Heiko Maas"),
]


@pytest.fixture
def team(make_user):
    return {
        "anna": make_user(Role.REVIEWER, name="Anna Reviewer"),
        "ben": make_user(Role.REVIEWER, name="Ben Reviewer"),
        "eve": make_user(Role.EDITOR, name="Eve Editor"),
    }


@pytest.fixture
def claims(db_session, team):
    return [make_claim(db_session, team["anna"], text=text, claimant=who) for text, who in CLAIMS]


def changesets_of(db_session, claim) -> list[AuditChangeset]:
    seqs = select(AuditChange.changeset_seq).where(AuditChange.claim_id == claim.id)
    return list(db_session.scalars(select(AuditChangeset).where(AuditChangeset.seq.in_(seqs))))


def test_dismissing_gives_each_claim_its_own_changeset_with_the_same_reason(db_session, team, claims):
    acting_as(db_session, team["anna"])
    before = {claim.id: {c.seq for c in changesets_of(db_session, claim)} for claim in claims}
    outcomes = apply(
        db_session,
        team["anna"],
        BulkRequest(BulkAction.DISMISS, [c.id for c in claims], reason="Duplicates of the INF check."),
    )
    db_session.commit()
    assert [o.done for o in outcomes] == [True, True, True]
    new_sets = []
    for claim in claims:
        fresh = stored_claim(db_session, claim)
        assert fresh.state == ClaimState.DISMISSED
        assert fresh.dismissed_reason == "Duplicates of the INF check."
        added = [c for c in changesets_of(db_session, claim) if c.seq not in before[claim.id]]
        assert len(added) == 1
        assert added[0].reason == "Duplicates of the INF check."
        assert added[0].actor_name == "Anna Reviewer"
        new_sets.append(added[0].seq)
    assert len(set(new_sets)) == 3


def test_a_move_reports_each_claims_outcome(db_session, team, claims):
    ready = claims[0]
    make_ready_to_approve(db_session, ready, team["eve"], [team["anna"], team["ben"]])
    ready.state = ClaimState.IN_REVIEW
    claims[1].state = ClaimState.IN_REVIEW
    db_session.commit()
    acting_as(db_session, team["eve"])
    outcomes = apply(
        db_session,
        team["eve"],
        BulkRequest(BulkAction.MOVE, [c.id for c in claims], to_state=ClaimState.READY),
    )
    db_session.commit()
    assert [o.done for o in outcomes] == [True, False, False]
    assert outcomes[0].message == "Moved to Ready."
    assert "Needs at least one source" in outcomes[1].message
    assert outcomes[2].message == "A claim cannot move from New to Ready."
    assert stored_claim(db_session, claims[1]).state == ClaimState.IN_REVIEW
    assert stored_claim(db_session, claims[2]).state == ClaimState.NEW


def test_a_reviewer_may_not_assign(db_session, team, claims):
    acting_as(db_session, team["anna"])
    with pytest.raises(PermissionDenied):
        apply(
            db_session, team["anna"], BulkRequest(BulkAction.ASSIGN, [claims[0].id], user_id=team["ben"].id)
        )


def test_dismissing_needs_a_reason(db_session, team, claims):
    acting_as(db_session, team["anna"])
    with pytest.raises(BulkError, match="reason"):
        apply(db_session, team["anna"], BulkRequest(BulkAction.DISMISS, [claims[0].id]))


def test_tagging_through_the_list_with_select_all(client, login_as, db_session, team, claims):
    login_as(Role.REVIEWER)
    listing = client.get("/claims/")
    assert 'name="all_on_page"' in listing.get_data(as_text=True)
    response = client.post(
        "/claims/bulk",
        data={
            "page_ids": [str(c.id) for c in claims],
            "all_on_page": "y",
            "action": "tag",
            "tag": "INF Treaty",
            "reason": "Tagging the INF series.",
        },
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Tag with: 3 of 3 claims done" in text
    for claim in claims:
        assert [t.name for t in stored_claim(db_session, claim).tags] == ["inf treaty"]


def test_assigning_through_the_list_reports_who_was_already_assigned(
    client, login_as, db_session, team, claims
):
    login_as(Role.EDITOR)
    data = {"claim_ids": [str(claims[0].id)], "action": "assign", "user_id": str(team["ben"].id)}
    assert client.post("/claims/bulk", data=data).status_code == 200
    data["claim_ids"] = [str(c.id) for c in claims[:2]]
    text = page_text(client.post("/claims/bulk", data=data))
    assert "Assign to: 1 of 2 claims done" in text
    assert "Refused Ben Reviewer is already assigned." in text
    assert [a.user_id for a in stored_claim(db_session, claims[1]).assignments] == [team["ben"].id]


def test_a_reviewer_assigning_through_the_list_is_refused(client, login_as, db_session, team, claims):
    login_as(Role.REVIEWER)
    assert 'value="assign"' not in client.get("/claims/").get_data(as_text=True)
    data = {"claim_ids": [str(claims[0].id)], "action": "assign", "user_id": str(team["ben"].id)}
    refused = client.post("/claims/bulk", data=data)
    assert refused.status_code == 403
    assert "you are not allowed" in page_text(refused).lower()
    assert stored_claim(db_session, claims[0]).assignments == []


def test_nothing_chosen_is_refused(client, login_as, claims):
    login_as(Role.REVIEWER)
    response = client.post("/claims/bulk", data={"action": "tag", "tag": "inf"})
    assert response.status_code == 422
    assert "Choose at least one claim." in page_text(response)


def test_a_bulk_action_needs_the_form_token(make_app, db_session, team, claims):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = hidden_fields(client.get("/login"))["csrf_token"]
    signed_in = client.post(
        "/login", data={"email": team["anna"].email, "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302
    data = {"claim_ids": [str(claims[0].id)], "action": "tag", "tag": "inf treaty"}
    refused = client.post("/claims/bulk", data=data)
    assert refused.status_code == 400
    assert "The form expired or was not sent from this site" in page_text(refused)
    assert stored_claim(db_session, claims[0]).tags == []
    form = hidden_fields(client.get("/claims/"))
    assert client.post("/claims/bulk", data={**data, "csrf_token": form["csrf_token"]}).status_code == 200
    assert [t.name for t in stored_claim(db_session, claims[0]).tags] == ["inf treaty"]
