"""Documents, claims and transitions through the API: the desk's rules, per role and scope,
conflicts, pages, and the audit history naming the token."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role, TokenScope
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Appearance, Claim, ClaimState
from factcheck.security.models import SecurityEvent, SecurityEventKind
from tests.api.conftest import assert_problem
from tests.claims.desk import acting_as, history_sentences, make_claim, make_ready_to_approve, stored_claim

ARTICLE = (
    "NATO allies said on Tuesday that Russia's 9M729 missile has a range of 480 km, "
    "according to the Russian Ministry of Defence. Washington disagrees."
)
QUOTE = "Russia's 9M729 missile has a range of 480 km"
ROLES = [Role.REVIEWER, Role.EDITOR, Role.ADMIN]


def _document(api, holder) -> dict:
    response = api.post(
        "/documents",
        holder,
        json={
            "text": ARTICLE,
            "title": "Missile range",
            "outlet": "Example News",
            "published_on": "2026-11-30",
        },
    )
    assert response.status_code == 201, response.data
    return response.get_json()


def _claim_body(document_id: int) -> dict:
    return {
        "text": "Russia's 9M729 missile has a range of 480 km.",
        "claimant": "Russian Ministry of Defence",
        "claimant_kind": "organisation",
        "appearance": {"document_id": document_id, "quote": QUOTE},
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_role_creates_and_reads_documents_and_claims(api, token_for, db_session, role):
    holder = token_for(role)
    document = _document(api, holder)
    assert document["title"] == "Missile range" and document["published_on"] == "2026-11-30"
    assert api.get(f"/documents/{document['id']}", holder).get_json()["text"] == ARTICLE

    created = api.post("/claims", holder, json=_claim_body(document["id"]))

    assert created.status_code == 201, created.data
    claim = created.get_json()
    assert created.headers["Location"] == f"/api/v1/claims/{claim['id']}"
    assert claim["state"] == "new" and claim["version"] == 1
    assert claim["created_by"] == {"id": holder.user.id, "name": holder.user.name}
    [appearance] = claim["appearances"]
    start = ARTICLE.index(QUOTE)
    assert (appearance["start"], appearance["end"]) == (start, start + len(QUOTE))
    assert appearance["anchor_status"] == "anchored" and appearance["quote"] == QUOTE
    stored = db_session.scalar(select(Appearance).where(Appearance.claim_id == claim["id"]))
    assert stored.position_start == start and stored.appeared_on.isoformat() == "2026-11-30"
    assert api.get(f"/claims/{claim['id']}", holder).get_json() == claim
    me = api.get("/me", holder).get_json()
    assert me["role"] == role.value and me["token"]["prefix"] == holder.prefix


@pytest.mark.parametrize("role", ROLES)
def test_read_tokens_read_but_never_write(api, token_for, db_session, role):
    writer = token_for(Role.REVIEWER)
    document = _document(api, writer)
    claim = api.post("/claims", writer, json=_claim_body(document["id"])).get_json()
    reader = token_for(role, TokenScope.READ)

    assert api.get(f"/claims/{claim['id']}", reader).status_code == 200
    assert api.get("/claims", reader).status_code == 200
    assert api.get(f"/documents/{document['id']}", reader).status_code == 200
    options = api.get(f"/claims/{claim['id']}/transitions", reader).get_json()["options"]
    assert options and all(not o["allowed"] and o["reason"] == "this token may only read" for o in options)
    assert_problem(api.post("/claims", reader, json=_claim_body(document["id"])), 403)
    assert_problem(api.post("/documents", reader, json={"text": "A text."}), 403)
    assert_problem(api.patch(f"/claims/{claim['id']}", reader, json={"version": 1, "claimant": "X"}), 403)
    assert_problem(
        api.post(f"/claims/{claim['id']}/transitions", reader, json={"to_state": "researching"}), 403
    )
    assert stored_claim(db_session, db_session.get(Claim, claim["id"])).state == ClaimState.NEW


def test_capture_refusals_name_the_field(api, token_for):
    holder = token_for()
    document = _document(api, holder)
    missing = assert_problem(api.post("/claims", holder, json={**_claim_body(999999)}), 422)
    assert missing["errors"] == {"appearance.document_id": ["There is no document 999999."]}
    elsewhere = {
        **_claim_body(document["id"]),
        "appearance": {"document_id": document["id"], "quote": "Moscow agrees"},
    }
    body = assert_problem(api.post("/claims", holder, json=elsewhere), 422)
    assert list(body["errors"]) == ["appearance.quote"]
    assert "not in the document" in body["errors"]["appearance.quote"][0]
    bad_url = {**_claim_body(document["id"]), "appearance": {"url": "javascript:alert(1)"}}
    assert list(assert_problem(api.post("/claims", holder, json=bad_url), 422)["errors"]) == [
        "appearance.url"
    ]
    neither = {**_claim_body(document["id"]), "appearance": {}}
    assert list(assert_problem(api.post("/claims", holder, json=neither), 422)["errors"]) == ["appearance"]
    blank = {**_claim_body(document["id"]), "claimant": "  "}
    assert assert_problem(api.post("/claims", holder, json=blank), 422)["errors"] == {
        "claimant": ["Say who made the claim."]
    }


def test_a_claim_from_a_web_address(api, token_for):
    holder = token_for()
    body = {
        "text": "Turnout was 99%.",
        "claimant": "A party",
        "appearance": {"url": "https://example.org/post/7"},
    }
    claim = api.post("/claims", holder, json=body).get_json()
    assert claim["appearances"][0]["url"] == "https://example.org/post/7"
    assert claim["appearances"][0]["document_id"] is None


def test_update_with_the_version_read_and_conflicts(api, token_for):
    first, second = token_for(Role.REVIEWER), token_for(Role.EDITOR)
    claim = api.post(
        "/claims",
        first,
        json={"text": "A said B.", "claimant": "A", "appearance": {"url": "https://example.org/a"}},
    ).get_json()
    path = f"/claims/{claim['id']}"
    read = api.get(path, second)
    etag = read.headers["ETag"]

    saved = api.patch(path, first, json={"version": 1, "claimant": "A. Person", "claimed_on": "2026-11-01"})
    assert saved.status_code == 200
    assert saved.get_json()["claimant"] == "A. Person" and saved.get_json()["version"] == 2
    assert saved.get_json()["text"] == "A said B."  # fields not sent keep their values

    stale = assert_problem(api.patch(path, second, json={"version": 1, "text": "A said C."}), 409)
    assert stale["current_version"] == 2 and stale["current"]["claimant"] == "A. Person"
    precondition = assert_problem(
        api.patch(path, second, headers={"If-Match": etag}, json={"text": "A said C."}), 412
    )
    assert precondition["current"]["version"] == 2
    assert_problem(api.patch(path, second, json={"text": "A said C."}), 428)
    fresh = api.get(path, second)
    assert api.get(path, second, headers={"If-None-Match": fresh.headers["ETag"]}).status_code == 304
    retried = api.patch(path, second, headers={"If-Match": fresh.headers["ETag"]}, json={"text": "A said C."})
    assert retried.status_code == 200 and retried.get_json()["version"] == 3
    assert api.get(path, second, headers={"If-None-Match": fresh.headers["ETag"]}).status_code == 200
    cleared = api.patch(path, second, json={"version": 3, "claimed_on": None})
    assert cleared.get_json()["claimed_on"] is None


def test_only_editors_reword_an_approved_claim(api, token_for, db_session, make_user):
    reviewer, editor = token_for(Role.REVIEWER), token_for(Role.EDITOR)
    claim = make_claim(db_session, reviewer.user, ClaimState.READY)
    refused = assert_problem(
        api.patch(f"/claims/{claim.id}", reviewer, json={"version": 1, "text": "New."}), 403
    )
    assert "only editors and admins" in refused["detail"]
    assert api.patch(f"/claims/{claim.id}", editor, json={"version": 1, "text": "New."}).status_code == 200


def test_transitions_follow_the_desks_rules(api, token_for, db_session, make_user):
    reviewer, editor = token_for(Role.REVIEWER), token_for(Role.EDITOR)
    claim = make_claim(db_session, reviewer.user, ClaimState.IN_REVIEW)
    path = f"/claims/{claim.id}/transitions"

    options = api.get(path, reviewer).get_json()
    ready = next(option for option in options["options"] if option["to_state"] == "ready")
    assert options["state"] == "in_review" and not ready["allowed"] and ready["reason"]

    refused = assert_problem(api.post(path, reviewer, json={"to_state": "ready"}), 403)
    assert "editors" in refused["detail"]
    not_yet = assert_problem(api.post(path, editor, json={"to_state": "ready"}), 422)
    assert list(not_yet["errors"]) == ["to_state"]
    silent = assert_problem(api.post(path, reviewer, json={"to_state": "dismissed"}), 422)
    assert list(silent["errors"]) == ["comment"]

    acting_as(db_session, editor.user)
    make_ready_to_approve(db_session, claim, editor.user, [reviewer.user, make_user(Role.REVIEWER)])
    moved = api.post(path, editor, json={"to_state": "ready", "from_state": "in_review", "comment": "Good."})
    assert moved.status_code == 201, moved.data
    assert moved.get_json()["claim"]["state"] == "ready" and moved.get_json()["from_state"] == "in_review"
    stale = assert_problem(
        api.post(path, editor, json={"to_state": "in_review", "from_state": "in_review"}), 409
    )
    assert stale["current"]["state"] == "ready"
    publishing = assert_problem(api.post(path, editor, json={"to_state": "published"}), 422)
    assert "Publish page" in publishing["detail"]
    assert stored_claim(db_session, claim).state == ClaimState.READY


def test_pages_walk_every_claim_once_with_the_desks_filters(api, token_for, db_session):
    holder = token_for(Role.EDITOR)
    made = [
        make_claim(
            db_session,
            holder.user,
            ClaimState.NEW if n % 2 else ClaimState.RESEARCHING,
            text=f"Claim {n} about tariffs.",
        )
        for n in range(7)
    ]
    seen: list[int] = []
    url = "/api/v1/claims?limit=3&sort=oldest"
    pages = 0
    while url:
        response = api.client.get(url, headers=holder.headers)
        assert response.status_code == 200
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
        url = body["next"]
        pages += 1
    assert seen == [claim.id for claim in made] and pages == 3

    researching = api.get("/claims?state=researching&limit=50", holder).get_json()["items"]
    assert {item["id"] for item in researching} == {
        claim.id for claim in made if claim.state == ClaimState.RESEARCHING
    }
    found = api.get("/claims?q=tariffs", holder).get_json()["items"]
    assert len(found) == 7
    assert api.get("/claims?tag=unknown-tag", holder).get_json() == {"items": [], "next": None}
    assert assert_problem(api.get("/claims?tag=%C2%85", holder), 422)["errors"] == {"tag": ["Type a tag."]}
    bad = assert_problem(api.get("/claims?after=not-a-cursor", holder), 422)
    assert list(bad["errors"]) == ["after"]
    other_sort = api.get("/claims?limit=3&sort=oldest", holder).get_json()["next"].split("after=")[1]
    assert_problem(api.get(f"/claims?sort=claimant&after={other_sort}", holder), 422)


def test_the_audit_history_names_the_tokens_user_and_the_token(api, token_for, db_session):
    holder = token_for(Role.REVIEWER)
    claim = api.post(
        "/claims",
        holder,
        json={"text": "A said B.", "claimant": "A", "appearance": {"url": "https://example.org/a"}},
        headers={"X-Request-ID": "script-run-42"},
    ).get_json()
    api.patch(f"/claims/{claim['id']}", holder, json={"version": 1, "claimant": "A. Person"})

    changesets = db_session.scalars(
        select(AuditChangeset).where(AuditChangeset.actor_id == holder.user.id).order_by(AuditChangeset.seq)
    ).all()
    assert len(changesets) == 2
    for changeset in changesets:
        assert changeset.origin == "api"
        assert changeset.actor_name == f"{holder.user.name} (API token {holder.prefix})"
        assert changeset.actor_role == "reviewer"
    assert changesets[0].client_request_id == "script-run-42"
    sentences = history_sentences(db_session, db_session.get(Claim, claim["id"]))
    assert all(actor == f"{holder.user.name} (API token {holder.prefix})" for actor, _sentence in sentences)


def test_a_refusal_is_in_the_security_log_under_the_tokens_name(api, token_for, db_session):
    reviewer = token_for(Role.REVIEWER)
    claim = make_claim(db_session, reviewer.user, ClaimState.READY)

    assert_problem(api.patch(f"/claims/{claim.id}", reviewer, json={"version": 1, "text": "New."}), 403)

    event = db_session.scalar(
        select(SecurityEvent).where(
            SecurityEvent.kind == SecurityEventKind.PERMISSION_DENIED,
            SecurityEvent.actor_id == reviewer.user.id,
        )
    )
    assert event is not None and event.path == f"/api/v1/claims/{claim.id}"
    changeset = db_session.scalar(
        select(AuditChangeset)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.table_name == "security_events")
        .order_by(AuditChangeset.seq.desc())
        .limit(1)
    )
    assert changeset.origin == "api" and reviewer.prefix in changeset.actor_name
    assert stored_claim(db_session, claim).text != "New."
