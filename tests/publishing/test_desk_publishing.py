"""Publishing from the desk: the preview and publish page, the revision form, the claim page's list."""

from __future__ import annotations

import re

import pytest

from factcheck.claims.models import ClaimState
from factcheck.publishing.models import PublicationKind
from factcheck.publishing.operations import publish_revision
from tests.claims.desk import acting_as, hidden_fields, page_text, stored_claim
from tests.conftest import PASSWORD
from tests.publishing.building import NOTE, SLUG, make_team, published_claim, ready_claim, revisions


@pytest.fixture
def team(make_user):
    return make_team(make_user)


def sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def edit_verdict(client, claim, **changes):
    """Change the draft verdict through the verdict page."""
    form = client.get(f"/claims/{claim.id}/verdict")
    values = {
        "label_id": re.search(r'<option selected value="([^"]*)"', form.get_data(as_text=True)).group(1),
        "headline": "Not 480 km",
        "summary": "NATO allies say the range is banned by the treaty.",
        "explanation": "",
        "version": hidden_fields(form)["version"],
        "action": "save",
    }
    values.update(changes)
    response = client.post(f"/claims/{claim.id}/verdict", data=values)
    assert response.status_code == 302, page_text(response)


def revise(client, claim, **data):
    return client.post(f"/claims/{claim.id}/revise", data=data)


# --- publishing a ready claim ---------------------------------------------------------


def test_the_publish_page_previews_what_readers_will_see(client, db_session, team):
    claim = ready_claim(db_session, team)
    sign_in(client, team["ada"])

    response = client.get(f"/claims/{claim.id}/publish")

    assert response.status_code == 200
    text = page_text(response)
    assert "What readers will see" in text
    for shown in (
        "False",
        "Not 480 km",
        "NATO allies say the range is banned",
        claim.text,
        "INF Treaty, Article VII",
    ):
        assert shown in text
    assert "Publish now" in text
    assert hidden_fields(response)["verdict_version"] == "1"
    # Nothing is published by looking.
    assert stored_claim(db_session, claim).state == ClaimState.READY


