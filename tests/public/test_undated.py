"""Imported records without ``datePublished`` stay undated: "date unknown" on their page and in
lists, after the dated checks on /checks/, never in the Atom feed nor in a period of the team
report, and with empty dates in the exports (never the time of the import)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Claim
from factcheck.public import checks as checks_module
from factcheck.publishing.models import PublicationKind
from factcheck.reports.figures import Period, team_report
from tests.exports.reading import by_id, csv_rows
from tests.imports.samples import LOBBYIST, WAPO, claim_by_key, review, run_import, script_line, write
from tests.public.conftest import when
from tests.public.reader import claim_review, html_of, meta, text_of, tree

UNDATED_URL = "https://www.washingtonpost.com/news/fact-checker/2018/01/02/no-date/"
TODAY_URL = "https://www.politifact.com/factchecks/today/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _undated() -> dict[str, Any]:
    record = review(
        UNDATED_URL,
        "Says the tax bill is the biggest in history.",
        "Four Pinocchios",
        author={**WAPO, "name": "The Washington Post"},
        claimant="Donald Trump",
        published=None,
        claimed="2017-12-20",
    )
    # A correction entry without a date is undated too.
    record["correction"] = {"@type": "CorrectionComment", "text": "Correction: the bill's year."}
    return record


def _dated_today() -> dict[str, Any]:
    today = datetime.now(UTC).date().isoformat()
    return review(TODAY_URL, "Says the moon is made of cheese.", "False", published=today, claimed=today)


@pytest.fixture
def imported(app: Flask, db_session: Session, tmp_path: Path) -> dict[str, Claim]:
    """An undated record, one dated 2018 and one dated today, imported in one run."""
    lines = "".join(script_line(record) + "\n" for record in (_undated(), LOBBYIST, _dated_today()))
    result = run_import(app, "claimreview", write(tmp_path, "checks.txt", lines))
    assert result.exit_code == 0, result.output
    assert "No datePublished, so stored with its date unknown: 1 (line 1)" in result.output
    return {
        "undated": claim_by_key(db_session, UNDATED_URL),
        "dated": claim_by_key(db_session, LOBBYIST["url"]),
        "today": claim_by_key(db_session, TODAY_URL),
    }


def test_an_undated_record_is_stored_as_date_unknown(imported: dict[str, Claim]) -> None:
    first, correction = imported["undated"].publications

    assert first.date_unknown and correction.date_unknown
    assert correction.kind == PublicationKind.CORRECTION
    # The revision keeps the import's time, only to be ordered by; the snapshot names no date.
    assert first.published_at > datetime.now(UTC) - timedelta(hours=1)
    assert first.snapshot["published_at"] is None and first.snapshot["first_published_at"] is None
    assert not any(p.date_unknown for p in imported["dated"].publications)


def test_its_page_says_date_unknown_and_its_markup_has_no_date(
    client: FlaskClient, imported: dict[str, Claim]
) -> None:
    response = client.get(f"/checks/{imported['undated'].slug}")

    assert response.status_code == 200
    assert text_of(response, "first-published") == "date unknown"
    assert text_of(response, "last-updated") == "date unknown"
    assert text_of(response, "attribution-date") == "date unknown"
    notes = tree(response).xpath("//ol[@class='revision-notes']/li")
    assert "date unknown" in " ".join(notes[0].itertext())
    today = datetime.now(UTC)
    assert f"{today.day} {today:%B %Y}" not in html_of(response)
    assert meta(response, "article:published_time") is None
    markup = claim_review(response)
    assert "datePublished" not in markup and "dateModified" not in markup
    assert markup["correction"] == [{"@type": "CorrectionComment", "text": "Correction: the bill's year."}]

    dated = client.get(f"/checks/{imported['dated'].slug}")
    assert text_of(dated, "first-published") == "1 June 2018"
    assert claim_review(dated)["datePublished"] == "2018-06-01T00:00:00+00:00"


def test_undated_checks_come_after_the_dated_ones_on_every_page(
    client: FlaskClient,
    imported: dict[str, Claim],
    published_check: Callable[..., Claim],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours = published_check(headline="Ours", published_at=when(1))
    expected = [imported["today"].slug, ours.slug, imported["dated"].slug, imported["undated"].slug]

    def slugs(response: Any) -> list[str]:
        hrefs = tree(response).xpath("//ol[@class='public-check-list']//h2/a/@href")
        return [href.rsplit("/", 1)[-1] for href in hrefs]

    everything = client.get("/checks/")
    assert slugs(everything) == expected
    metas = tree(everything).xpath("//ol[@class='public-check-list']//p[@class='item-meta']")
    assert "Published date unknown" in " ".join(" ".join(metas[3].itertext()).split())
    assert "Published 1 June 2018" in " ".join(" ".join(metas[2].itertext()).split())

    # Page by page (the cursor of an undated check included), forwards and back.
    monkeypatch.setattr(checks_module, "PAGE_SIZE", 1)
    # (Another query string than the first request's, which the list cache holds with 20 a page.)
    seen, response = [], client.get("/checks/?by=")
    while True:
        seen.extend(slugs(response))
        following = tree(response).xpath('//a[@rel="next"]/@href')
        if not following:
            break
        response = client.get(following[0])
    assert seen == expected
    back = client.get(tree(response).xpath('//a[@rel="prev"]/@href')[0])
    assert slugs(back) == [imported["dated"].slug]

    # A date range never holds a check whose date is unknown.
    in_range = client.get("/checks/?from=2000-01-01&to=2100-01-01")
    assert imported["undated"].slug not in slugs(in_range)


def test_the_feeds_leave_undated_checks_out_of_the_newest(
    client: FlaskClient, imported: dict[str, Claim]
) -> None:
    atom = feedparser.parse(client.get("/checks/feed.atom").data)
    titles = {entry.title for entry in atom.entries}
    assert imported["dated"].verdict.headline in titles
    assert not any("biggest in history" in title for title in titles)

    sitemap = ET.fromstring(client.get("/sitemap.xml").data)  # noqa: S314 - the app's own sitemap
    lastmods = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in sitemap.iter(f"{SITEMAP}url")
    }
    assert lastmods[f"http://localhost/checks/{imported['undated'].slug}"] is None
    assert lastmods[f"http://localhost/checks/{imported['dated'].slug}"].startswith("2018-06-01")

    data_feed = json.loads(client.get("/claimreview.json").get_data(as_text=True))
    urls = [element["url"] for element in data_feed["dataFeedElement"]]
    assert urls == [TODAY_URL, LOBBYIST["url"], UNDATED_URL]
    assert "datePublished" not in data_feed["dataFeedElement"][-1]


def test_the_team_report_counts_undated_checks_in_no_period(
    db_session: Session, imported: dict[str, Claim]
) -> None:
    today = datetime.now(UTC).date()

    report = team_report(db_session, Period(today - timedelta(days=1), today))

    # Three records were imported today; only the one dated today was published in the period.
    assert report.published == 1
    assert report.corrected == 0
    assert [(row.name, row.count) for row in report.verdicts if row.count] == [("False", 1)]


def test_exports_leave_unknown_dates_empty(app: Flask, imported: dict[str, Claim], tmp_path: Path) -> None:
    target = tmp_path / "claims.csv"
    result = app.test_cli_runner().invoke(
        args=["export", "claims", "--format", "csv", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    rows = by_id(csv_rows(target.read_text(encoding="utf-8")), "Claim ID")

    assert rows[imported["undated"].id]["First published at (UTC)"] == ""
    assert rows[imported["undated"].id]["Last corrected at (UTC)"] == ""
    assert rows[imported["dated"].id]["First published at (UTC)"].startswith("2018-06-01")

    ranged = tmp_path / "ranged.csv"
    result = app.test_cli_runner().invoke(
        args=[
            "export", "claims", "--format", "csv", "--output", str(ranged),
            "--date-field", "published", "--from", "2000-01-01", "--to", "2100-01-01",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(by_id(csv_rows(ranged.read_text(encoding="utf-8")), "Claim ID")) == sorted(
        [imported["dated"].id, imported["today"].id]
    )


def test_reimporting_marks_records_imported_undated_before_dates_were_kept_unknown(
    app: Flask, client: FlaskClient, db_session: Session, tmp_path: Path
) -> None:
    """Before revision 0008 an undated record got the time of its import as its date; importing the
    file again (the record still without a date) makes that date unknown, and nothing else."""
    path = write(tmp_path, "checks.txt", script_line(_undated()) + "\n" + script_line(LOBBYIST) + "\n")
    assert run_import(app, "claimreview", path).exit_code == 0
    claim = claim_by_key(db_session, UNDATED_URL)
    # As the import stored it before: the import's time as a real date.
    set_actor(db_session, Actor.system("test: an import from before revision 0008"))
    for publication in claim.publications:
        publication.date_unknown = False
        publication.snapshot = {**publication.snapshot, "published_at": publication.published_at.isoformat()}
    db_session.commit()
    # Rendered (and cached) with the import's time as the date.
    assert client.get(f"/checks/{claim.slug}").status_code == 200
    listed = client.get("/checks/")
    assert "date unknown" not in html_of(listed)
    revisions_before = len(claim.publications)

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 0, result.output
    assert "No datePublished, so stored with its date unknown: 1 (line 1)" in result.output
    claim = claim_by_key(db_session, UNDATED_URL)
    assert [p.date_unknown for p in claim.publications] == [True] * revisions_before
    assert not any(p.date_unknown for p in claim_by_key(db_session, LOBBYIST["url"]).publications)
    page = client.get(f"/checks/{claim.slug}")
    assert text_of(page, "first-published") == "date unknown"
    assert "date unknown" in html_of(client.get("/checks/"))
    # A third run finds nothing more to do.
    again = run_import(app, "claimreview", path)
    assert "No datePublished" not in again.output


def test_the_corrections_log_lists_undated_corrections_last_as_date_unknown(
    client: FlaskClient,
    imported: dict[str, Claim],
    published_check: Callable[..., Claim],
    revise_check: Callable[..., Any],
) -> None:
    ours = published_check(headline="Ours", published_at=when(1))
    revise_check(
        ours, PublicationKind.CORRECTION, "We misstated the treaty's range limits.", published_at=when(2)
    )

    entries = tree(client.get("/corrections")).xpath("//li[contains(@class, 'correction-entry')]")

    texts = [" ".join(" ".join(entry.itertext()).split()) for entry in entries]
    assert len(texts) == 2
    assert texts[0].startswith("2 February 2019 · Correction")
    assert texts[1].startswith("date unknown · Correction · Fact check by The Washington Post")
