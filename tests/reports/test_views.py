"""The team report page, its PDF and XLSX downloads: figures shown, periods chosen, who may see them."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from factcheck.accounts.models import Role
from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.reports.figures import MAX_DAYS
from tests.claims.desk import page_text
from tests.conftest import PASSWORD
from tests.reports import dataset
from tests.reports.dataset import build_desk

MARCH_QUERY = "from=2024-03-01&to=2024-03-31"


@pytest.fixture
def desk(db_session, make_user):
    return build_desk(db_session, make_user)


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def page_text_of_table(body: str, table_id: str) -> str:
    table = re.search(rf'<table\b[^>]*id="{table_id}".*?</table>', body, flags=re.S)
    assert table is not None
    without_caption = re.sub(r"<caption\b.*?</caption>", " ", table.group(0), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", without_caption).split())


def svgs(body: str) -> list[ET.Element]:
    return [ET.fromstring(markup) for markup in re.findall(r"<svg\b.*?</svg>", body, flags=re.S)]  # noqa: S314 - the app's own markup


def test_the_report_page_shows_every_figure(client, desk):
    sign_in(client, desk.ann)
    response = client.get(f"/reports/team?{MARCH_QUERY}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Team report: 1 March 2024 to 31 March 2024" in text
    for what, count in [
        ("Claims captured", 7),
        ("Verdicts published", 5),
        ("Corrections", 1),
        ("Updates", 1),
        ("Retractions", 1),
        ("Claims dismissed", 2),
    ]:
        assert f"{what} {count}" in text
    assert "Median 2.9 days (70.5 hours)" in text
    assert "90th percentile 9.0 days (216.3 hours)" in text
    assert "Krippendorff's alpha: 0.897 Reliable" in text
    assert "Based on 3 claims rated by two or more reviewers in the period: 7 ratings by 3 reviewers" in text
    assert (
        "2 ratings with a label outside the ordered scale (such as Unverifiable or Satire) were left out"
        in text
    )
    assert "1 imported claim left out" in text
    assert "Ann Archer 4 3 2" in text and "Dan Diaz 1 0 1" in text and "Eve Evans" not in text
    assert "Russian Ministry of Defence 3" in text
    assert "Sources per verdict 1.4 on average, median 1.0" in text
    assert "Primary sources 4 of 7 (57%)" in text
    assert "False 2 40%" in text and "Incorrect 1 20%" in text


def test_the_page_draws_both_charts_accessibly_without_inline_styles(client, desk):
    sign_in(client, desk.ann)
    body = client.get(f"/reports/team?{MARCH_QUERY}").get_data(as_text=True)
    verdicts, weekly = svgs(body)
    assert verdicts.get("role") == weekly.get("role") == "img"
    bars = [g for g in verdicts.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "chart-bar"]
    assert [(g.get("data-label"), int(g.get("data-value"))) for g in bars] == dataset.EXPECTED_VERDICTS
    # A data table next to each chart.
    assert 'id="verdict-table"' in body and 'id="weekly-table"' in body
    weeks = page_text_of_table(body, "weekly-table")
    assert weeks == (
        "Week Captured Published 1-3 Mar 2024 1 1 4-10 Mar 2024 2 3 11-17 Mar 2024 3 1 "
        "18-24 Mar 2024 0 0 25-31 Mar 2024 1 0"
    ).replace("-", "\u2013")
    assert " style=" not in body and "<script" not in body


def test_the_default_period_is_the_last_30_days(client, db_session, make_user):
    reviewer = make_user(Role.REVIEWER, name="Rae Reviewer")
    now = utcnow()
    for days_ago in (0, 29, 30):
        db_session.add(
            Claim(
                text=f"{days_ago} days old",
                claimant="NATO",
                created_by=reviewer,
                created_at=now - timedelta(days=days_ago),
            )
        )
    db_session.commit()
    sign_in(client, reviewer)
    response = client.get("/reports/team")
    assert response.status_code == 200
    start, end = (now - timedelta(days=29)).date(), now.date()
    text = page_text(response)
    assert f"Team report: {start.day} {start:%B %Y} to {end.day} {end:%B %Y}" in text
    assert "Claims captured 2" in text
    # Empty fields in the form mean the same.
    assert "Claims captured 2" in page_text(client.get("/reports/team?from=&to="))


def test_only_one_end_of_the_period(client, desk):
    sign_in(client, desk.ann)
    text = page_text(client.get("/reports/team?to=2024-03-31"))
    assert "Team report: 2 March 2024 to 31 March 2024" in text
    text = page_text(client.get("/reports/team?from=2024-03-25"))
    assert "Team report: 25 March 2024 to" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2024-13-01&to=2024-03-31", "Enter a date as YYYY-MM-DD"),
        ("from=yesterday", "Enter a date as YYYY-MM-DD"),
        ("from=2024-03-01&to=31/03/2024", "Enter a date as YYYY-MM-DD"),
        ("from=2024-03-31&to=2024-03-01", "The end of the period must not be before its start."),
        ("from=2000-01-01&to=2024-03-31", f"Choose a period of at most {MAX_DAYS} days"),
        ("to=0001-01-05", "Choose a date between 1900 and 2999."),
        ("from=9999-12-31", "Choose a date between 1900 and 2999."),
    ],
)
@pytest.mark.parametrize("path", ["/reports/team", "/reports/team.xlsx", "/reports/team.pdf"])
def test_bad_periods_are_refused_with_the_reason(client, login_as, path, query, message):
    login_as(Role.REVIEWER)
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    text = page_text(response)
    assert "Please correct the error below." in text
    assert message in text
    assert "Claims captured" not in text


@pytest.mark.parametrize("path", ["/reports/team", "/reports/team.xlsx", "/reports/team.pdf"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(f"{path}?{MARCH_QUERY}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR, Role.ADMIN])
def test_the_desk_sees_the_report_link(client, login_as, role):
    login_as(role)
    body = client.get("/").get_data(as_text=True)
    assert '<a href="/reports/team">Report</a>' in body


def test_readers_see_no_report_link(client):
    assert '<a href="/reports/team">Report</a>' not in client.get("/").get_data(as_text=True)


def test_a_disabled_account_cannot_download(client, desk, db_session):
    sign_in(client, desk.ben)
    desk.ben.is_disabled = True
    db_session.commit()
    response = client.get(f"/reports/team.xlsx?{MARCH_QUERY}")
    assert response.status_code in (302, 403)
    assert not response.data.startswith(b"PK")


def test_the_workbook_holds_the_same_numbers(client, desk, db_session):
    desk.claims["c7"].claimant = '=HYPERLINK("https://evil.example","click")'
    db_session.commit()
    sign_in(client, desk.cleo)
    response = client.get(f"/reports/team.xlsx?{MARCH_QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename=team-report-2024-03-01-to-2024-03-31.xlsx" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]

    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Summary",
        "Verdicts",
        "Weekly flow",
        "Work per person",
        "Claimants",
        "Sources by label",
    ]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Period from"].date().isoformat() == "2024-03-01"
    assert summary["Period to"].date().isoformat() == "2024-03-31"
    assert summary["Claims captured"] == 7
    assert summary["Verdicts published"] == 5
    assert summary["Corrections"] == 1
    assert summary["Claims dismissed"] == 2
    assert summary["Median time to publication (hours)"] == pytest.approx(dataset.EXPECTED_MEDIAN_HOURS)
    assert summary["90th percentile time to publication (hours)"] == pytest.approx(dataset.EXPECTED_P90_HOURS)
    assert summary["90th percentile time to publication (days)"] == pytest.approx(
        dataset.EXPECTED_P90_HOURS / 24
    )
    assert summary["Krippendorff's alpha (ordinal)"] == pytest.approx(dataset.EXPECTED_ALPHA)
    assert summary["Claims in agreement"] == 3
    assert summary["Ratings excluded (labels outside the order)"] == 2
    assert summary["Agreement reading"].startswith("Reliable")
    assert summary["Mean sources per verdict"] == pytest.approx(1.4)
    assert summary["Share of primary sources"] == pytest.approx(4 / 7)

    def rows(name):
        return [row for row in workbook[name].iter_rows(min_row=2, values_only=True)]

    assert rows("Verdicts") == dataset.EXPECTED_VERDICTS
    assert [(a.date(), b.date(), c, p) for a, b, c, p in rows("Weekly flow")] == dataset.EXPECTED_WEEKS
    assert rows("Work per person") == dataset.EXPECTED_PEOPLE
    # c7's claimant renamed: NATO drops out, the formula-like name sorts first among the ones.
    assert rows("Claimants") == [
        *dataset.EXPECTED_CLAIMANTS[:2],
        ('=HYPERLINK("https://evil.example","click")', 1),
        ("Ministry of Truth", 1),
    ]
    # A claimant that looks like a formula stays a string cell.
    evil = [cell for cell in workbook["Claimants"]["A"] if str(cell.value).startswith("=HYPERLINK")]
    assert len(evil) == 1 and evil[0].data_type == "s"
    by_label = rows("Sources by label")
    assert [row[:3] for row in by_label] == [row[:3] for row in dataset.EXPECTED_SOURCES_BY_LABEL]
    assert by_label[0][5] == pytest.approx(0.6) and by_label[2][5] is None


def test_the_page_links_the_downloads_for_the_same_period(client, desk):
    sign_in(client, desk.ann)
    body = client.get(f"/reports/team?{MARCH_QUERY}").get_data(as_text=True)
    assert 'href="/reports/team.pdf?from=2024-03-01&amp;to=2024-03-31"' in body
    assert 'href="/reports/team.xlsx?from=2024-03-01&amp;to=2024-03-31"' in body
    assert 'href="/static/css/print.css" media="print"' in body


@pytest.mark.slow
def test_the_report_downloads_as_a_pdf(client, desk):
    sign_in(client, desk.dan)
    response = client.get(f"/reports/team.pdf?{MARCH_QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "filename=team-report-2024-03-01-to-2024-03-31.pdf" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())
    assert "Team report: 1 March 2024 to 31 March 2024" in text
    assert "Krippendorff's alpha: 0.897" in text
    assert re.search(r"Page 1 of \d+", text)