def test_publishing_from_the_desk(client, db_session, team):
    claim = ready_claim(db_session, team)
    sign_in(client, team["ada"])
    assert f'href="/claims/{claim.id}/publish"' in client.get(f"/claims/{claim.id}").get_data(as_text=True)

    response = client.post(
        f"/claims/{claim.id}/publish", data={"reason": "Checked by the desk.", "verdict_version": "1"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/{claim.id}#publications-heading")
    claim = stored_claim(db_session, claim)
    assert (claim.state, claim.slug) == (ClaimState.PUBLISHED, SLUG)
    [publication] = revisions(db_session, claim)
    assert publication.published_by_id == team["ada"].id
    page = client.get(f"/claims/{claim.id}")
    body = page.get_data(as_text=True)
    # The flash links to the public page.
    assert re.search(rf'Published\. <a href="/checks/{SLUG}">Read it as readers see it</a>', body)
    text = page_text(page)
    assert "Revision 1: Publication" in text
    assert "by Ada Admin" in text
    assert f"/checks/{SLUG}" in text
    assert "Publish a correction, update or retraction" in text
    assert "Unpublished changes" not in text


def test_the_sole_author_is_refused_with_a_clear_message(client, db_session, team):
    claim = ready_claim(db_session, team, author="eve")
    sign_in(client, team["eve"])

    page = client.get(f"/claims/{claim.id}/publish")
    assert "Publish now" not in page_text(page)
    assert "the four-eyes rule" in page_text(page)

    response = client.post(f"/claims/{claim.id}/publish", data={"verdict_version": "1"})

    assert response.status_code == 403
    text = page_text(response)
    assert "You wrote this verdict alone" in text
    assert "ask Ada Admin or Ed Editor" in text
    assert stored_claim(db_session, claim).state == ClaimState.READY
    assert revisions(db_session, claim) == []


def test_the_author_publishes_when_the_four_eyes_rule_is_off(make_app, db_session, team):
    claim = ready_claim(db_session, team, author="eve")
    client = make_app(FOUR_EYES=False).test_client()
    sign_in(client, team["eve"])

    assert "Publish now" in page_text(client.get(f"/claims/{claim.id}/publish"))
    assert client.post(f"/claims/{claim.id}/publish", data={}).status_code == 302
    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED


@pytest.mark.parametrize("state", [ClaimState.IN_REVIEW, ClaimState.PUBLISHED])
def test_only_ready_claims_are_published(client, db_session, team, state):
    claim = (
        published_claim(db_session, team) if state == ClaimState.PUBLISHED else ready_claim(db_session, team)
    )
    if state == ClaimState.IN_REVIEW:
        claim.state = state
        db_session.commit()
    sign_in(client, team["ed"])

    page = client.get(f"/claims/{claim.id}/publish")
    assert page.status_code == 200
    assert "cannot be published now" in page_text(page)
    response = client.post(f"/claims/{claim.id}/publish", data={})

    assert response.status_code == 422
    assert stored_claim(db_session, claim).state == state
    assert len(revisions(db_session, claim)) == (1 if state == ClaimState.PUBLISHED else 0)


def test_a_verdict_changed_since_the_preview_is_shown_again(client, db_session, team):
    claim = ready_claim(db_session, team)
    sign_in(client, team["ada"])

    response = client.post(f"/claims/{claim.id}/publish", data={"verdict_version": "0"})

    assert response.status_code == 409
    assert "The verdict changed since this preview was shown" in page_text(response)
    assert hidden_fields(response)["verdict_version"] == "1"
    assert stored_claim(db_session, claim).state == ClaimState.READY


def test_reviewers_see_the_state_but_cannot_publish(client, db_session, team):
    ready = ready_claim(db_session, team)
    published = published_claim(db_session, team)
    sign_in(client, team["anna"])

    ready_page = client.get(f"/claims/{ready.id}").get_data(as_text=True)
    assert f"/claims/{ready.id}/publish" not in ready_page
    published_page = client.get(f"/claims/{published.id}")
    assert "Revision 1: Publication" in page_text(published_page)
    assert f"/claims/{published.id}/revise" not in published_page.get_data(as_text=True)
    for url in (f"/claims/{ready.id}/publish", f"/claims/{published.id}/revise"):
        assert client.get(url).status_code == 403
    assert client.post(f"/claims/{ready.id}/publish", data={}).status_code == 403
    assert revise(client, published, kind="retraction", note=NOTE).status_code == 403
    assert stored_claim(db_session, ready).state == ClaimState.READY
    assert len(revisions(db_session, published)) == 1


# --- corrections, updates and retractions ----------------------------------------------------


def test_the_revision_page_says_whether_the_draft_differs(client, db_session, team):
    claim = published_claim(db_session, team)
    sign_in(client, team["ed"])

    same = page_text(client.get(f"/claims/{claim.id}/revise"))
    assert "Readers see revision 1 (publication)" in same
    assert "The draft is the same as what readers see" in same
    assert "Unpublished changes" not in page_text(client.get(f"/claims/{claim.id}"))

    edit_verdict(client, claim, headline="Not 480 km, say all NATO allies")

    changed = page_text(client.get(f"/claims/{claim.id}/revise"))
    assert "Unpublished changes: the draft differs from what readers see" in changed
    assert "Not 480 km, say all NATO allies" in changed
    claim_page = page_text(client.get(f"/claims/{claim.id}"))
    assert "Unpublished changes: the draft differs from what readers see (revision 1)" in claim_page


def test_publishing_a_correction_from_the_desk(client, db_session, team):
    claim = published_claim(db_session, team)
    sign_in(client, team["ed"])
    edit_verdict(client, claim, headline="Not 480 km, say all NATO allies")
    form = hidden_fields(client.get(f"/claims/{claim.id}/revise"))

    response = revise(
        client,
        claim,
        kind="correction",
        note=NOTE,
        latest_revision=form["latest_revision"],
        verdict_version=form["verdict_version"],
    )

    assert response.status_code == 302
    first, second = revisions(db_session, claim)
    assert (second.revision, second.kind, second.note) == (2, PublicationKind.CORRECTION, NOTE)
    assert second.headline == "Not 480 km, say all NATO allies"
    assert first.headline == "Not 480 km"
    page = client.get(f"/claims/{claim.id}")
    assert f'Published revision 2: correction. <a href="/checks/{SLUG}">' in page.get_data(as_text=True)
    text = page_text(page)
    assert "Revision 2: Correction" in text
    assert NOTE in text
    assert "by Ed Editor" in text
    assert f'href="/checks/{SLUG}/revisions/2"' in page.get_data(as_text=True)
    assert "Unpublished changes" not in text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"note": NOTE}, "kind", "Choose a correction, an update or a retraction."),
        ({"kind": "publication", "note": NOTE}, "kind", "Choose a correction, an update or a retraction."),
        ({"kind": "update"}, "note", "Write the public note: what changed and why."),
        ({"kind": "update", "note": "Fixed it."}, "note", "The note is too short"),
        ({"kind": "update", "note": "x" * 2001}, "note", "Field cannot be longer than 2000 characters."),
    ],
)
def test_revision_errors_are_shown_next_to_their_field(client, db_session, team, data, field, message):
    claim = published_claim(db_session, team)
    sign_in(client, team["ed"])

    response = revise(client, claim, **data)

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', body, re.S)
    assert error is not None and message in error.group(1)
    if data.get("note"):
        assert (data["note"][:50]) in body
    assert len(revisions(db_session, claim)) == 1


def test_the_four_eyes_rule_on_a_correction_is_a_clear_refusal(client, db_session, team):
    claim = published_claim(db_session, team, author="eve", publisher="ada")
    sign_in(client, team["eve"])
    edit_verdict(client, claim, headline="Eve changed her own verdict")

    response = revise(client, claim, kind="correction", note=NOTE)

    assert response.status_code == 403
    assert "You wrote this verdict alone" in page_text(response)
    assert len(revisions(db_session, claim)) == 1


