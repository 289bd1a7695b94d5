"""Who follows a claim, who is told what, and the follow button."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.notifications import mentions
from factcheck.notifications.models import Follow, NotificationKind
from factcheck.publishing.operations import publish, publish_revision
from tests.claims.desk import acting_as, history_sentences, label
from tests.conftest import PASSWORD
from tests.discussion.test_csrf import token_of_form
from tests.helpers import audit_rows, csrf_token, text
from tests.notifications.conftest import notifications_of
from tests.publishing.building import NOTE, make_team, ready_claim


def followers(db_session, claim) -> set[str]:
    db_session.expire_all()
    return {row.user.name for row in db_session.scalars(select(Follow).where(Follow.claim_id == claim.id))}


def test_assigning_makes_the_person_follow_and_tells_them(db_session, team, claim, clients):
    response = clients["eve"].post(f"/claims/{claim.id}/assignees", data={"user_id": team["anna"].id})
    assert response.status_code == 302
    assert followers(db_session, claim) == {"Anna Reviewer"}
    [told] = notifications_of(db_session, team["anna"])
    assert told.kind == NotificationKind.ASSIGNED
    assert told.message.startswith("Eve Editor assigned you to claim “Russia's 9M729")
    assert notifications_of(db_session, team["eve"]) == []


def test_rating_makes_the_reviewer_follow_and_tells_nobody(db_session, team, claim, clients):
    clients["ben"].post(f"/claims/{claim.id}/follow")
    response = clients["anna"].post(
        f"/claims/{claim.id}/rating",
        data={"label": label(db_session).id, "reasoning": "The US says 2,500 km."},
    )
    assert response.status_code == 302
    assert followers(db_session, claim) == {"Anna Reviewer", "Ben Reviewer"}
    assert notifications_of(db_session, team["ben"]) == []


def test_a_comment_tells_followers_and_the_people_it_mentions(db_session, team, claim, clients):
    clients["ben"].post(f"/claims/{claim.id}/follow")
    body = "@anna can you find the 2019 compliance report? Ben has the treaty text."
    assert clients["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": body}).status_code == 302
    assert followers(db_session, claim) == {"Anna Reviewer", "Ben Reviewer", "Eve Editor"}
    [anna] = notifications_of(db_session, team["anna"])
    assert anna.kind == NotificationKind.MENTIONED
    assert anna.message == f"Eve Editor mentioned you on claim “{claim.text}”: “{body}”"
    [ben] = notifications_of(db_session, team["ben"])
    assert ben.kind == NotificationKind.COMMENTED
    # The author is not told of their own comment.
    assert notifications_of(db_session, team["eve"]) == []


def test_a_workflow_move_tells_followers_but_not_who_moved_it(db_session, team, claim, clients):
    clients["anna"].post(f"/claims/{claim.id}/follow")
    clients["ben"].post(f"/claims/{claim.id}/follow")
    response = clients["ben"].post(
        f"/claims/{claim.id}/transition", data={"to_state": "researching", "from_state": "in_review"}
    )
    assert response.status_code == 302
    [told] = notifications_of(db_session, team["anna"])
    assert told.kind == NotificationKind.STATE_CHANGED
    assert told.message.endswith("from In review to Researching")
    assert notifications_of(db_session, team["ben"]) == []


def test_disabled_people_are_told_nothing(db_session, team, claim, clients):
    clients["anna"].post(f"/claims/{claim.id}/follow")
    team["anna"].is_disabled = True
    db_session.commit()
    clients["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "Sources are in."})
    assert notifications_of(db_session, team["anna"]) == []


def test_following_and_unfollowing_by_hand_are_audited_and_need_the_csrf_token(
    db_session, team, claim, make_app
):
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    login = browser.get("/login")
    signed_in = browser.post(
        "/login", data={"email": team["anna"].email, "password": PASSWORD, "csrf_token": csrf_token(login)}
    )
    assert signed_in.status_code == 302
    page = browser.get(f"/claims/{claim.id}")
    follow = f"/claims/{claim.id}/follow"
    assert browser.post(follow).status_code == 400
    assert followers(db_session, claim) == set()
    assert browser.post(follow, data={"csrf_token": token_of_form(text(page), follow)}).status_code == 302
    assert followers(db_session, claim) == {"Anna Reviewer"}
    page = browser.get(f"/claims/{claim.id}")
    unfollow = f"/claims/{claim.id}/unfollow"
    assert browser.post(unfollow, data={"csrf_token": token_of_form(text(page), unfollow)}).status_code == 302
    assert followers(db_session, claim) == set()
    recorded = [
        (change.operation, changeset.actor_name) for changeset, change in audit_rows(db_session, "follows")
    ]
    assert recorded == [("INSERT", "Anna Reviewer"), ("DELETE", "Anna Reviewer")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@anna please look", {"anna"}),
        ("Thanks @Anna.", {"anna"}),
        ("cc @anna, @ben-2 and @anna", {"anna", "ben-2"}),
        ("write to anna@example.org", set()),
        ("ask @anna@partner.org", {"anna@partner.org"}),
        ("no mention here; email@", set()),
    ],
)
def test_mention_handles(text, expected):
    assert mentions.handles(text) == expected


def test_mentions_name_active_people_by_their_address_and_skip_ambiguous_handles(db_session, make_user, team):
    make_user(email="anna@partner.org", name="Anna Partner")
    make_user(email="ben@partner.org", name="Ben Partner", disabled=True)
    names = {user.name for user in mentions.mentioned_users(db_session, "@anna @ben @eve @nobody")}
    # Two people are "anna": neither is named; the disabled Ben Partner does not count.
    assert names == {"Ben Reviewer", "Eve Editor"}
    assert {u.name for u in mentions.mentioned_users(db_session, "@anna@partner.org")} == {"Anna Partner"}


def test_only_desk_staff_follow_and_only_their_own(client, claim):
    assert client.post(f"/claims/{claim.id}/follow").status_code in (302, 401, 403)
    assert client.get("/notifications/").status_code == 302
    assert "/login" in client.get("/notifications/").headers["Location"]


def test_the_claim_history_says_who_follows(db_session, team, claim, clients):
    clients["eve"].post(f"/claims/{claim.id}/assignees", data={"user_id": team["anna"].id})
    clients["anna"].post(f"/claims/{claim.id}/unfollow")
    sentences = history_sentences(db_session, claim)
    assert ("Eve Editor", "Anna Reviewer follows the claim now") in sentences
    assert ("Anna Reviewer", "Anna Reviewer stopped following the claim") in sentences


def test_followers_are_told_of_the_publication_and_of_each_later_revision(db_session, make_user):
    team = make_team(make_user)
    claim = ready_claim(db_session, team)
    # Anna and Ben rated it, so they follow it.
    acting_as(db_session, team["ada"])
    publish(db_session, claim, team["ada"], reason="Approved at the desk meeting.")
    db_session.commit()
    publish_revision(db_session, claim, team["ada"], kind="correction", note=NOTE)
    db_session.commit()
    messages = [n.message for n in notifications_of(db_session, team["anna"])]
    assert [n.kind for n in notifications_of(db_session, team["anna"])] == [NotificationKind.PUBLISHED] * 2
    assert messages[0].startswith("Ada Admin published claim “")
    assert messages[1].startswith("Ada Admin published a correction of claim “")
    assert [n.kind for n in notifications_of(db_session, team["ben"])] == [NotificationKind.PUBLISHED] * 2
    assert notifications_of(db_session, team["ada"]) == []
