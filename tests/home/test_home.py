"""The home page: each person's queues, and every count's link listing exactly those claims."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from factcheck.accounts.models import Role
from factcheck.claims.models import Assignment, ClaimState
from factcheck.db import utcnow
from tests.claims.desk import add_rating, add_verdict, make_claim, page_text
from tests.conftest import AuthActions

IN_REVIEW, READY = ClaimState.IN_REVIEW, ClaimState.READY


@pytest.fixture
def desk(db_session, make_user):
    """A small desk: two reviewers, two editors, claims in every queue."""
    anna = make_user(Role.REVIEWER, name="Anna Reviewer", email="anna@example.org")
    ben = make_user(Role.REVIEWER, name="Ben Reviewer", email="ben@example.org")
    eve = make_user(Role.EDITOR, name="Eve Editor", email="eve@example.org")
    max_ = make_user(Role.EDITOR, name="Max Editor", email="max@example.org")
    today = utcnow().date()
    claims = {
        "assigned": make_claim(db_session, eve, ClaimState.RESEARCHING, text="NATO gave Russia 60 days."),
        "to_rate": make_claim(db_session, eve, IN_REVIEW, text="The 9M729 flies 480 km at most."),
        "rated": make_claim(db_session, eve, IN_REVIEW, text="Aegis Ashore can fire cruise missiles."),
        "eve_wrote": make_claim(db_session, eve, READY, text="The treaty was signed in 1987."),
        "max_wrote": make_claim(db_session, eve, READY, text="The US suspended the treaty in February."),
        "overdue": make_claim(
            db_session, eve, ClaimState.NEW, text="Russia displayed the missile in January."
        ),
        "soon": make_claim(db_session, eve, ClaimState.NEW, text="The withdrawal took effect in August."),
        "late_but_done": make_claim(
            db_session, eve, ClaimState.PUBLISHED, text="NATO ministers met in December."
        ),
    }
    claims["assigned"].assignments.append(Assignment(user=anna, assigned_by_id=eve.id))
    claims["overdue"].review_by = today - timedelta(days=2)
    claims["soon"].review_by = today + timedelta(days=2)
    claims["late_but_done"].review_by = today - timedelta(days=5)
    db_session.commit()
    add_rating(db_session, claims["rated"], anna)
    add_verdict(db_session, claims["eve_wrote"], eve)
    add_verdict(db_session, claims["max_wrote"], max_)
    return {"anna": anna, "ben": ben, "eve": eve, "max": max_, "claims": claims}


def queue_links(response) -> dict[str, tuple[int, str]]:
    """queue key -> (count shown, link) of the home page."""
    found = re.findall(
        r'<li id="queue-([a-z_]+)"><a href="([^"]+)"><strong class="queue-count">(\d+)</strong>',
        response.get_data(as_text=True),
    )
    return {key: (int(count), link.replace("&amp;", "&")) for key, link, count in found}


def listed_ids(client, link: str) -> set[int]:
    response = client.get(link)
    assert response.status_code == 200
    return {int(n) for n in re.findall(r'href="/claims/(\d+)"', response.get_data(as_text=True))}


def ids(desk, *names: str) -> set[int]:
    return {desk["claims"][name].id for name in names}


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (
            "anna",
            {"assigned": {"assigned"}, "to_rate": {"to_rate"}, "overdue": {"overdue"}, "soon": {"soon"}},
        ),
        (
            "ben",
            {"assigned": set(), "to_rate": {"to_rate", "rated"}, "overdue": {"overdue"}, "soon": {"soon"}},
        ),
        (
            "eve",
            {
                "assigned": set(),
                "to_rate": {"to_rate", "rated"},
                # Eve wrote one verdict alone: the four-eyes rule leaves her the other one.
                "to_publish": {"max_wrote"},
                "overdue": {"overdue"},
                "soon": {"soon"},
            },
        ),
    ],
)
def test_each_count_links_to_exactly_its_claims(desk, auth, client, person, expected):
    auth.login(desk[person].email)
    links = queue_links(client.get("/"))
    assert set(links) == set(expected)
    for key, names in expected.items():
        count, link = links[key]
        assert count == len(names), key
        assert listed_ids(client, link) == ids(desk, *names), key


def test_without_the_four_eyes_rule_an_editor_may_publish_her_own(desk, make_app):
    client = make_app(FOUR_EYES=False).test_client()
    AuthActions(client).login(desk["eve"].email)
    count, link = queue_links(client.get("/"))["to_publish"]
    assert count == 2
    assert listed_ids(client, link) == ids(desk, "eve_wrote", "max_wrote")


def test_reviewers_have_no_publishing_queue_and_the_filter_lists_nothing(desk, auth, client):
    auth.login(desk["anna"].email)
    assert "to_publish" not in queue_links(client.get("/"))
    assert listed_ids(client, "/claims/?to_publish=me") == set()


def test_the_rating_queue_says_nothing_of_the_others_ratings(desk, auth, client):
    auth.login(desk["ben"].email)
    body = page_text(client.get("/"))
    assert "Anna" not in body
    assert "rating" not in body.replace("waiting for your rating", "")


def test_the_list_says_which_queue_it_shows(desk, auth, client):
    auth.login(desk["anna"].email)
    body = page_text(client.get("/claims/?to_rate=me"))
    assert "Only claims to rate by me" in body


def test_signed_out_home_is_the_published_checks(client):
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/checks/"