def test_the_revision_form_warns_a_sole_author_before_they_submit(client, db_session, team):
    claim = published_claim(db_session, team, author="eve", publisher="ada")
    sign_in(client, team["eve"])
    edit_verdict(client, claim, headline="Eve changed her own verdict")

    page = client.get(f"/claims/{claim.id}/revise")

    assert page.status_code == 200
    warning = re.search(
        r'<div[^>]*id="four-eyes-warning"[^>]*>(.*?)</div>', page.get_data(as_text=True), re.S
    )
    assert warning is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", warning.group(1)).split())
    assert text.startswith("You wrote this verdict alone")
    assert "ask Ada" in text
    assert "You may still publish a retraction" in text
    assert "Publish the revision" in page_text(page)


def test_the_revision_form_does_not_warn_another_editor(client, db_session, team):
    claim = published_claim(db_session, team, author="eve", publisher="ada")
    sign_in(client, team["ada"])
    assert 'id="four-eyes-warning"' not in client.get(f"/claims/{claim.id}/revise").get_data(as_text=True)


def test_a_retraction_is_final_on_the_desk(client, db_session, team):
    claim = published_claim(db_session, team)
    sign_in(client, team["ed"])

    assert (
        revise(client, claim, kind="retraction", note="The range data we relied on was wrong.").status_code
        == 302
    )

    page = page_text(client.get(f"/claims/{claim.id}"))
    assert "Revision 2: Retraction" in page
    assert "Retracted: a retraction is final" in page
    assert "Publish a correction, update or retraction" not in page
    again = client.get(f"/claims/{claim.id}/revise")
    assert "a retraction is final" in page_text(again)
    assert "Publish the revision" not in page_text(again)
    refused = revise(client, claim, kind="update", note=NOTE)
    assert refused.status_code == 422
    assert "a retraction is final" in page_text(refused)
    assert len(revisions(db_session, claim)) == 2


def test_a_revision_published_meanwhile_is_shown_first(client, db_session, team):
    claim = published_claim(db_session, team)
    sign_in(client, team["ed"])
    form = hidden_fields(client.get(f"/claims/{claim.id}/revise"))
    acting_as(db_session, team["ada"])
    publish_revision(db_session, stored_claim(db_session, claim), team["ada"], kind="update", note=NOTE)
    db_session.commit()

    response = revise(client, claim, kind="correction", note=NOTE, latest_revision=form["latest_revision"])

    assert response.status_code == 409
    assert "Someone published revision 2 since you opened this page" in page_text(response)
    assert hidden_fields(response)["latest_revision"] == "2"
    assert len(revisions(db_session, claim)) == 2


def test_the_revision_page_of_an_unpublished_claim_has_no_form(client, db_session, team):
    claim = ready_claim(db_session, team)
    sign_in(client, team["ed"])

    page = client.get(f"/claims/{claim.id}/revise")

    assert page.status_code == 200
    assert "Only a published claim gets corrections" in page_text(page)
    assert "Publish the revision" not in page_text(page)
    assert revise(client, claim, kind="update", note=NOTE).status_code == 422


def test_missing_claims_are_not_found(client, team):
    sign_in(client, team["ed"])

    for url in ("/claims/999999/publish", "/claims/999999/revise"):
        assert client.get(url).status_code == 404
        assert client.post(url, data={}).status_code == 404


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app):
    return make_app(WTF_CSRF_ENABLED=True).test_client()


def csrf_sign_in(client, user) -> None:
    token = hidden_fields(client.get("/login"))["csrf_token"]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_publishing_needs_the_form_token(csrf_client, db_session, team):
    claim = ready_claim(db_session, team)
    csrf_sign_in(csrf_client, team["ada"])

    refused = csrf_client.post(f"/claims/{claim.id}/publish", data={"verdict_version": "1"})
    assert refused.status_code == 403
    assert "Submit again" not in refused.get_data(as_text=True)  # publishing: no one-click resubmit
    assert stored_claim(db_session, claim).state == ClaimState.READY

    form = hidden_fields(csrf_client.get(f"/claims/{claim.id}/publish"))
    accepted = csrf_client.post(f"/claims/{claim.id}/publish", data=form)
    assert accepted.status_code == 302
    assert stored_claim(db_session, claim).state == ClaimState.PUBLISHED


def test_a_revision_needs_the_form_token(csrf_client, db_session, team):
    claim = published_claim(db_session, team)
    csrf_sign_in(csrf_client, team["ed"])

    refused = csrf_client.post(f"/claims/{claim.id}/revise", data={"kind": "update", "note": NOTE})
    assert refused.status_code == 403
    assert len(revisions(db_session, claim)) == 1

    form = hidden_fields(csrf_client.get(f"/claims/{claim.id}/revise"))
    accepted = csrf_client.post(f"/claims/{claim.id}/revise", data={**form, "kind": "update", "note": NOTE})
    assert accepted.status_code == 302
    assert len(revisions(db_session, claim)) == 2
