"""The workflow of a claim: every rule, for every role, through the operation and through the claim page."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.audit.changesets import set_reason
from factcheck.claims.models import ClaimState, ClaimTransition
from factcheck.claims.workflow import (
    MOVES,
    PUBLISH_ELSEWHERE,
    WorkflowError,
    allowed_transitions,
    transition,
)
from factcheck.security.permissions import PermissionDenied
from tests.claims.desk import (
    acting_as,
    add_rating,
    add_source,
    add_verdict,
    field_value,
    history_sentences,
    label,
    make_claim,
    make_ready_to_approve,
    page_text,
    stored_claim,
)

NEW = ClaimState.NEW
RESEARCHING = ClaimState.RESEARCHING
IN_REVIEW = ClaimState.IN_REVIEW
READY = ClaimState.READY
PUBLISHED = ClaimState.PUBLISHED
DISMISSED = ClaimState.DISMISSED

ROLES = (Role.REVIEWER, Role.EDITOR, Role.ADMIN)

# Every (from, to) pair the workflow allows, and whether reviewers may take it.
# Moves into and out of ready are the editors'; publishing is offered here but taken on its own page.
MOVES_ANYONE = [
    (NEW, RESEARCHING),
    (RESEARCHING, IN_REVIEW),
    (RESEARCHING, NEW),
    (IN_REVIEW, RESEARCHING),
    (NEW, DISMISSED),
    (RESEARCHING, DISMISSED),
    (IN_REVIEW, DISMISSED),
]
MOVES_EDITORS = [(IN_REVIEW, READY), (READY, IN_REVIEW)]
# Everything else is refused for everyone here.
NOT_MOVES = [
    (start, end)
    for start in ClaimState
    for end in ClaimState
    if start != end
    and (start, end) not in MOVES_ANYONE + MOVES_EDITORS
    and start != DISMISSED  # restoring is tested on its own below
]


@pytest.fixture
def team(make_user):
    """The people of a small desk."""
    return {
        "anna": make_user(Role.REVIEWER, name="Anna Reviewer"),
        "ben": make_user(Role.REVIEWER, name="Ben Reviewer"),
        "eve": make_user(Role.EDITOR, name="Eve Editor"),
        "ada": make_user(Role.ADMIN, name="Ada Admin"),
    }


def actor_of(team, role: Role):
    return {Role.REVIEWER: team["anna"], Role.EDITOR: team["eve"], Role.ADMIN: team["ada"]}[role]


def claim_in(db_session, team, state: ClaimState, *, complete: bool = True):
    """A claim in ``state``; ``complete`` gives it what moving to ready needs."""
    claim = make_claim(db_session, team["anna"], state)
    if complete:
        make_ready_to_approve(db_session, claim, team["eve"], [team["anna"], team["ben"]])
    return claim


def comment_for(end: ClaimState) -> str | None:
    return "Not a factual statement." if end == DISMISSED else None


# --- the operation ---------------------------------------------------------------


def test_moves_cover_the_product_rules():
    pairs = {(move.start, move.end) for move in MOVES}
    assert set(MOVES_ANYONE + MOVES_EDITORS) | {(READY, PUBLISHED)} <= pairs
    restores = {(DISMISSED, NEW), (DISMISSED, RESEARCHING), (DISMISSED, IN_REVIEW)}
    assert pairs == set(MOVES_ANYONE + MOVES_EDITORS) | {(READY, PUBLISHED)} | restores


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("start", "end"), MOVES_ANYONE)
def test_everyone_on_the_desk_takes_the_ordinary_moves(db_session, team, role, start, end):
    claim = claim_in(db_session, team, start)
    actor = actor_of(team, role)
    acting_as(db_session, actor)

    step = transition(db_session, claim, actor, end, comment_for(end), min_ratings=2)
    db_session.commit()

    claim = stored_claim(db_session, claim)
    assert claim.state == end
    assert (step.from_state, step.to_state, step.actor_id) == (start, end, actor.id)
    assert step.created_at is not None


@pytest.mark.parametrize(("start", "end"), MOVES_EDITORS)
def test_reviewers_may_not_move_a_claim_to_or_from_ready(db_session, team, start, end):
    claim = claim_in(db_session, team, start)

    with pytest.raises(WorkflowError) as refused:
        transition(db_session, claim, team["anna"], end, min_ratings=2)

    assert refused.value.forbidden
    assert "only editors and admins" in str(refused.value)
    assert stored_claim(db_session, claim).state == start


@pytest.mark.parametrize("role", (Role.EDITOR, Role.ADMIN))
@pytest.mark.parametrize(("start", "end"), MOVES_EDITORS)
def test_editors_and_admins_move_a_claim_to_and_from_ready(db_session, team, role, start, end):
    claim = claim_in(db_session, team, start)
    actor = actor_of(team, role)
    acting_as(db_session, actor)

    transition(db_session, claim, actor, end, min_ratings=2)
    db_session.commit()

    assert stored_claim(db_session, claim).state == end


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("start", "end"), NOT_MOVES)
def test_every_other_move_is_refused(db_session, team, role, start, end):
    claim = claim_in(db_session, team, start)

    with pytest.raises(WorkflowError):
        transition(db_session, claim, actor_of(team, role), end, "A reason.", min_ratings=2)

    assert stored_claim(db_session, claim).state == start
    assert len(claim.transitions) == (1 if start == NEW else 2)


def test_skipping_a_step_names_both_states(db_session, team):
    claim = claim_in(db_session, team, NEW)

    with pytest.raises(WorkflowError, match="a claim cannot move from New to In review"):
        transition(db_session, claim, team["eve"], IN_REVIEW, min_ratings=2)


@pytest.mark.parametrize("role", ROLES)
def test_publishing_is_offered_but_never_taken_here(db_session, team, role):
    claim = claim_in(db_session, team, READY)

    with pytest.raises(WorkflowError, match="a claim is published from its Publish page"):
        transition(db_session, claim, actor_of(team, role), PUBLISHED, min_ratings=2)
    assert stored_claim(db_session, claim).state == READY
    assert (
        PUBLISH_ELSEWHERE
        == "a claim is published from its Publish page, which shows first what readers will see"
    )


def publish_option(claim, actor, **rules):
    [option] = [
        o for o in allowed_transitions(claim, actor, min_ratings=2, **rules) if o.to_state == PUBLISHED
    ]
    return option


def test_the_publish_move_points_to_the_publishing_page(db_session, team):
    claim = claim_in(db_session, team, READY)  # the verdict is Eve's alone

    admin = publish_option(claim, team["ada"])
    assert (admin.ok, admin.taken_by, admin.label) == (True, "publishing.publish", "Publish")

    reviewer = publish_option(claim, team["anna"])
    assert (reviewer.ok, reviewer.forbidden) == (False, True)
    assert reviewer.blocked_by == ("only editors and admins can publish",)

    author = publish_option(claim, team["eve"])
    assert (author.ok, author.forbidden) == (False, False)
    assert "four-eyes rule" in (author.reason or "")
    assert publish_option(claim, team["eve"], four_eyes=False).ok


def test_the_publish_move_needs_a_verdict_with_a_label_and_headline(db_session, team):
    claim = claim_in(db_session, team, READY)
    verdict = claim.verdict
    verdict.headline = ""
    verdict.label_id = None
    set_reason(db_session, "Taking the rating back.")
    db_session.commit()

    assert publish_option(claim, team["ada"]).blocked_by == (
        "the verdict needs a label",
        "the verdict needs a headline",
    )


def test_a_published_claim_has_no_moves(db_session, team):
    claim = claim_in(db_session, team, PUBLISHED)

    assert allowed_transitions(claim, team["ada"], min_ratings=2) == []
    for end in (READY, IN_REVIEW, DISMISSED):
        with pytest.raises(WorkflowError):
            transition(db_session, claim, team["ada"], end, "Reason.", min_ratings=2)


def test_moving_to_the_current_state_is_refused(db_session, team):
    claim = claim_in(db_session, team, RESEARCHING)

    with pytest.raises(WorkflowError, match="already Researching"):
        transition(db_session, claim, team["anna"], RESEARCHING, min_ratings=2)


def test_an_unknown_state_is_refused(db_session, team):
    claim = claim_in(db_session, team, NEW)

    with pytest.raises(WorkflowError, match="no state called"):
        transition(db_session, claim, team["anna"], "approved", min_ratings=2)


# --- what ready needs --------------------------------------------------------------


def test_ready_needs_a_source_ratings_and_a_verdict_all_named(db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW, complete=False)
    add_rating(db_session, claim, team["anna"])

    ready = next(o for o in allowed_transitions(claim, team["eve"], min_ratings=2) if o.to_state == READY)

    assert ready.to_state == READY
    assert not ready.ok and not ready.forbidden
    assert ready.blocked_by == (
        "needs at least one source",
        "needs 2 ratings, has 1",
        "needs a verdict with a label and a headline",
    )
    with pytest.raises(WorkflowError) as refused:
        transition(db_session, claim, team["eve"], READY, min_ratings=2)
    assert str(refused.value) == (
        "needs at least one source; needs 2 ratings, has 1; needs a verdict with a label and a headline"
    )
    assert not refused.value.forbidden
    assert stored_claim(db_session, claim).state == IN_REVIEW


def test_ready_counts_the_configured_number_of_ratings(db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW)  # two ratings

    def blockers(min_ratings: int) -> tuple[str, ...]:
        return next(
            o for o in allowed_transitions(claim, team["eve"], min_ratings=min_ratings) if o.to_state == READY
        ).blocked_by

    assert blockers(2) == ()
    assert blockers(1) == ()
    assert blockers(3) == ("needs 3 ratings, has 2",)
    with pytest.raises(WorkflowError, match="needs 3 ratings, has 2"):
        transition(db_session, claim, team["eve"], READY, min_ratings=3)


def test_a_verdict_without_a_label_or_headline_is_not_enough(db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW, complete=False)
    add_source(db_session, claim, team["anna"])
    add_rating(db_session, claim, team["anna"])
    add_rating(db_session, claim, team["ben"])
    verdict = add_verdict(db_session, claim, team["eve"], key=None)

    with pytest.raises(WorkflowError, match=r"^the verdict needs a label$"):
        transition(db_session, claim, team["eve"], READY, min_ratings=2)

    verdict.label_id = label(db_session, "true").id
    verdict.headline = "   "
    db_session.commit()
    with pytest.raises(WorkflowError, match=r"^the verdict needs a headline$"):
        transition(db_session, claim, team["eve"], READY, min_ratings=2)


def test_a_reviewer_sees_both_the_role_and_what_is_missing(db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW, complete=False)

    ready = next(o for o in allowed_transitions(claim, team["anna"], min_ratings=2) if o.to_state == READY)

    assert ready.forbidden
    assert ready.blocked_by[0] == "only editors and admins can move a claim to Ready"
    assert "needs 2 ratings, has 0" in ready.blocked_by


def test_without_a_number_the_app_config_decides(make_app, db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW)  # two ratings
    app = make_app(MIN_RATINGS=3)

    with app.app_context(), pytest.raises(WorkflowError, match="needs 3 ratings, has 2"):
        transition(db_session, claim, team["eve"], READY)
    # Outside an app, the default of two.
    acting_as(db_session, team["eve"])
    transition(db_session, claim, team["eve"], READY)
    db_session.commit()
    assert stored_claim(db_session, claim).state == READY


# --- dismissing ---------------------------------------------------------------------


@pytest.mark.parametrize("start", (NEW, RESEARCHING, IN_REVIEW))
def test_dismissing_needs_a_reason_and_keeps_it(db_session, team, start):
    claim = claim_in(db_session, team, start)
    anna = team["anna"]

    for empty in (None, "", "   "):
        with pytest.raises(WorkflowError, match="give a reason"):
            transition(db_session, claim, anna, DISMISSED, empty, min_ratings=2)
    acting_as(db_session, anna)
    step = transition(db_session, claim, anna, DISMISSED, "  An opinion, not a fact.  ", min_ratings=2)
    db_session.commit()

    claim = stored_claim(db_session, claim)
    assert claim.state == DISMISSED
    assert claim.dismissed_reason == "An opinion, not a fact."
    assert step.comment == "An opinion, not a fact."


@pytest.mark.parametrize("previous", (NEW, RESEARCHING, IN_REVIEW))
@pytest.mark.parametrize("role", ROLES)
def test_a_dismissed_claim_goes_back_where_it_came_from(db_session, team, previous, role):
    claim = make_claim(db_session, team["anna"], previous)
    actor = actor_of(team, role)
    acting_as(db_session, actor)
    transition(db_session, claim, actor, DISMISSED, "Duplicate of another claim.", min_ratings=2)
    db_session.commit()

    [restore] = allowed_transitions(claim, actor, min_ratings=2)
    assert (restore.to_state, restore.ok) == (previous, True)
    for other in {NEW, RESEARCHING, IN_REVIEW, READY} - {previous}:
        with pytest.raises(WorkflowError):
            transition(db_session, claim, actor, other, min_ratings=2)

    transition(db_session, claim, actor, previous, "Not a duplicate after all.", min_ratings=2)
    db_session.commit()
    claim = stored_claim(db_session, claim)
    assert claim.state == previous
    assert claim.dismissed_reason is None
    # The reason stays in the record of the dismissal.
    assert [s.comment for s in claim.transitions if s.to_state == DISMISSED] == [
        "Duplicate of another claim."
    ]


def test_restore_uses_the_last_dismissal(db_session, team):
    anna = team["anna"]
    claim = make_claim(db_session, anna, NEW)
    acting_as(db_session, anna)
    for end, comment in (
        (DISMISSED, "Not check-worthy."),
        (NEW, "It is."),
        (RESEARCHING, None),
        (DISMISSED, "Retracted by the claimant."),
    ):
        transition(db_session, claim, anna, end, comment, min_ratings=2)

    with pytest.raises(WorkflowError, match=r"dismissed from \(Researching\)"):
        transition(db_session, claim, anna, NEW, min_ratings=2)
    transition(db_session, claim, anna, RESEARCHING, min_ratings=2)
    assert claim.state == RESEARCHING


@pytest.mark.parametrize("start", (READY, PUBLISHED))
def test_ready_and_published_claims_cannot_be_dismissed(db_session, team, start):
    claim = claim_in(db_session, team, start)

    assert DISMISSED not in {o.to_state for o in allowed_transitions(claim, team["ada"], min_ratings=2)}
    with pytest.raises(WorkflowError):
        transition(db_session, claim, team["ada"], DISMISSED, "Not worth it.", min_ratings=2)


def test_an_overlong_comment_is_refused(db_session, team):
    claim = claim_in(db_session, team, NEW)

    with pytest.raises(WorkflowError, match="longer than 2000"):
        transition(db_session, claim, team["anna"], RESEARCHING, "x" * 2001, min_ratings=2)


# --- who may act ----------------------------------------------------------------------


def test_signed_out_or_disabled_people_cannot_move_claims(db_session, team, make_user):
    claim = claim_in(db_session, team, NEW)
    disabled = make_user(Role.EDITOR, disabled=True)

    for actor in (AnonymousUserMixin(), disabled, None):
        assert allowed_transitions(claim, actor, min_ratings=2) == []
        with pytest.raises(PermissionDenied):
            transition(db_session, claim, actor, RESEARCHING, min_ratings=2)
    assert stored_claim(db_session, claim).state == NEW


def test_what_each_role_is_offered(db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW)

    def offered(role: Role) -> list[tuple[ClaimState, bool]]:
        return [(o.to_state, o.ok) for o in allowed_transitions(claim, actor_of(team, role), min_ratings=2)]

    assert offered(Role.REVIEWER) == [(READY, False), (RESEARCHING, True), (DISMISSED, True)]
    assert offered(Role.EDITOR) == [(READY, True), (RESEARCHING, True), (DISMISSED, True)]
    assert offered(Role.ADMIN) == offered(Role.EDITOR)


def test_a_move_chosen_on_a_stale_page_is_refused(db_session, team):
    claim = claim_in(db_session, team, RESEARCHING)

    with pytest.raises(WorkflowError, match="moved the claim to Researching meanwhile"):
        transition(db_session, claim, team["anna"], NEW, min_ratings=2, expected_state=NEW)
    assert stored_claim(db_session, claim).state == RESEARCHING


# --- the record -------------------------------------------------------------------------


def test_each_move_is_recorded_with_actor_time_comment_and_in_the_history(db_session, team):
    anna, eve = team["anna"], team["eve"]
    claim = claim_in(db_session, team, NEW)
    acting_as(db_session, anna)
    transition(db_session, claim, anna, RESEARCHING, "Looking for the range figures.", min_ratings=2)
    db_session.commit()
    transition(db_session, claim, anna, IN_REVIEW, min_ratings=2)
    db_session.commit()
    acting_as(db_session, eve)
    transition(db_session, claim, eve, READY, "Verdict approved.", min_ratings=2)
    db_session.commit()

    steps = db_session.scalars(
        select(ClaimTransition).where(ClaimTransition.claim_id == claim.id).order_by(ClaimTransition.id)
    ).all()
    assert [(s.from_state, s.to_state, s.actor_id, s.comment) for s in steps] == [
        (None, NEW, anna.id, None),
        (NEW, RESEARCHING, anna.id, "Looking for the range figures."),
        (RESEARCHING, IN_REVIEW, anna.id, None),
        (IN_REVIEW, READY, eve.id, "Verdict approved."),
    ]
    assert steps[1].created_at <= steps[2].created_at <= steps[3].created_at
    history = history_sentences(db_session, claim)
    assert (
        "Anna Reviewer",
        "moved the claim from New to Researching: “Looking for the range figures.”",
    ) in history
    assert ("Anna Reviewer", "moved the claim from Researching to In review") in history
    assert ("Eve Editor", "moved the claim from In review to Ready: “Verdict approved.”") in history


# --- through the claim page ----------------------------------------------------------------


def post_move(client, claim, to_state, comment=None, **extra):
    data = {"to_state": to_state.value, **extra}
    if comment is not None:
        data["comment"] = comment
    return client.post(f"/claims/{claim.id}/transition", data=data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("start", "end"), MOVES_ANYONE + MOVES_EDITORS)
def test_moves_through_the_page(client, login_as, db_session, team, role, start, end):
    claim = claim_in(db_session, team, start)
    user = login_as(role)

    response = post_move(client, claim, end, comment_for(end), from_state=start.value)

    claim = stored_claim(db_session, claim)
    if role == Role.REVIEWER and (start, end) in MOVES_EDITORS:
        assert response.status_code == 403
        assert "Only editors and admins can move a claim" in page_text(response)
        assert claim.state == start
        return
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/{claim.id}")
    assert claim.state == end
    assert (claim.transitions[-1].actor_id, claim.transitions[-1].comment) == (user.id, comment_for(end))
    assert history_sentences(db_session, claim)[-1][0] == user.name


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (NEW, IN_REVIEW, "A claim cannot move from New to In review."),
        (NEW, READY, "A claim cannot move from New to Ready."),
        (RESEARCHING, READY, "A claim cannot move from Researching to Ready."),
        (
            READY,
            PUBLISHED,
            "A claim is published from its Publish page, which shows first what readers will see.",
        ),
        (READY, DISMISSED, "A claim cannot move from Ready to Dismissed."),
        (PUBLISHED, READY, "A claim cannot move from Published to Ready."),
    ],
)
def test_refused_moves_through_the_page(client, login_as, db_session, team, role, start, end, message):
    claim = claim_in(db_session, team, start)
    login_as(role)

    response = post_move(client, claim, end, "Because.")

    assert response.status_code == 422
    assert message in page_text(response)
    claim = stored_claim(db_session, claim)
    assert claim.state == start
    assert len(claim.transitions) == (1 if start == NEW else 2)


@pytest.mark.parametrize("role", ROLES)
def test_restoring_a_dismissed_claim_through_the_page(client, login_as, db_session, team, role):
    claim = make_claim(db_session, team["anna"], DISMISSED, previous=IN_REVIEW)
    user = login_as(role)

    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert 'name="to_state" value="in_review"' in page
    assert 'name="to_state" value="new"' not in page

    assert post_move(client, claim, NEW).status_code == 422
    response = post_move(client, claim, IN_REVIEW, "Worth checking after all.")

    assert response.status_code == 302
    claim = stored_claim(db_session, claim)
    assert (claim.state, claim.dismissed_reason) == (IN_REVIEW, None)
    assert (claim.transitions[-1].actor_id, claim.transitions[-1].comment) == (
        user.id,
        "Worth checking after all.",
    )


def test_the_page_names_what_blocks_ready(client, login_as, db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW, complete=False)
    add_rating(db_session, claim, team["ben"])
    login_as(Role.EDITOR)

    page = page_text(client.get(f"/claims/{claim.id}"))
    assert "Mark ready Needs at least one source; needs 2 ratings, has 1; needs a verdict" in page

    response = post_move(client, claim, READY)
    assert response.status_code == 422
    assert (
        "Needs at least one source; needs 2 ratings, has 1; needs a verdict with a label and a headline."
        in page_text(response)
    )
    assert stored_claim(db_session, claim).state == IN_REVIEW


def test_the_page_uses_the_configured_minimum(make_app, make_user, db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW)  # two ratings
    client = make_app(MIN_RATINGS=3).test_client()
    editor = make_user(Role.EDITOR)
    client.post("/login", data={"email": editor.email, "password": "correct horse battery"})

    assert "Mark ready Needs 3 ratings, has 2." in page_text(client.get(f"/claims/{claim.id}"))
    assert post_move(client, claim, READY).status_code == 422
    assert stored_claim(db_session, claim).state == IN_REVIEW


def test_the_page_links_publishing_to_its_own_page(client, login_as, db_session, team):
    claim = claim_in(db_session, team, READY)  # the verdict is Eve's alone

    login_as(Role.EDITOR)
    body = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert f'href="/claims/{claim.id}/publish"' in body
    assert 'name="to_state" value="published"' not in body

    client.post("/logout")
    login_as(Role.REVIEWER)
    page = client.get(f"/claims/{claim.id}")
    assert f'href="/claims/{claim.id}/publish"' not in page.get_data(as_text=True)
    assert "Publish Only editors and admins can publish." in page_text(page)


def test_the_page_shows_open_moves_as_forms_and_blocked_ones_disabled(client, login_as, db_session, team):
    claim = claim_in(db_session, team, IN_REVIEW)
    login_as(Role.REVIEWER)

    body = client.get(f"/claims/{claim.id}").get_data(as_text=True)

    assert 'name="to_state" value="researching"' in body
    assert 'name="to_state" value="dismissed"' in body
    assert 'name="to_state" value="ready"' not in body
    assert "disabled" in body and "Only editors and admins can move a claim to Ready." in body
    # Dismissing asks for the reason.
    assert '<textarea id="transition-dismissed-comment" name="comment"' in body


def test_dismissing_through_the_page_needs_a_reason(client, login_as, db_session, team):
    claim = claim_in(db_session, team, RESEARCHING)
    login_as(Role.REVIEWER)

    refused = post_move(client, claim, DISMISSED, "   ")
    assert refused.status_code == 422
    assert "Give a reason for dismissing the claim." in page_text(refused)
    assert stored_claim(db_session, claim).state == RESEARCHING

    accepted = post_move(client, claim, DISMISSED, "Satire site.")
    assert accepted.status_code == 302
    claim = stored_claim(db_session, claim)
    assert (claim.state, claim.dismissed_reason) == (DISMISSED, "Satire site.")
    page = page_text(client.get(f"/claims/{claim.id}"))
    assert "Dismissed because: Satire site." in page
    assert "Restore to Researching" in page


def test_a_refused_move_keeps_the_typed_comment(client, login_as, db_session, team):
    claim = claim_in(db_session, team, RESEARCHING)
    login_as(Role.REVIEWER)

    # Chosen on a page that still showed the claim as in review.
    response = post_move(client, claim, NEW, "Needs a <b>better</b> quote", from_state=IN_REVIEW.value)

    assert response.status_code == 422
    assert field_value(response, "transition-new-comment") == "Needs a <b>better</b> quote"
    assert field_value(response, "transition-in_review-comment") == ""
    assert "<b>better</b>" not in response.get_data(as_text=True)


def test_a_move_from_a_stale_page_is_refused(client, login_as, db_session, team):
    claim = claim_in(db_session, team, RESEARCHING)
    login_as(Role.REVIEWER)

    response = post_move(client, claim, NEW, from_state=NEW.value)

    assert response.status_code == 422
    assert "Someone moved the claim to Researching meanwhile" in page_text(response)
    assert stored_claim(db_session, claim).state == RESEARCHING


@pytest.mark.parametrize(
    "form", ({}, {"to_state": "approved"}, {"to_state": "researching", "comment": "x" * 2001})
)
def test_invalid_move_forms_are_refused(client, login_as, db_session, team, form):
    claim = claim_in(db_session, team, NEW)
    login_as(Role.EDITOR)

    response = client.post(f"/claims/{claim.id}/transition", data=form)

    assert response.status_code == 422
    assert stored_claim(db_session, claim).state == NEW


def test_signed_out_visitors_cannot_move_claims(client, db_session, team):
    claim = claim_in(db_session, team, NEW)

    response = post_move(client, claim, RESEARCHING)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert stored_claim(db_session, claim).state == NEW


def test_the_claim_page_lists_the_steps(client, login_as, db_session, team):
    claim = claim_in(db_session, team, NEW)
    login_as(Role.REVIEWER)
    post_move(client, claim, RESEARCHING, "Gathering the treaty text.")

    page = page_text(client.get(f"/claims/{claim.id}"))
    assert "New → Researching “Gathering the treaty text.”" in page
    history = page_text(client.get(f"/claims/{claim.id}/history"))
    assert "moved the claim from New to Researching: “Gathering the treaty text.”" in history


def test_a_missing_claim_is_not_found(client, login_as):
    login_as(Role.EDITOR)

    assert client.post("/claims/999999/transition", data={"to_state": "researching"}).status_code == 404
