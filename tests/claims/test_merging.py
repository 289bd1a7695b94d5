"""Merging a duplicate claim: what moves, conflicting ratings, the desk redirect, the audit
history, undo (and when it is refused), permissions per role and the form token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims import merging
from factcheck.claims.models import Appearance, ClaimMerge
from factcheck.discussion.models import Comment
from factcheck.security.permissions import PermissionDenied
from factcheck.sources.models import Source
from tests.claims.desk import (
    acting_as,
    add_rating,
    add_source,
    hidden_fields,
    make_claim,
    page_text,
    stored_claim,
)
from tests.conftest import PASSWORD

REASON = "Same 9M729 range claim, reported twice."


@pytest.fixture
def team(make_user):
    return {
        "anna": make_user(Role.REVIEWER, name="Anna Reviewer"),
        "ben": make_user(Role.REVIEWER, name="Ben Reviewer"),
        "eve": make_user(Role.EDITOR, name="Eve Editor"),
    }


@pytest.fixture
def pair(db_session, team):
    """A survivor rated by Anna, and a duplicate with an appearance, a source, a comment and two ratings."""
    survivor = make_claim(db_session, team["anna"])
    duplicate = make_claim(
        db_session,
        team["ben"],
        text="Russia says the 9M729 missile flies 480 km at most.",
        claimant="Russian Ministry of Defence",
    )
    acting_as(db_session, team["anna"])
    add_rating(db_session, survivor, team["anna"], "false")
    db_session.add(
        Appearance(
            claim=duplicate,
            url="https://news.example.org/2019/01/23/missile-display",
            quote_exact="The missile's range is 480 km.",
            created_by=team["ben"],
        )
    )
    db_session.add(Comment(claim=duplicate, author=team["ben"], body="Same briefing as #1?"))
    db_session.commit()
    add_source(db_session, duplicate, team["ben"])
    add_rating(db_session, duplicate, team["anna"], "mostly-true")
    add_rating(db_session, duplicate, team["ben"], "false")
    return survivor, duplicate


def claim_ids(db_session, model, ids):
    db_session.expire_all()
    return [row.claim_id for row in db_session.scalars(select(model).where(model.id.in_(ids)))]


def test_a_merge_moves_appearances_sources_comments_and_unconflicting_ratings(db_session, team, pair):
    survivor, duplicate = pair
    acting_as(db_session, team["eve"])
    planned = merging.plan(db_session, duplicate, survivor)
    assert [(c.kept.reviewer.name, c.left.label.key) for c in planned.conflicts] == [
        ("Anna Reviewer", "mostly-true")
    ]
    record = merging.merge(db_session, team["eve"], duplicate, survivor, REASON)
    db_session.commit()

    fresh = stored_claim(db_session, survivor)
    assert [a.url for a in fresh.appearances] == ["https://news.example.org/2019/01/23/missile-display"]
    assert [s.title for s in fresh.sources] == ["INF Treaty, Article VII"]
    assert [c.body for c in fresh.comments] == ["Same briefing as #1?"]
    assert sorted((r.reviewer.name, r.label.key) for r in fresh.ratings) == [
        ("Anna Reviewer", "false"),
        ("Ben Reviewer", "false"),
    ]
    # The conflicting rating stays on the duplicate; the merge is in force.
    left = stored_claim(db_session, duplicate)
    assert [(r.reviewer.name, r.label.key) for r in left.ratings] == [("Anna Reviewer", "mostly-true")]
    assert merging.active_merge(db_session, duplicate.id).id == record.id

    # One changeset with the reason holds the merge and every move.
    changeset = db_session.scalar(
        select(AuditChangeset).join(AuditChange).where(AuditChange.table_name == "claim_merges")
    )
    assert changeset.reason == REASON
    assert changeset.actor_name == "Eve Editor"
    tables = db_session.scalars(
        select(AuditChange.table_name).where(AuditChange.changeset_seq == changeset.seq)
    )
    assert set(tables) == {"appearances", "sources", "comments", "ratings", "claim_merges"}


def test_undo_moves_back_exactly_what_moved(db_session, team, pair):
    survivor, duplicate = pair
    acting_as(db_session, team["eve"])
    record = merging.merge(db_session, team["eve"], duplicate, survivor, REASON)
    db_session.commit()
    moved = dict(record.moved)
    merging.undo(db_session, team["eve"], record, "Different briefings after all.")
    db_session.commit()
    assert claim_ids(db_session, Appearance, moved["appearances"]) == [duplicate.id]
    assert claim_ids(db_session, Source, moved["sources"]) == [duplicate.id]
    assert claim_ids(db_session, Comment, moved["comments"]) == [duplicate.id]
    assert [r.reviewer.name for r in stored_claim(db_session, survivor).ratings] == ["Anna Reviewer"]
    assert len(stored_claim(db_session, duplicate).ratings) == 2
    assert merging.active_merge(db_session, duplicate.id) is None


def test_undo_is_refused_when_a_moved_item_was_deleted(db_session, team, pair):
    survivor, duplicate = pair
    acting_as(db_session, team["eve"])
    record = merging.merge(db_session, team["eve"], duplicate, survivor, REASON)
    db_session.commit()
    source = db_session.get(Source, record.moved["sources"][0])
    db_session.delete(source)
    db_session.commit()
    with pytest.raises(merging.MergeError, match=f"Source {source.id} was deleted since the merge"):
        merging.undo(db_session, team["eve"], record, "Different briefings after all.")


def test_merges_are_refused_into_itself_twice_or_by_a_reviewer(db_session, team, pair):
    survivor, duplicate = pair
    acting_as(db_session, team["anna"])
    with pytest.raises(PermissionDenied):
        merging.merge(db_session, team["anna"], duplicate, survivor, REASON)
    acting_as(db_session, team["eve"])
    with pytest.raises(merging.MergeError, match="into itself"):
        merging.merge(db_session, team["eve"], duplicate, duplicate, REASON)
    with pytest.raises(merging.MergeError, match="why"):
        merging.merge(db_session, team["eve"], duplicate, survivor, " ")
    merging.merge(db_session, team["eve"], duplicate, survivor, REASON)
    db_session.commit()
    with pytest.raises(merging.MergeError, match="already merged"):
        merging.merge(db_session, team["eve"], duplicate, survivor, REASON)


def test_an_editor_merges_through_the_confirmation_page(client, login_as, db_session, pair):
    survivor, duplicate = pair
    login_as(Role.EDITOR)
    choose = client.get(f"/claims/{duplicate.id}/merge")
    assert choose.status_code == 200
    assert f"#{survivor.id}" in page_text(choose)  # among the similar claims
    confirm = client.get(f"/claims/{duplicate.id}/merge?into={survivor.id}")
    text = page_text(confirm)
    assert "1 appearance" in text and "1 source" in text and "1 comment" in text
    assert "1 rating: Ben Reviewer" in text
    assert "Ratings that conflict (1)" in text
    merged = client.post(f"/claims/{duplicate.id}/merge", data={"into": survivor.id, "reason": REASON})
    assert merged.status_code == 302
    assert merged.headers["Location"].endswith(f"/claims/{survivor.id}")
    # The duplicate's desk page leads to the survivor, which offers the undo.
    followed = client.get(f"/claims/{duplicate.id}", follow_redirects=True)
    assert followed.request.path == f"/claims/{survivor.id}"
    assert f"Claim #{duplicate.id} was merged into this claim" in page_text(followed)
    undo_page = client.get(f"/claims/{duplicate.id}/merge/undo")
    assert "Moves back" in page_text(undo_page)
    undone = client.post(f"/claims/{duplicate.id}/merge/undo", data={"reason": "Two briefings."})
    assert undone.status_code == 302
    assert client.get(f"/claims/{duplicate.id}").status_code == 200
    assert len(stored_claim(db_session, duplicate).sources) == 1


def test_the_history_shows_the_merge_with_its_reason(client, login_as, db_session, pair):
    survivor, duplicate = pair
    login_as(Role.EDITOR)
    client.post(f"/claims/{duplicate.id}/merge", data={"into": survivor.id, "reason": REASON})
    history = client.get(f"/claims/{survivor.id}/history")
    assert history.status_code == 200
    assert REASON in page_text(history)
    client.post(f"/claims/{duplicate.id}/merge/undo", data={"reason": "Two briefings."})
    own = page_text(client.get(f"/claims/{duplicate.id}/history"))
    assert f"merged this claim into claim #{survivor.id}" in own
    assert "undid the merge of this claim" in own
    assert REASON in own and "Two briefings." in own


def test_a_merge_without_a_reason_or_survivor_is_refused(client, login_as, db_session, pair):
    survivor, duplicate = pair
    login_as(Role.EDITOR)
    refused = client.post(f"/claims/{duplicate.id}/merge", data={"into": survivor.id, "reason": ""})
    assert refused.status_code == 422
    assert "Say why these claims are duplicates." in page_text(refused)
    missing = client.post(f"/claims/{duplicate.id}/merge", data={"into": 987654, "reason": REASON})
    assert missing.status_code == 422
    assert "There is no claim with that number." in page_text(missing)
    assert db_session.scalar(select(ClaimMerge)) is None


@pytest.mark.parametrize("role", [Role.REVIEWER])
def test_a_reviewer_may_not_merge_or_undo(client, login_as, db_session, team, pair, role):
    survivor, duplicate = pair
    login_as(role)
    assert "Merge this claim into another" not in page_text(client.get(f"/claims/{duplicate.id}"))
    assert client.get(f"/claims/{duplicate.id}/merge").status_code == 403
    refused = client.post(f"/claims/{duplicate.id}/merge", data={"into": survivor.id, "reason": REASON})
    assert refused.status_code == 403
    assert db_session.scalar(select(ClaimMerge)) is None
    acting_as(db_session, team["eve"])
    merging.merge(db_session, team["eve"], duplicate, survivor, REASON)
    db_session.commit()
    assert client.post(f"/claims/{duplicate.id}/merge/undo", data={"reason": "No."}).status_code == 403
    assert merging.active_merge(db_session, duplicate.id) is not None


def test_signed_out_visitors_are_sent_to_sign_in(client, pair):
    _, duplicate = pair
    response = client.get(f"/claims/{duplicate.id}/merge")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_merge_needs_the_form_token(make_app, db_session, team, pair):
    survivor, duplicate = pair
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = hidden_fields(client.get("/login"))["csrf_token"]
    client.post("/login", data={"email": team["eve"].email, "password": PASSWORD, "csrf_token": token})
    data = {"into": survivor.id, "reason": REASON}
    refused = client.post(f"/claims/{duplicate.id}/merge", data=data)
    assert refused.status_code == 400
    assert db_session.scalar(select(ClaimMerge)) is None
    form = hidden_fields(client.get(f"/claims/{duplicate.id}/merge?into={survivor.id}"))
    assert (
        client.post(
            f"/claims/{duplicate.id}/merge", data={**data, "csrf_token": form["csrf_token"]}
        ).status_code
        == 302
    )
