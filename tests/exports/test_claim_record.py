"""One claim's complete record as JSON, from the claim page: the export's columns, its revisions
with their notes, the workflow, assignees and the discussion; the blind-rating rule kept."""

from __future__ import annotations

import json

from factcheck.accounts.models import Role
from factcheck.claims.models import Assignment, ClaimTransition
from factcheck.discussion.models import Comment
from tests.conftest import PASSWORD
from tests.exports.conftest import Desk


def sign_in(client, user) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_the_claim_page_links_the_record_and_it_holds_the_whole_claim(client, db_session, desk: Desk) -> None:
    speech = desk.speech
    speech.transitions.append(
        ClaimTransition(from_state=None, to_state="new", actor=desk.anna, comment="Captured at the briefing.")
    )
    speech.assignments.append(Assignment(user=desk.boris, assigned_by_id=desk.edith.id))
    speech.comments.append(Comment(author=desk.anna, body="The SSC-8 battalions are east of the Urals."))
    db_session.commit()
    sign_in(client, desk.edith)

    page = client.get(f"/claims/{speech.id}").get_data(as_text=True)
    assert f'href="/exports/claims/{speech.id}.json"' in page
    response = client.get(f"/exports/claims/{speech.id}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="claim-{speech.id}.json"'
    record = json.loads(response.get_data(as_text=True))

    assert record["claim_id"] == speech.id
    assert record["claim"] == "Russia's new missiles are already deployed in Europe."
    assert record["source_count"] == 2
    assert [source["title"] for source in record["sources"]] == ["NATO statement", "Interview"]
    assert [(r["revision"], r["kind"], r["note"]) for r in record["revisions"]] == [
        (1, "publication", None),
        (2, "correction", "We corrected the date."),
    ]
    assert record["workflow"][0]["comment"] == "Captured at the briefing."
    assert record["workflow"][0]["by"] == "Anna"
    assert record["assignees"] == ["Boris"]
    assert record["comments"][0]["body"] == "The SSC-8 battalions are east of the Urals."
    assert [r["reviewer"] for r in record["ratings"]] == ["Anna", "Boris"]


def test_a_reviewer_who_has_not_rated_sees_no_ratings_in_the_record(client, make_user, desk: Desk) -> None:
    newcomer = make_user(Role.REVIEWER, name="Carla", email="carla@example.org")
    sign_in(client, newcomer)
    record = json.loads(client.get(f"/exports/claims/{desk.speech.id}.json").get_data(as_text=True))
    assert record["ratings"] is None


def test_an_unknown_claim_is_not_found(client, desk: Desk) -> None:
    sign_in(client, desk.edith)
    assert client.get("/exports/claims/999999.json").status_code == 404
