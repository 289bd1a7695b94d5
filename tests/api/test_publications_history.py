"""Publications and a claim's history through the API: the four-eyes rule and the desk's
refusals, revisions listed, the audit naming the token, the history as the desk shows it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role, TokenScope
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import ClaimState
from factcheck.publishing.models import Publication
from tests.api.conftest import assert_problem
from tests.claims.desk import make_claim, make_ready_to_approve, stored_claim

CORRECTION_NOTE = "Corrected the range: the 2014 tests went beyond 500 km."


def _ready_claim(db_session, make_user, author):
    claim = make_claim(db_session, author, ClaimState.READY)
    return make_ready_to_approve(db_session, claim, author, [make_user(Role.REVIEWER)])


def _publications(db_session, claim) -> list[Publication]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(Publication).where(Publication.claim_id == claim.id).order_by(Publication.revision)
        )
    )


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_the_verdicts_sole_author_may_not_publish_it_another_editor_may(
    api, token_for, make_user, db_session, role
):
    author = token_for(Role.EDITOR)
    publisher = token_for(role)
    claim = _ready_claim(db_session, make_user, author.user)
    url = f"/claims/{claim.id}/publications"

    refused = assert_problem(api.post(url, author, json={"kind": "publication"}), 403)

    assert "four-eyes rule" in refused["detail"] and publisher.user.name in refused["detail"]
    assert _publications(db_session, claim) == []
    published = api.post(
        url, publisher, json={"kind": "publication", "reason": "Checked by a second editor."}
    )
    assert published.status_code == 201, published.data
    body = published.get_json()
    assert (body["revision"], body["kind"], body["headline"]) == (1, "publication", "Not 480 km")
    assert body["published_by"]["id"] == publisher.user.id
    assert body["snapshot"]["headline"] == "Not 480 km"
    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED
    assert api.get(url, author).get_json()["items"] == [body]
    changeset = db_session.scalar(
        select(AuditChangeset)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.table_name == "publications", AuditChange.claim_id == claim.id)
    )
    assert changeset.origin == "api" and publisher.prefix in changeset.actor_name
    assert changeset.reason == "Checked by a second editor."


def test_corrections_updates_and_retractions_follow_the_desks_rules(api, token_for, make_user, db_session):
    author = token_for(Role.EDITOR)
    other = token_for(Role.ADMIN)
    claim = _ready_claim(db_session, make_user, author.user)
    url = f"/claims/{claim.id}/publications"
    assert api.post(url, other, json={"kind": "publication"}).status_code == 201

    # The verdict's sole author may not publish its draft again (correction, update) ...
    assert_problem(api.post(url, author, json={"kind": "correction", "note": CORRECTION_NOTE}), 403)
    short = assert_problem(api.post(url, other, json={"kind": "update", "note": "New."}), 422)
    assert list(short["errors"]) == ["note"]
    stale = assert_problem(
        api.post(url, other, json={"kind": "correction", "note": CORRECTION_NOTE, "latest_revision": 2}), 409
    )
    assert stale["current_revision"] == 1
    corrected = api.post(
        url, other, json={"kind": "correction", "note": CORRECTION_NOTE, "latest_revision": 1}
    )
    assert corrected.status_code == 201, corrected.data
    assert corrected.get_json()["note"] == CORRECTION_NOTE

    # ... but any editor may retract (a wrong verdict should come down at once), and that is final.
    retracted = api.post(
        url, author, json={"kind": "retraction", "note": "Retracted: the source was forged."}
    )
    assert retracted.status_code == 201, retracted.data
    final = assert_problem(api.post(url, other, json={"kind": "update", "note": CORRECTION_NOTE}), 422)
    assert "retraction is final" in final["detail"]
    assert [(p.revision, str(p.kind)) for p in _publications(db_session, claim)] == [
        (1, "publication"),
        (2, "correction"),
        (3, "retraction"),
    ]
    items = api.get(url, author).get_json()["items"]
    assert [item["revision"] for item in items] == [1, 2, 3]
    assert items[2]["links"]["html"] == f"/claims/{claim.id}/revisions/3"


def test_publication_refusals(api, token_for, make_user, db_session):
    author = token_for(Role.EDITOR)
    editor = token_for(Role.EDITOR)
    reviewer = token_for(Role.REVIEWER)
    reader = token_for(Role.ADMIN, TokenScope.READ)
    claim = _ready_claim(db_session, make_user, author.user)
    url = f"/claims/{claim.id}/publications"

    assert_problem(api.post(url, reviewer, json={"kind": "publication"}), 403)
    assert_problem(api.post(url, reader, json={"kind": "publication"}), 403)
    assert_problem(api.post("/claims/999999/publications", editor, json={"kind": "publication"}), 404)
    assert_problem(api.get("/claims/999999/publications", reader), 404)
    assert list(assert_problem(api.post(url, editor, json={"kind": "draft"}), 422)["errors"]) == ["kind"]
    noted = assert_problem(api.post(url, editor, json={"kind": "publication", "note": CORRECTION_NOTE}), 422)
    assert list(noted["errors"]) == ["note"]
    changed = assert_problem(api.post(url, editor, json={"kind": "publication", "verdict_version": 5}), 409)
    assert changed["current_version"] == 1
    unpublished = assert_problem(
        api.post(url, editor, json={"kind": "correction", "note": CORRECTION_NOTE}), 422
    )
    assert "only a published claim" in unpublished["detail"].lower()
    researching = make_claim(db_session, author.user, ClaimState.RESEARCHING)
    not_ready = assert_problem(
        api.post(f"/claims/{researching.id}/publications", editor, json={"kind": "publication"}), 422
    )
    assert "only a claim that is ready" in not_ready["detail"].lower()
    assert (
        _publications(db_session, claim) == [] and stored_claim(db_session, claim).state == ClaimState.READY
    )
    assert api.get(url, reader).get_json() == {"items": []}


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR, Role.ADMIN])
def test_the_claims_history_as_the_desk_shows_it(api, token_for, db_session, role):
    holder = token_for(role)
    claim = make_claim(db_session, holder.user, ClaimState.RESEARCHING)
    api.post(f"/claims/{claim.id}/comments", holder, json={"body": "Asked the ministry."})

    response = api.get(f"/claims/{claim.id}/history", holder)

    assert response.status_code == 200
    history = response.get_json()
    last = history["items"][-1]
    assert last["origin"] == "api" and holder.prefix in last["actor_name"]
    # Commenting makes the commenter follow the claim, in the same changeset (docs/notifications.md).
    assert [item["table"] for item in last["items"]] == ["comments", "follows"]
    assert history["ratings_visible"] is (role != Role.REVIEWER)
    assert (
        api.get(
            f"/claims/{claim.id}/history", holder, headers={"If-None-Match": response.headers["ETag"]}
        ).status_code
        == 304
    )
    assert_problem(api.get("/claims/999999/history", holder), 404)
