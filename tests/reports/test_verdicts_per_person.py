"""The team report's "verdicts per person": verdicts written and published per person in the
period, filtered by tag and by claimant, on the report page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from factcheck.claims.models import Tag
from factcheck.db import utcnow
from factcheck.reports.figures import Period
from factcheck.reports.verdicts import PersonVerdicts, verdicts_per_person
from tests.claims.desk import acting_as, page_text
from tests.conftest import PASSWORD
from tests.publishing.building import make_team, published_claim, ready_claim


@pytest.fixture
def team(make_user):
    return make_team(make_user)


@pytest.fixture
def desk(db_session, team):
    """Eve wrote two verdicts, Ada published both; Ed wrote one still unpublished (a NATO claim)."""
    first = published_claim(db_session, team, text="Russia's 9M729 missile has a range of 480 km.")
    second = published_claim(db_session, team, text="The US deployed Aegis Ashore in Romania in 2016.")
    third = ready_claim(db_session, team, text="NATO ministers gave Russia 60 days.", author="ed")
    acting_as(db_session, team["eve"])
    third.claimant = "NATO Foreign Ministers"
    nato = Tag(name="inf treaty")
    first.tags.append(nato)
    third.tags.append(nato)
    db_session.commit()
    return {"first": first, "second": second, "third": third}


def this_week() -> Period:
    today = utcnow().date()
    return Period(today - timedelta(days=6), today)


def test_verdicts_written_and_published_per_person(db_session, desk):
    assert verdicts_per_person(db_session, this_week()) == [
        PersonVerdicts("Ada Admin", 0, 2),
        PersonVerdicts("Eve Editor", 2, 0),
        PersonVerdicts("Ed Editor", 1, 0),
    ]


def test_filtered_by_tag_and_by_claimant(db_session, desk):
    assert verdicts_per_person(db_session, this_week(), tag="INF Treaty") == [
        PersonVerdicts("Ada Admin", 0, 1),
        PersonVerdicts("Ed Editor", 1, 0),
        PersonVerdicts("Eve Editor", 1, 0),
    ]
    assert verdicts_per_person(db_session, this_week(), claimant="foreign min") == [
        PersonVerdicts("Ed Editor", 1, 0),
    ]


def test_a_period_before_the_work_lists_nobody(db_session, desk):
    today = utcnow().date()
    assert (
        verdicts_per_person(db_session, Period(today - timedelta(days=30), today - timedelta(days=20))) == []
    )


def test_the_report_page_shows_the_table_with_its_filters(client, db_session, team, desk):
    assert client.post("/login", data={"email": team["ed"].email, "password": PASSWORD}).status_code == 302
    response = client.get("/reports/team", query_string={"tag": "inf treaty"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    table = re.search(r'<table[^>]*id="verdict-people-table".*?</table>', body, re.S)
    assert table is not None
    rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</th><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td></tr>", table.group(0)
    )
    assert rows == [("Ada Admin", "0", "1"), ("Ed Editor", "1", "0"), ("Eve Editor", "1", "0")]
    assert "Verdicts per person" in page_text(response)
    nobody = client.get("/reports/team", query_string={"claimant": "Kremlin"})
    assert "Nobody wrote or published a verdict on these claims in this period." in page_text(nobody)
