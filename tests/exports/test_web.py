"""The export page: who may use it, the form, and refused filters (422, nothing downloaded)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from factcheck.accounts.models import Role
from tests.claims.desk import page_text, select_options
from tests.exports.conftest import Desk
from tests.exports.reading import HEADERS, csv_rows


@pytest.mark.parametrize("url", ["/exports/", "/exports/claims", "/exports/claims?format=xlsx"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_a_reviewer_gets_the_page_and_the_download(client, login_as, desk: Desk) -> None:
    login_as(Role.REVIEWER)
    page = client.get("/exports/")
    assert page.status_code == 200
    text = page_text(page)
    assert "Export claims" in text
    for header in HEADERS:
        assert header in text
    assert select_options(page, "format") == ["csv", "xlsx", "json", "ndjson", "claimreview"]
    assert select_options(page, "label")[:3] == ["", "false", "mostly-false"]
    assert set(select_options(page, "tag")) == {"", "NATO", "economy", "@SUM(A1:A9)"}
    assert set(select_options(page, "reviewer")) >= {"", str(desk.anna.id), str(desk.boris.id)}
    assert 'action="/exports/claims"' in page.get_data(as_text=True)

    response = client.get("/exports/claims", query_string={"state": "ready"})
    assert response.status_code == 200
    rows = csv_rows(response.get_data(as_text=True))
    assert [int(row["Claim ID"]) for row in rows] == [desk.budget.id]


def test_the_nav_links_to_exports_for_the_desk(client, login_as) -> None:
    assert 'href="/exports/"' not in client.get("/").get_data(as_text=True)
    login_as(Role.REVIEWER)
    assert 'href="/exports/"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"format": "pdf"}, "Not a valid choice"),
        ({"state": "finished"}, "Not a valid choice"),
        ({"label": "pants-on-fire"}, "Not a valid choice"),
        ({"tag": "sport"}, "Not a valid choice"),
        ({"reviewer": "999999"}, "Not a valid choice"),
        ({"date_field": "updated"}, "Not a valid choice"),
        ({"date_from": "2024-02-30"}, "Not a valid date value"),
        (
            {"date_from": "2024-05-01", "date_to": "2024-04-01"},
            "The end date 2024-04-01 is before the start date 2024-05-01.",
        ),
        ({"claimant": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_filters_show_the_form_again_with_the_error(
    client, login_as, desk: Desk, query: dict[str, str], message: str
) -> None:
    login_as(Role.REVIEWER)
    response = client.get("/exports/claims", query_string=query)
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    assert message in page_text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
