"""Editing a claim: its wording, claimant and dates; its tags; who is assigned to it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from factcheck.accounts.models import Role
from factcheck.claims import editing
from factcheck.claims.models import Assignment, ClaimState, Tag
from factcheck.db import utcnow
from factcheck.security.permissions import PermissionDenied
from tests.claims.desk import (
    acting_as,
    field_value,
    hidden_fields,
    history_sentences,
    make_claim,
    page_text,
    select_options,
    stored_claim,
)


@pytest.fixture
def anna(make_user):
    return make_user(Role.REVIEWER, name="Anna Reviewer")


@pytest.fixture
def claim(db_session, anna):
    return make_claim(db_session, anna)


def edit_form(claim, **changes):
    data = {
        "text": claim.text,
        "claimant": claim.claimant,
        "claimed_on": claim.claimed_on.isoformat() if claim.claimed_on else "",
        "review_by": claim.review_by.isoformat() if claim.review_by else "",
        "version": str(claim.version),
    }
    data.update(changes)
    return data


# --- the edit form -------------------------------------------------------------------


def test_the_form_shows_the_claim_and_its_version(client, login_as, claim):
    login_as(Role.REVIEWER)

    response = client.get(f"/claims/{claim.id}/edit")

    assert response.status_code == 200
    assert field_value(response, "text") == claim.text
    assert field_value(response, "claimant") == claim.claimant
    assert hidden_fields(response)["version"] == str(claim.version)


def test_saving_changes_the_claim_and_records_who(client, login_as, db_session, claim):
    user = login_as(Role.REVIEWER)
    form = edit_form(
        claim,
        text="Russia's 9M729 has a range of under 500 km.",
        claimant="Sergei Shoigu",
        claimed_on="2019-01-23",
        review_by="2019-02-01",
    )

    response = client.post(f"/claims/{claim.id}/edit", data=form)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/{claim.id}")
    saved = stored_claim(db_session, claim)
    assert saved.text == "Russia's 9M729 has a range of under 500 km."
    assert (saved.claimant, saved.claimed_on, saved.review_by) == (
        "Sergei Shoigu",
        date(2019, 1, 23),
        date(2019, 2, 1),
    )
    assert saved.version == 2
    history = history_sentences(db_session, claim)
    assert history[-1][0] == user.name
    assert history[-1][1] == "edited the claim"
    page = page_text(client.get(f"/claims/{claim.id}"))
    assert "“Russia's 9M729 has a range of under 500 km.”" in page
    assert "Sergei Shoigu, 2019-01-23" in page
    assert "Review by 2019-02-01 (overdue)" in page


def test_saving_an_unchanged_form_changes_nothing(client, login_as, db_session, claim):
    login_as(Role.REVIEWER)

    response = client.post(f"/claims/{claim.id}/edit", data=edit_form(claim), follow_redirects=True)

    assert "Nothing to save: the claim is unchanged." in page_text(response)
    assert stored_claim(db_session, claim).version == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"text": "   "}, "text", "Give the claim's wording."),
        ({"text": "x" * 5001}, "text", "Field cannot be longer than 5000 characters."),
        ({"claimant": ""}, "claimant", "Say who made the claim."),
        ({"claimant": "x" * 201}, "claimant", "Field cannot be longer than 200 characters."),
        ({"claimed_on": "23/01/2019"}, "claimed_on", "Not a valid date value."),
        (
            {"claimed_on": (utcnow().date() + timedelta(days=3)).isoformat()},
            "claimed_on",
            "cannot be in the future",
        ),
        ({"text": "a\x00b"}, "text", "not allowed"),
    ],
)
def test_invalid_edits_are_refused_and_keep_the_typing(
    client, login_as, db_session, claim, changes, field, message
):
    login_as(Role.REVIEWER)
    form = edit_form(claim, **{"claimant": "Typed claimant", **changes})

    response = client.post(f"/claims/{claim.id}/edit", data=form)

    assert response.status_code == 422
    assert message in page_text(response)
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    if field != "claimant":
        assert field_value(response, "claimant") == "Typed claimant"
    saved = stored_claim(db_session, claim)
    assert (saved.claimant, saved.version) == ("Russian Ministry of Defence", 1)


@pytest.mark.parametrize("state", (ClaimState.READY, ClaimState.PUBLISHED))
def test_approved_claims_are_for_editors_to_change(client, login_as, db_session, anna, make_user, state):
    claim = make_claim(db_session, anna, state)
    login_as(Role.REVIEWER)

    assert client.get(f"/claims/{claim.id}/edit").status_code == 403
    assert (
        client.post(f"/claims/{claim.id}/edit", data=edit_form(claim, claimant="Changed")).status_code == 403
    )
    assert "/edit" not in client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert stored_claim(db_session, claim).claimant == "Russian Ministry of Defence"

    with pytest.raises(PermissionDenied, match="only editors and admins may change it now"):
        editing.edit_claim(db_session, anna, claim, editing.ClaimValues("x", "y"), based_on=claim.version)

    editor = make_user(Role.EDITOR)
    acting_as(db_session, editor)
    editing.edit_claim(
        db_session, editor, claim, editing.ClaimValues(claim.text, "Changed"), based_on=claim.version
    )
    db_session.commit()
    assert stored_claim(db_session, claim).claimant == "Changed"


def test_the_operation_trims_and_checks_values(db_session, anna, claim):
    acting_as(db_session, anna)

    changed = editing.edit_claim(
        db_session, anna, claim, editing.ClaimValues("  New wording.  ", "  Someone  "), based_on=1
    )

    assert changed
    assert (claim.text, claim.claimant) == ("New wording.", "Someone")
    with pytest.raises(editing.ClaimEditError) as refused:
        editing.edit_claim(
            db_session, anna, claim, editing.ClaimValues("", "Someone"), based_on=claim.version
        )
    assert refused.value.field == "text"


def test_signed_out_visitors_cannot_edit(client, db_session, claim):
    response = client.post(f"/claims/{claim.id}/edit", data=edit_form(claim, text="Hacked"))

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert stored_claim(db_session, claim).text != "Hacked"


def test_an_unknown_claim_is_not_found(client, login_as):
    login_as(Role.EDITOR)

    assert client.get("/claims/999999/edit").status_code == 404


# --- tags ----------------------------------------------------------------------------------


def tag_named(db_session, name):
    return db_session.scalar(select(Tag).where(Tag.name == name))


def test_tags_are_normalised_and_created_once(client, login_as, db_session, claim, anna):
    login_as(Role.REVIEWER)
    other = make_claim(db_session, anna, text="The deadline was set by NATO.")

    response = client.post(f"/claims/{claim.id}/tags", data={"name": "  INF   Treaty "})
    client.post(f"/claims/{other.id}/tags", data={"name": "inf treaty"})
    client.post(f"/claims/{claim.id}/tags", data={"name": "Inf Treaty"})

    assert response.status_code == 302
    assert [t.name for t in stored_claim(db_session, claim).tags] == ["inf treaty"]
    assert [t.name for t in stored_claim(db_session, other).tags] == ["inf treaty"]
    assert db_session.scalar(select(func.count()).select_from(Tag).where(Tag.name.like("inf%"))) == 1
    page = client.get(f"/claims/{claim.id}")
    assert "inf treaty" in page_text(page)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Type a tag."), ("   ", "Type a tag."), ("x" * 81, "Field cannot be longer than 80 characters.")],
)
def test_bad_tags_are_refused(client, login_as, db_session, claim, name, message):
    login_as(Role.REVIEWER)

    response = client.post(f"/claims/{claim.id}/tags", data={"name": name})

    assert response.status_code == 422
    assert message in page_text(response)
    assert stored_claim(db_session, claim).tags == []


def test_the_tag_rules_hold_in_the_operation(db_session, anna, claim):
    assert editing.normalise_tag("  Missile\tRange ") == "missile range"
    for bad in ("", "  ", "y" * 81):
        with pytest.raises(editing.ClaimEditError):
            editing.add_tag(db_session, anna, claim, bad)
    # 80 characters after collapsing spaces is fine.
    acting_as(db_session, anna)
    tag = editing.add_tag(db_session, anna, claim, "z" * 40 + "    " + "z" * 39)
    assert len(tag.name) == 80


def test_removing_a_tag_keeps_it_for_other_claims(client, login_as, db_session, claim, anna):
    login_as(Role.REVIEWER)
    other = make_claim(db_session, anna, text="Another claim.")
    client.post(f"/claims/{claim.id}/tags", data={"name": "missiles"})
    client.post(f"/claims/{other.id}/tags", data={"name": "missiles"})
    tag = tag_named(db_session, "missiles")

    response = client.post(f"/claims/{claim.id}/tags/{tag.id}/remove")
    again = client.post(f"/claims/{claim.id}/tags/{tag.id}/remove", follow_redirects=True)

    assert response.status_code == 302
    assert "The claim was not tagged “missiles”." in page_text(again)
    assert stored_claim(db_session, claim).tags == []
    assert [t.name for t in stored_claim(db_session, other).tags] == ["missiles"]
    assert client.post(f"/claims/{claim.id}/tags/999999/remove").status_code == 404


def test_tagging_is_in_the_history(client, login_as, db_session, claim):
    user = login_as(Role.REVIEWER)

    client.post(f"/claims/{claim.id}/tags", data={"name": "nato"})

    assert (user.name, "tagged the claim “nato”") in history_sentences(db_session, claim)


# --- assignments -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", (Role.EDITOR, Role.ADMIN))
def test_editors_assign_and_unassign(client, login_as, db_session, claim, make_user, role):
    boss = login_as(role)
    ben = make_user(Role.REVIEWER, name="Ben Reviewer")

    response = client.post(f"/claims/{claim.id}/assignees", data={"user_id": str(ben.id)})

    assert response.status_code == 302
    [assignment] = stored_claim(db_session, claim).assignments
    assert (assignment.user_id, assignment.assigned_by_id) == (ben.id, boss.id)
    # Assigned people are no longer offered.
    assert str(ben.id) not in select_options(client.get(f"/claims/{claim.id}"), "assign-user")

    response = client.post(f"/claims/{claim.id}/assignees/{ben.id}/remove")
    assert response.status_code == 302
    assert stored_claim(db_session, claim).assignments == []


def test_reviewers_see_assignees_but_cannot_change_them(client, login_as, db_session, claim, make_user, anna):
    ben = make_user(Role.REVIEWER, name="Ben Reviewer")
    editor = make_user(Role.EDITOR)
    acting_as(db_session, editor)
    editing.assign(db_session, editor, claim, ben.id)
    db_session.commit()
    login_as(Role.REVIEWER)

    body = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Ben Reviewer" in page_text(client.get(f"/claims/{claim.id}"))
    assert "/assignees" not in body

    assert client.post(f"/claims/{claim.id}/assignees", data={"user_id": str(anna.id)}).status_code == 403
    assert client.post(f"/claims/{claim.id}/assignees/{ben.id}/remove").status_code == 403
    assert [a.user_id for a in stored_claim(db_session, claim).assignments] == [ben.id]
    with pytest.raises(PermissionDenied):
        editing.assign(db_session, anna, claim, anna.id)
    with pytest.raises(PermissionDenied):
        editing.unassign(db_session, anna, claim, ben.id)


def test_only_active_people_are_assigned(client, login_as, db_session, claim, make_user):
    login_as(Role.EDITOR)
    gone = make_user(Role.REVIEWER, name="Gone Reviewer", disabled=True)
    ben = make_user(Role.REVIEWER, name="Ben Reviewer")

    offered = select_options(client.get(f"/claims/{claim.id}"), "assign-user")
    assert str(ben.id) in offered
    assert str(gone.id) not in offered

    refused = client.post(f"/claims/{claim.id}/assignees", data={"user_id": str(gone.id)})
    assert refused.status_code == 422
    assert "Gone Reviewer's account is disabled" in page_text(refused)
    missing = client.post(f"/claims/{claim.id}/assignees", data={"user_id": "999999"})
    assert missing.status_code == 422
    assert "Choose a person to assign." in page_text(missing)
    assert stored_claim(db_session, claim).assignments == []


def test_assigning_twice_is_refused(client, login_as, db_session, claim, make_user):
    login_as(Role.EDITOR)
    ben = make_user(Role.REVIEWER, name="Ben Reviewer")

    client.post(f"/claims/{claim.id}/assignees", data={"user_id": str(ben.id)})
    again = client.post(f"/claims/{claim.id}/assignees", data={"user_id": str(ben.id)})

    assert again.status_code == 422
    assert "Ben Reviewer is already assigned." in page_text(again)
    count = select(func.count()).select_from(Assignment).where(Assignment.claim_id == claim.id)
    assert db_session.scalar(count) == 1


def test_assignments_are_in_the_history(client, login_as, db_session, claim, make_user):
    editor = login_as(Role.EDITOR)
    ben = make_user(Role.REVIEWER)

    client.post(f"/claims/{claim.id}/assignees", data={"user_id": str(ben.id)})
    client.post(f"/claims/{claim.id}/assignees/{ben.id}/remove")

    history = history_sentences(db_session, claim)
    assert (editor.name, f"assigned {ben.name}") in history
    assert (editor.name, f"unassigned {ben.name}") in history


# --- review-by --------------------------------------------------------------------------------


def test_a_review_by_date_in_the_future_is_not_overdue(client, login_as, db_session, claim):
    login_as(Role.REVIEWER)
    later = (utcnow().date() + timedelta(days=7)).isoformat()

    client.post(f"/claims/{claim.id}/edit", data=edit_form(claim, review_by=later))

    page = page_text(client.get(f"/claims/{claim.id}"))
    assert f"Review by {later}" in page
    assert "overdue" not in page
