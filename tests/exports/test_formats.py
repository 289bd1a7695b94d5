"""Every format of the claims export, downloaded by an editor and read back with a real reader."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from factcheck.accounts.models import Role
from tests.conftest import PASSWORD
from tests.exports.conftest import FORMULA_SUMMARY, FORMULA_TAG, FORMULA_TEXT, HYPERLINK, Desk
from tests.exports.reading import (
    by_id,
    csv_rows,
    json_rows,
    ndjson_rows,
    xlsx_has_formulas,
    xlsx_rows,
    xlsx_sheet,
)


def naive(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)  # type: ignore[misc]


SPEECH_URL = "http://localhost/checks/russias-new-missiles"
RETRACTED_URL = "http://localhost/checks/the-treaty-allowed"


@pytest.fixture
def editor_client(client, desk: Desk):
    response = client.post("/login", data={"email": desk.edith.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def download(client, **query):  # type: ignore[no-untyped-def]
    response = client.get("/exports/claims", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_csv_has_one_row_per_claim_with_every_column(editor_client, desk: Desk) -> None:
    response = download(editor_client, format="csv")
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    rows = csv_rows(response.get_data(as_text=True))
    assert [int(row["Claim ID"]) for row in rows] == desk.ids(*desk.claims)

    speech = by_id(rows, "Claim ID")[desk.speech.id]
    assert {key: value for key, value in speech.items() if key != "Tags"} == {
        "Claim ID": str(desk.speech.id),
        "Claim": "Russia's new missiles are already deployed in Europe.",
        "Claimant": "Jens Stoltenberg, NATO",
        "Claim date": "2019-02-01",
        "Appearances": "https://nato.example.org/speech\nPress conference transcript",
        "State": "published",
        "Verdict label (draft)": "False",
        "Verdict headline (draft)": "Not deployed in Europe",
        "Verdict summary (draft)": "They are in Russia.",
        "Published label": "False",
        "Verdict URL": SPEECH_URL,
        "Captured at (UTC)": "2024-03-01T12:00:00+00:00",
        "First published at (UTC)": "2024-03-10T12:00:00+00:00",
        "Last corrected at (UTC)": "2024-04-01T12:00:00+00:00",
        "Reviewer ratings": "Anna: False; Boris: Mostly false",
        "Sources": "2",
        "Corrections": "1",
        "Claimant kind": "person",
        "Language": "",
        "Imported label": "",
        "Imported from publisher": "",
    }
    assert set(speech["Tags"].split("; ")) == {"NATO", "economy"}

    retracted = by_id(rows, "Claim ID")[desk.retracted.id]
    assert retracted["Published label"] == "Retracted"
    assert retracted["Verdict label (draft)"] == "True"
    assert retracted["Verdict URL"] == RETRACTED_URL
    assert retracted["Corrections"] == "0"
    assert retracted["Last corrected at (UTC)"] == ""
    dismissed = by_id(rows, "Claim ID")[desk.dismissed.id]
    assert dismissed["Reviewer ratings"] == "" and dismissed["Verdict label (draft)"] == ""


def test_csv_neutralises_spreadsheet_formulas(editor_client, desk: Desk) -> None:
    rows = csv_rows(download(editor_client, format="csv").get_data(as_text=True))
    formula = by_id(rows, "Claim ID")[desk.formula.id]
    assert formula["Claimant"] == "'" + HYPERLINK
    assert formula["Claim"] == "'" + FORMULA_TEXT
    assert formula["Verdict summary (draft)"] == "'" + FORMULA_SUMMARY
    assert formula["Verdict headline (draft)"] == "'@cmd"
    assert formula["Tags"] == "'" + FORMULA_TAG
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_xlsx_is_a_workbook_of_string_cells_never_formulas(editor_client, desk: Desk) -> None:
    response = download(editor_client, format="xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = response.get_data()
    assert not xlsx_has_formulas(data)
    rows = {row["Claim ID"]: row for row in xlsx_rows(data)}
    assert sorted(rows) == desk.ids(*desk.claims)

    formula = rows[desk.formula.id]
    # The text is kept exactly, in a string cell: nothing in it runs.
    assert formula["Claimant"] == HYPERLINK
    assert formula["Claim"] == FORMULA_TEXT
    assert formula["Verdict summary (draft)"] == FORMULA_SUMMARY
    assert formula["Verdict headline (draft)"] == "@cmd"
    assert formula["Tags"] == FORMULA_TAG

    speech = rows[desk.speech.id]
    # Spreadsheet cells hold no time zone: the times are UTC, as the headings say.
    assert speech["Claim date"] == naive(2019, 2, 1)
    assert speech["Captured at (UTC)"] == naive(2024, 3, 1, 12)
    assert speech["First published at (UTC)"] == naive(2024, 3, 10, 12)
    assert speech["Reviewer ratings"] == "Anna: False; Boris: Mostly false"
    assert speech["Sources"] == 2 and speech["Corrections"] == 1
    assert speech["Claimant kind"] == "person"
    assert rows[desk.budget.id]["Claimant kind"] == "organisation"
    assert speech["Verdict URL"] == SPEECH_URL
    assert speech["Appearances"] == "https://nato.example.org/speech\nPress conference transcript"
    assert rows[desk.budget.id]["Verdict URL"] is None


def test_json_is_one_array_with_lists_kept(editor_client, desk: Desk) -> None:
    response = download(editor_client, format="json")
    assert response.mimetype == "application/json"
    rows = by_id(json_rows(response.get_data(as_text=True)))
    assert sorted(rows) == desk.ids(*desk.claims)
    speech = rows[desk.speech.id]
    assert speech["appearances"] == [
        {"url": "https://nato.example.org/speech", "document_title": None, "venue": None},
        {"url": None, "document_title": "Press conference transcript", "venue": None},
    ]
    assert speech["ratings"] == [
        {"reviewer": "Anna", "label": "False"},
        {"reviewer": "Boris", "label": "Mostly false"},
    ]
    assert sorted(speech["tags"]) == ["NATO", "economy"]
    assert speech["claim_date"] == "2019-02-01"
    assert datetime.fromisoformat(speech["last_corrected_at"]) == datetime(2024, 4, 1, 12, tzinfo=UTC)
    assert speech["corrections"] == 1
    assert speech["source_count"] == 2
    assert speech["sources"] == [
        {
            "title": "NATO statement",
            "url": "https://nato.example.org/statement",
            "publisher": None,
            "date": None,
            "kind": "other",
            "stance": "context",
            "quote": None,
            "primary": False,
        },
        {
            "title": "Interview",
            "url": None,
            "publisher": None,
            "date": None,
            "kind": "other",
            "stance": "context",
            "quote": None,
            "primary": False,
        },
    ]
    assert (speech["claimant_kind"], rows[desk.budget.id]["claimant_kind"]) == ("person", "organisation")
    assert rows[desk.formula.id]["claimant_kind"] == "unknown"
    # JSON is not a spreadsheet: text is exact.
    assert rows[desk.formula.id]["claimant"] == HYPERLINK
    assert rows[desk.dismissed.id]["ratings"] == []
    assert rows[desk.dismissed.id]["verdict_url"] is None


def test_json_of_nothing_is_an_empty_array(editor_client, desk: Desk) -> None:
    response = download(editor_client, format="json", claimant="nobody by that name")
    assert json.loads(response.get_data(as_text=True)) == []


def test_ndjson_has_one_object_a_line(editor_client, desk: Desk) -> None:
    response = download(editor_client, format="ndjson", state="published")
    assert response.mimetype == "application/x-ndjson"
    rows = ndjson_rows(response.get_data(as_text=True))
    assert [row["claim_id"] for row in rows] == desk.ids(desk.speech, desk.retracted)
    assert {row["claim_id"]: row["published_label"] for row in rows} == {
        desk.speech.id: "False",
        desk.retracted.id: "Retracted",
    }
    assert {row["claim_id"]: row["claimant_kind"] for row in rows} == {
        desk.speech.id: "person",
        desk.retracted.id: "unknown",
    }


def test_claimreview_feed_holds_only_published_claims(editor_client, desk: Desk) -> None:
    response = download(editor_client, format="claimreview")
    assert response.mimetype == "application/ld+json"
    feed = json.loads(response.get_data(as_text=True))
    assert feed["@context"] == "https://schema.org"
    assert feed["@type"] == "DataFeed"
    reviews = feed["dataFeedElement"]
    # Newest revision first: the retraction (July) before the correction (April).
    assert [review["url"] for review in reviews] == [RETRACTED_URL, SPEECH_URL]
    speech = reviews[1]
    assert speech["@type"] == "ClaimReview"
    assert speech["claimReviewed"] == "Russia's new missiles are already deployed in Europe."
    assert speech["reviewRating"]["alternateName"] == "False"
    assert speech["reviewRating"]["ratingValue"] == 1
    assert speech["itemReviewed"]["@type"] == "Claim"
    assert speech["itemReviewed"]["author"]["name"] == "Jens Stoltenberg, NATO"
    assert speech["itemReviewed"]["appearance"][0]["url"] == "https://nato.example.org/speech"
    assert speech["correction"][0]["@type"] == "CorrectionComment"
    assert datetime.fromisoformat(speech["datePublished"]) == datetime(2024, 3, 10, 12, tzinfo=UTC)
    assert reviews[0]["reviewRating"] == {"@type": "Rating", "alternateName": "Retracted"}


def test_claimreview_feed_applies_the_filters(editor_client, desk: Desk) -> None:
    feed = json.loads(download(editor_client, format="claimreview", tag="economy").get_data(as_text=True))
    assert [review["url"] for review in feed["dataFeedElement"]] == [SPEECH_URL]
    # A filter matching only unpublished claims leaves the feed empty.
    feed = json.loads(download(editor_client, format="claimreview", state="ready").get_data(as_text=True))
    assert feed["dataFeedElement"] == []


@pytest.mark.parametrize(
    ("format_", "extension"),
    [("csv", "csv"), ("xlsx", "xlsx"), ("json", "json"), ("ndjson", "ndjson"), ("claimreview", "jsonld")],
)
def test_downloads_have_a_dated_file_name(editor_client, desk: Desk, format_: str, extension: str) -> None:
    response = download(editor_client, format=format_)
    today = datetime.now(UTC).date()
    assert response.headers["Content-Disposition"] in {
        f'attachment; filename="claims-{day.isoformat()}.{extension}"'
        for day in (today, date.fromordinal(today.toordinal() - 1))
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_a_reviewer_sees_ratings_only_on_claims_they_rated(client, desk: Desk, login_as) -> None:
    response = client.post("/login", data={"email": desk.anna.email, "password": PASSWORD})
    assert response.status_code == 302
    rows = by_id(csv_rows(download(client, format="csv").get_data(as_text=True)), "Claim ID")
    # Anna rated the speech and the budget claims, not the retracted one (Boris did).
    assert rows[desk.speech.id]["Reviewer ratings"] == "Anna: False; Boris: Mostly false"
    assert rows[desk.budget.id]["Reviewer ratings"] == "Anna: Misleading"
    assert rows[desk.retracted.id]["Reviewer ratings"] == "(hidden until you rate this claim)"
    json_by_id = by_id(json_rows(download(client, format="json").get_data(as_text=True)))
    assert json_by_id[desk.retracted.id]["ratings"] is None
    assert json_by_id[desk.dismissed.id]["ratings"] == []
    # An editor always sees them.
    client.post("/logout")
    login_as(Role.EDITOR)
    rows = by_id(csv_rows(download(client, format="csv").get_data(as_text=True)), "Claim ID")
    assert rows[desk.retracted.id]["Reviewer ratings"] == "Boris: True"


def test_an_unpublished_claim_has_no_verdict_url(editor_client, desk: Desk) -> None:
    rows = by_id(csv_rows(download(editor_client, format="csv").get_data(as_text=True)), "Claim ID")
    for claim in (desk.budget, desk.formula, desk.dismissed):
        assert rows[claim.id]["Verdict URL"] == ""
        assert rows[claim.id]["Published label"] == ""
        assert rows[claim.id]["First published at (UTC)"] == ""
    assert rows[desk.speech.id]["Verdict URL"] == SPEECH_URL


def test_the_documented_columns_are_the_exported_ones() -> None:
    import pathlib
    import re

    from factcheck.exports.claims import CLAIM_COLUMNS

    docs = pathlib.Path(__file__).resolve().parents[2] / "docs" / "exports.md"
    rows = re.findall(r"^\| (\d+) \| `([^`]+)` \| `([^`]+)` \|", docs.read_text(encoding="utf-8"), re.M)
    assert [(header, key) for _number, header, key in rows] == [
        (column.header, column.name) for column in CLAIM_COLUMNS
    ]


def test_xlsx_lists_each_claims_sources_and_revisions_on_sheets_of_their_own(
    editor_client, desk: Desk
) -> None:
    data = download(editor_client, format="xlsx").get_data()
    claims = {row["Claim ID"]: row for row in xlsx_rows(data)}
    assert claims[desk.speech.id]["Sources"] == 2
    sources = [row for row in xlsx_sheet(data, "Sources") if row["Claim ID"] == desk.speech.id]
    assert [(row["Claim ID"], row["Title"], row["URL"], row["Primary"]) for row in sources] == [
        (desk.speech.id, "NATO statement", "https://nato.example.org/statement", False),
        (desk.speech.id, "Interview", None, False),
    ]
    revisions = xlsx_sheet(data, "Revisions")
    speech = [
        (row["Revision"], row["Kind"], row["Date (UTC)"], row["Note"])
        for row in revisions
        if row["Claim ID"] == desk.speech.id
    ]
    assert speech == [
        (1, "publication", naive(2024, 3, 10, 12), None),
        (2, "correction", naive(2024, 4, 1, 12), "We corrected the date."),
    ]
    retracted = [row["Kind"] for row in revisions if row["Claim ID"] == desk.retracted.id]
    assert retracted == ["publication", "retraction"]


def test_csv_stays_one_row_per_claim_with_the_source_count(editor_client, desk: Desk) -> None:
    rows = csv_rows(download(editor_client, format="csv").get_data(as_text=True))
    assert len(rows) == len(desk.claims)
    assert "Source count" not in rows[0]
    assert {row["Claim ID"]: row["Sources"] for row in rows}[str(desk.speech.id)] == "2"
