"""Blind ratings: one per person and claim, revisable, and hidden from reviewers until they rate."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from factcheck.accounts.models import Role
from factcheck.ratings import operations
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.security.permissions import PermissionDenied
from tests.sources.desk import ROLES, changes_to, label, text_of

SECRET_REASONING = "Russia's own figure; the US says it flew over 500 km in tests."


def ratings_of(db_session, claim) -> list[Rating]:
    db_session.expire_all()
    return list(db_session.scalars(select(Rating).where(Rating.claim_id == claim.id).order_by(Rating.id)))


@pytest.fixture
def rated(db_session, claim, make_user):
    """The claim with one rating by another reviewer."""
    other = make_user(Role.REVIEWER, name="Olga Other")
    db_session.add(
        Rating(
            claim=claim,
            reviewer_id=other.id,
            label=label(db_session, "misleading"),
            reasoning=SECRET_REASONING,
        )
    )
    db_session.commit()
    return claim


def test_a_reviewer_rates_a_claim(db_session, claim, sign_in):
    browser, reviewer = sign_in(Role.REVIEWER)
    false = label(db_session, "false")
    response = browser.post(
        f"/claims/{claim.id}/rating", data={"label": str(false.id), "reasoning": "The tests showed more."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/{claim.id}#ratings-heading")
    [rating] = ratings_of(db_session, claim)
    assert (rating.reviewer_id, rating.label_id, rating.reasoning) == (
        reviewer.id,
        false.id,
        "The tests showed more.",
    )
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert "Your rating: False" in page and "Revise" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"label": "", "reasoning": "Because."}, "Choose a label from the rating scale."),
        ({"label": "999999", "reasoning": "Because."}, "Not a valid choice."),
        ({"label": "@label", "reasoning": "   "}, "Say briefly why you rate the claim this way."),
    ],
)
def test_a_rating_needs_a_label_of_the_scale_and_a_reasoning(db_session, claim, sign_in, data, message):
    browser, _ = sign_in(Role.REVIEWER)
    if data["label"] == "@label":
        data = {**data, "label": str(label(db_session, "false").id)}
    response = browser.post(f"/claims/{claim.id}/rating", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert ratings_of(db_session, claim) == []


def test_the_form_offers_the_active_scale_in_its_order(db_session, claim, sign_in):
    retired = label(db_session, "satire")
    retired.is_active = False
    first = label(db_session, "true")
    first.position = -1
    db_session.commit()
    browser, _ = sign_in(Role.REVIEWER)
    html = text_of(browser.get(f"/claims/{claim.id}/rating"))
    active = db_session.scalars(
        select(RatingLabel)
        .where(RatingLabel.is_active.is_(True))
        .order_by(RatingLabel.position, RatingLabel.id)
    ).all()
    offered = [html.index(f'<option value="{item.id}">') for item in active]
    assert offered == sorted(offered)
    assert active[0].key == "true"
    assert f'value="{retired.id}"' not in html
    # A retired label cannot be chosen for a new rating, even by a hand-made request.
    response = browser.post(f"/claims/{claim.id}/rating", data={"label": str(retired.id), "reasoning": "x"})
    assert response.status_code == 422


def test_a_revision_replaces_the_rating_and_is_in_the_history(db_session, claim, sign_in):
    browser, _ = sign_in(Role.REVIEWER, name="Rita Reviewer")
    browser.post(
        f"/claims/{claim.id}/rating",
        data={"label": str(label(db_session, "mostly-false").id), "reasoning": "First look."},
    )
    form = text_of(browser.get(f"/claims/{claim.id}/rating"))
    assert "Revise your rating" in form and "First look." in form

    response = browser.post(
        f"/claims/{claim.id}/rating",
        data={
            "label": str(label(db_session, "false").id),
            "reasoning": "After reading the State Department report.",
        },
    )

    assert response.status_code == 302
    [rating] = ratings_of(db_session, claim)  # still one rating
    assert rating.label.key == "false"
    [insert] = changes_to(db_session, "ratings", "INSERT")
    [update] = changes_to(db_session, "ratings", "UPDATE")
    labels = {"mostly-false": label(db_session, "mostly-false").id, "false": label(db_session, "false").id}
    assert update.changes["label_id"] == [labels["mostly-false"], labels["false"]]
    assert update.changes["reasoning"] == ["First look.", "After reading the State Department report."]
    assert insert.claim_id == update.claim_id == claim.id
    history = text_of(browser.get(f"/claims/{claim.id}/history"))
    assert "Rita Reviewer" in history
    # The reasoning is shown as a word-level diff.
    assert "edited the rating" in history
    assert '<span class="old">Mostly false</span> → <span class="new">False</span>' in history
    assert "<del>First</del>" in history and "State Department" in history


def test_one_rating_per_person_and_claim_is_a_database_rule(db_session, claim, make_user):
    reviewer = make_user(Role.REVIEWER)
    false = label(db_session, "false")
    db_session.add(Rating(claim=claim, reviewer_id=reviewer.id, label=false, reasoning="One."))
    db_session.commit()
    db_session.add(Rating(claim=claim, reviewer_id=reviewer.id, label=false, reasoning="Two."))
    with pytest.raises(IntegrityError):
        db_session.commit()
    db_session.rollback()


@pytest.mark.parametrize("role", ROLES)
def test_everyone_on_the_desk_may_rate_through_the_operation(db_session, claim, make_user, role):
    person = make_user(role)
    rating = operations.rate(
        db_session, person, claim, label_id=label(db_session, "true").id, reasoning="Yes."
    )
    again = operations.rate(
        db_session, person, claim, label_id=label(db_session, "false").id, reasoning="No."
    )
    db_session.commit()
    assert rating is again and len(ratings_of(db_session, claim)) == 1


def test_people_off_the_desk_cannot_rate(db_session, claim, make_user):
    true = label(db_session, "true").id
    with pytest.raises(PermissionDenied):
        operations.rate(db_session, AnonymousUserMixin(), claim, label_id=true, reasoning="x")
    with pytest.raises(PermissionDenied):
        operations.rate(
            db_session, make_user(Role.REVIEWER, disabled=True), claim, label_id=true, reasoning="x"
        )


# --- blind rating -----------------------------------------------------------------


def test_a_reviewer_sees_the_others_ratings_only_after_rating(db_session, rated, sign_in):
    browser, _ = sign_in(Role.REVIEWER)
    before = text_of(browser.get(f"/claims/{rated.id}"))
    assert SECRET_REASONING.replace("'", "&#39;") not in before and "Olga Other" not in before
    assert "<strong>Misleading</strong>" not in before
    assert "1 person has rated this claim" in before
    assert "Ratings are blind" in before
    assert f'action="/claims/{rated.id}/rating"' in before  # the form to rate
    history = text_of(browser.get(f"/claims/{rated.id}/history"))
    assert "hidden until you submit your own" in history and "Misleading" not in history

    browser.post(
        f"/claims/{rated.id}/rating", data={"label": str(label(db_session, "false").id), "reasoning": "Mine."}
    )

    after = text_of(browser.get(f"/claims/{rated.id}"))
    assert "Olga Other" in after and "<strong>Misleading</strong>" in after
    assert SECRET_REASONING.replace("'", "&#39;") in after
    assert "Your rating: False" in after
    assert "Ratings are blind" not in after


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_editors_and_admins_see_every_rating_without_rating(db_session, rated, sign_in, role):
    browser, _ = sign_in(role)
    page = text_of(browser.get(f"/claims/{rated.id}"))
    assert "Olga Other" in page and "<strong>Misleading</strong>" in page
    assert SECRET_REASONING.replace("'", "&#39;") in page
    # They may still rate themselves.
    assert f'action="/claims/{rated.id}/rating"' in page


def test_the_rating_page_does_not_reveal_the_others(db_session, rated, sign_in):
    browser, _ = sign_in(Role.REVIEWER)
    page = text_of(browser.get(f"/claims/{rated.id}/rating"))
    assert "Olga Other" not in page and SECRET_REASONING.replace("'", "&#39;") not in page


def test_no_ratings_yet(db_session, claim, sign_in):
    browser, _ = sign_in(Role.EDITOR)
    assert "No ratings yet." in text_of(browser.get(f"/claims/{claim.id}"))
