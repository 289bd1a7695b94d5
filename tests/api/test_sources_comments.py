"""A claim's sources and comments through the API: listed and added as on the desk."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role, TokenScope
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import ClaimState
from factcheck.db import utcnow
from factcheck.discussion.models import Comment
from factcheck.sources.models import Source
from tests.api.conftest import assert_problem
from tests.claims.desk import make_claim

SOURCE = {
    "title": "INF Treaty, Article VII",
    "url": "https://www.state.gov/t/avc/trty/102360.htm",
    "kind": "primary_document",
    "stance": "refutes",
    "quote": "intermediate-range missiles: 1000 to 5500 km",
    "is_primary": True,
}


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR, Role.ADMIN])
def test_every_role_adds_and_lists_sources_and_comments(api, token_for, db_session, role):
    holder = token_for(role)
    claim = make_claim(db_session, holder.user, ClaimState.RESEARCHING)

    added = api.post(f"/claims/{claim.id}/sources", holder, json=SOURCE)

    assert added.status_code == 201, added.data
    source = added.get_json()
    assert source["stance"] == "refutes" and source["is_primary"] is True
    assert source["created_by"]["id"] == holder.user.id
    stored = db_session.get(Source, source["id"])
    assert stored.claim_id == claim.id and stored.quote == SOURCE["quote"]
    assert api.get(f"/claims/{claim.id}/sources", holder).get_json()["items"] == [source]

    comment = api.post(
        f"/claims/{claim.id}/comments", holder, json={"body": "The treaty says **500 to 5500 km**."}
    )
    assert comment.status_code == 201
    assert comment.get_json()["body"] == "The treaty says **500 to 5500 km**."
    listed = api.get(f"/claims/{claim.id}/comments", holder).get_json()["items"]
    assert [item["id"] for item in listed] == [comment.get_json()["id"]]


def test_refusals(api, token_for, db_session):
    holder = token_for()
    reader = token_for(Role.EDITOR, TokenScope.READ)
    claim = make_claim(db_session, holder.user)
    assert_problem(api.post(f"/claims/{claim.id}/sources", reader, json=SOURCE), 403)
    assert_problem(api.post(f"/claims/{claim.id}/comments", reader, json={"body": "Hi"}), 403)
    assert_problem(api.post("/claims/999999/sources", holder, json=SOURCE), 404)
    neither = assert_problem(api.post(f"/claims/{claim.id}/sources", holder, json={"title": "A book"}), 422)
    assert neither["errors"] == {"url": ["Give a web address or a full citation (or both)."]}
    stance = assert_problem(
        api.post(f"/claims/{claim.id}/sources", holder, json={**SOURCE, "stance": "maybe"}), 422
    )
    assert list(stance["errors"]) == ["stance"]
    empty = assert_problem(api.post(f"/claims/{claim.id}/comments", holder, json={"body": "   "}), 422)
    assert empty["errors"] == {"body": ["Write something first."]}
    assert db_session.scalars(select(Source).where(Source.claim_id == claim.id)).all() == []


def test_a_removed_comment_keeps_its_place_without_its_words(api, token_for, db_session):
    holder = token_for()
    claim = make_claim(db_session, holder.user)
    first = api.post(f"/claims/{claim.id}/comments", holder, json={"body": "Wrong claim, sorry."}).get_json()
    api.post(f"/claims/{claim.id}/comments", holder, json={"body": "Second."})
    db_session.get(Comment, first["id"]).deleted_at = utcnow()
    db_session.commit()

    items = api.get(f"/claims/{claim.id}/comments", holder).get_json()["items"]

    assert [(item["removed"], item["body"]) for item in items] == [(True, None), (False, "Second.")]
    assert items[0]["author"] is None


def test_sources_added_through_the_api_name_the_token_in_the_history(api, token_for, db_session):
    holder = token_for()
    claim = make_claim(db_session, holder.user)
    assert api.post(f"/claims/{claim.id}/sources", holder, json=SOURCE).status_code == 201
    changeset = db_session.scalar(
        select(AuditChangeset)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(
            AuditChange.table_name == "sources",
            AuditChange.operation == "INSERT",
            AuditChange.claim_id == claim.id,
        )
    )
    assert changeset.origin == "api" and holder.prefix in changeset.actor_name
