"""Ratings and the verdict through the API: the blind rule as on the desk, who may write what,
version conflicts, and the audit history naming the token."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role, TokenScope
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import ClaimState
from factcheck.ratings.models import Rating
from factcheck.verdicts.models import Verdict
from tests.api.conftest import assert_problem
from tests.claims.desk import add_rating, add_verdict, label, make_claim, stored_claim

ROLES = [Role.REVIEWER, Role.EDITOR, Role.ADMIN]
THEIR_REASONING = "The US says 2,000 km or more."


def _rating(db_session, key: str = "false", reasoning: str = "Tests in 2014 went beyond 500 km.") -> dict:
    return {"label_id": label(db_session, key).id, "reasoning": reasoning}


def test_a_reviewer_sees_the_others_ratings_only_after_rating(api, token_for, make_user, db_session):
    first = make_user(Role.REVIEWER)
    holder = token_for(Role.REVIEWER)
    claim = make_claim(db_session, first, ClaimState.RESEARCHING)
    add_rating(db_session, claim, first)

    before = api.get(f"/claims/{claim.id}/ratings", holder).get_json()
    history = api.get(f"/claims/{claim.id}/history", holder)

    assert before == {"visible": False, "count": 1, "mine": None, "items": []}
    assert history.status_code == 200 and history.get_json()["ratings_visible"] is False
    assert THEIR_REASONING not in history.get_data(as_text=True)
    assert "hidden until you submit your own" in history.get_data(as_text=True)

    submitted = api.put(f"/claims/{claim.id}/rating", holder, json=_rating(db_session, "mostly-false"))

    assert submitted.status_code == 201, submitted.data
    mine = submitted.get_json()
    assert mine["label"]["key"] == "mostly-false" and mine["reviewer"]["id"] == holder.user.id
    after = api.get(f"/claims/{claim.id}/ratings", holder).get_json()
    assert after["visible"] is True and after["count"] == 2 and after["mine"] == mine
    assert {item["reasoning"] for item in after["items"]} == {THEIR_REASONING, mine["reasoning"]}
    assert THEIR_REASONING in api.get(f"/claims/{claim.id}/history", holder).get_data(as_text=True)


def test_revising_a_rating_keeps_one_rating_per_person(api, token_for, db_session):
    holder = token_for(Role.REVIEWER)
    claim = make_claim(db_session, holder.user, ClaimState.RESEARCHING)
    assert api.put(f"/claims/{claim.id}/rating", holder, json=_rating(db_session)).status_code == 201

    revised = api.put(
        f"/claims/{claim.id}/rating", holder, json=_rating(db_session, "true", "Revised: 480 km.")
    )

    assert revised.status_code == 200, revised.data
    [stored] = db_session.scalars(select(Rating).where(Rating.claim_id == claim.id)).all()
    db_session.refresh(stored)
    assert stored.label.key == "true" and stored.reasoning == "Revised: 480 km."


@pytest.mark.parametrize("role", ROLES)
def test_every_role_rates_and_editors_always_see_ratings(api, token_for, make_user, db_session, role):
    other = make_user(Role.REVIEWER)
    holder = token_for(role)
    claim = make_claim(db_session, other, ClaimState.RESEARCHING)
    add_rating(db_session, claim, other)

    listed = api.get(f"/claims/{claim.id}/ratings", holder).get_json()

    assert listed["visible"] is (role != Role.REVIEWER)
    assert len(listed["items"]) == (0 if role == Role.REVIEWER else 1)
    assert api.put(f"/claims/{claim.id}/rating", holder, json=_rating(db_session)).status_code == 201
    assert len(api.get(f"/claims/{claim.id}/ratings", holder).get_json()["items"]) == 2


def test_rating_refusals(api, token_for, db_session):
    holder = token_for(Role.REVIEWER)
    reader = token_for(Role.ADMIN, TokenScope.READ)
    claim = make_claim(db_session, holder.user, ClaimState.RESEARCHING)

    assert_problem(api.put(f"/claims/{claim.id}/rating", reader, json=_rating(db_session)), 403)
    assert_problem(api.put("/claims/999999/rating", holder, json=_rating(db_session)), 404)
    assert_problem(api.get("/claims/999999/ratings", holder), 404)
    unknown = assert_problem(
        api.put(f"/claims/{claim.id}/rating", holder, json={"label_id": 999999, "reasoning": "Because."}), 422
    )
    assert unknown["errors"] == {"label_id": ["Choose a label from the rating scale."]}
    empty = assert_problem(
        api.put(f"/claims/{claim.id}/rating", holder, json=_rating(db_session, "false", "  ")), 422
    )
    assert empty["errors"] == {"reasoning": ["Say briefly why you rate the claim this way."]}
    assert db_session.scalars(select(Rating).where(Rating.claim_id == claim.id)).all() == []


# --- the verdict -------------------------------------------------------------------------------------


def _verdict(db_session, **fields) -> dict:
    return {
        "headline": "The 9M729's range is not 480 km",
        "label_id": label(db_session, "false").id,
        "summary": "Tests in 2014 went beyond 500 km, NATO allies say.",
        **fields,
    }


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_editors_write_read_and_replace_the_verdict(api, token_for, db_session, role):
    holder = token_for(role)
    claim = make_claim(db_session, holder.user, ClaimState.RESEARCHING)
    assert_problem(api.get(f"/claims/{claim.id}/verdict", holder), 404)

    written = api.put(f"/claims/{claim.id}/verdict", holder, json=_verdict(db_session))

    assert written.status_code == 201, written.data
    verdict = written.get_json()
    assert verdict["version"] == 1 and verdict["author"]["id"] == holder.user.id
    assert verdict["label"]["key"] == "false"
    read = api.get(f"/claims/{claim.id}/verdict", holder)
    assert read.get_json() == verdict
    assert (
        api.get(
            f"/claims/{claim.id}/verdict", holder, headers={"If-None-Match": read.headers["ETag"]}
        ).status_code
        == 304
    )

    replaced = api.put(
        f"/claims/{claim.id}/verdict",
        holder,
        json=_verdict(db_session, headline="Not 480 km", explanation="See the treaty."),
        headers={"If-Match": read.headers["ETag"]},
    )

    assert replaced.status_code == 200, replaced.data
    stored = db_session.scalar(select(Verdict).where(Verdict.claim_id == claim.id))
    db_session.refresh(stored)
    assert (stored.headline, stored.explanation, stored.version) == ("Not 480 km", "See the treaty.", 2)


def test_verdict_conflicts_and_reasons(api, token_for, make_user, db_session):
    holder = token_for(Role.EDITOR)
    claim = make_claim(db_session, holder.user, ClaimState.RESEARCHING)
    add_verdict(db_session, claim, make_user(Role.EDITOR))
    url = f"/claims/{claim.id}/verdict"
    etag = api.get(url, holder).headers["ETag"]

    assert_problem(api.put(url, holder, json=_verdict(db_session)), 428)
    stale = assert_problem(api.put(url, holder, json=_verdict(db_session, version=7)), 409)
    assert stale["current"]["version"] == 1 and stale["current"]["headline"] == "Not 480 km"
    relabel = assert_problem(
        api.put(url, holder, json=_verdict(db_session, version=1, label_id=label(db_session, "true").id)), 422
    )
    assert list(relabel["errors"]) == ["reason"]

    saved = api.put(
        url,
        holder,
        json=_verdict(
            db_session,
            version=1,
            label_id=label(db_session, "true").id,
            reason="The Pentagon's 2019 figures.",
        ),
    )

    assert saved.status_code == 200, saved.data
    assert saved.get_json()["label"]["key"] == "true" and saved.get_json()["version"] == 2
    assert_problem(api.put(url, holder, json=_verdict(db_session), headers={"If-Match": etag}), 412)
    changeset = db_session.scalar(
        select(AuditChangeset)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(
            AuditChange.table_name == "verdicts",
            AuditChange.operation == "UPDATE",
            AuditChange.claim_id == claim.id,
        )
    )
    assert changeset.reason == "The Pentagon's 2019 figures."
    assert changeset.origin == "api" and holder.prefix in changeset.actor_name
    assert stored_claim(db_session, claim).verdict.label.key == "true"


def test_verdict_refusals(api, token_for, db_session):
    reviewer = token_for(Role.REVIEWER)
    reader = token_for(Role.EDITOR, TokenScope.READ)
    editor = token_for(Role.EDITOR)
    claim = make_claim(db_session, reviewer.user, ClaimState.RESEARCHING)
    url = f"/claims/{claim.id}/verdict"

    assert_problem(api.put(url, reviewer, json=_verdict(db_session)), 403)
    assert_problem(api.put(url, reader, json=_verdict(db_session)), 403)
    assert_problem(api.put("/claims/999999/verdict", editor, json=_verdict(db_session)), 404)
    blank = assert_problem(api.put(url, editor, json=_verdict(db_session, headline="  ")), 422)
    assert blank["errors"] == {"headline": ["Write a headline."]}
    long = assert_problem(api.put(url, editor, json=_verdict(db_session, headline="x" * 301)), 422)
    assert list(long["errors"]) == ["headline"]
    gone = assert_problem(api.put(url, editor, json=_verdict(db_session, version=3)), 409)
    assert "no longer exists" in gone["detail"]
    assert db_session.scalar(select(Verdict).where(Verdict.claim_id == claim.id)) is None
    assert api.get(url, reviewer).status_code == 404
    assert json.loads(api.get(f"/claims/{claim.id}/ratings", reader).data)["count"] == 0
