"""``factcheck export claims``: every format to a file, standard output, bad options, failures."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from factcheck.exports import claims as export_claims
from factcheck.exports.claims import ClaimRecord
from tests.exports.conftest import HYPERLINK, Desk
from tests.exports.reading import by_id, csv_rows, json_rows, ndjson_rows, xlsx_rows

# The verdict URL outside a request: PUBLIC_URL unset, so the fallback address.
SPEECH_URL = "http://localhost:5000/checks/russias-new-missiles"


def run(runner, *args: str) -> Any:  # type: ignore[no-untyped-def]
    return runner.invoke(args=["export", "claims", *args])


def error_lines(result: Any) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def test_csv_to_a_file(runner, desk: Desk, tmp_path) -> None:
    target = tmp_path / "claims.csv"
    result = run(runner, "--format", "csv", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 5 claims to {target}\n"
    rows = by_id(csv_rows(target.read_text(encoding="utf-8")), "Claim ID")
    assert sorted(rows) == desk.ids(*desk.claims)
    # The command line is the operator's: every rating, and the public address.
    assert rows[desk.retracted.id]["Reviewer ratings"] == "Boris: True"
    assert rows[desk.speech.id]["Verdict URL"] == SPEECH_URL
    assert rows[desk.formula.id]["Claimant"] == "'" + HYPERLINK
    assert os.listdir(tmp_path) == ["claims.csv"]


def test_xlsx_to_a_file(runner, desk: Desk, tmp_path) -> None:
    target = tmp_path / "claims.xlsx"
    result = run(runner, "--format", "xlsx", "--state", "published", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 2 claims to {target}\n"
    rows = {row["Claim ID"]: row for row in xlsx_rows(target.read_bytes())}
    assert sorted(rows) == desk.ids(desk.speech, desk.retracted)
    assert rows[desk.speech.id]["Verdict URL"] == SPEECH_URL


def test_json_and_ndjson_to_files(runner, desk: Desk, tmp_path) -> None:
    result = run(runner, "--format", "json", "--tag", "NATO", "-o", str(tmp_path / "claims.json"))
    assert result.exit_code == 0, result.output
    rows = json_rows((tmp_path / "claims.json").read_text(encoding="utf-8"))
    assert [row["claim_id"] for row in rows] == desk.ids(desk.speech, desk.retracted)

    result = run(
        runner, "--format", "ndjson", "--reviewer", "anna@example.org", "-o", str(tmp_path / "c.ndjson")
    )
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Exported 2 claims to " + str(tmp_path / "c.ndjson") + "\n")
    rows = ndjson_rows((tmp_path / "c.ndjson").read_text(encoding="utf-8"))
    assert [row["claim_id"] for row in rows] == desk.ids(desk.speech, desk.budget)


def test_claimreview_to_a_file(runner, desk: Desk, tmp_path) -> None:
    target = tmp_path / "feed.jsonld"
    result = run(runner, "--format", "claimreview", "--claimant", "STOLTENBERG", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 2 claims to {target}\n"
    feed = json.loads(target.read_text(encoding="utf-8"))
    assert feed["@type"] == "DataFeed"
    assert {review["url"] for review in feed["dataFeedElement"]} == {
        SPEECH_URL,
        "http://localhost:5000/checks/the-treaty-allowed",
    }
    result = run(runner, "--format", "claimreview", "--state", "ready", "-o", str(target))
    assert result.output == f"Exported 0 claims to {target}\n"
    assert json.loads(target.read_text(encoding="utf-8"))["dataFeedElement"] == []


def test_text_formats_go_to_standard_output(runner, desk: Desk) -> None:
    result = runner.invoke(args=["export", "claims", "--format", "ndjson", "--label", "misleading"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["claim_id"] for line in result.stdout.splitlines()] == [desk.budget.id]
    # The summary goes to standard error, so the output stays clean for a pipe.
    assert result.stderr == "Exported 1 claim to standard output\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--format", "pdf"],
            "Error: --format: 'pdf' is not a format; use one of csv, xlsx, json, ndjson, claimreview",
        ),
        (["--format", "xlsx"], "Error: --output: xlsx is a binary format; give a file name"),
        (
            ["--date-field", "updated"],
            "Error: --date-field: 'updated' is not a date field; use captured or published",
        ),
        (["--from", "2024-02-30"], "Error: --from: '2024-02-30' is not a date; use YYYY-MM-DD"),
        (
            ["--from", "2024-05-01", "--to", "2024-04-01"],
            "Error: --to: the end date 2024-04-01 is before the start date 2024-05-01",
        ),
        (
            ["--state", "finished"],
            "Error: --state: 'finished' is not a state; use one of new, researching, in_review, ready, published, dismissed",
        ),
        (["--tag", "sport"], "Error: --tag: no tag named 'sport'"),
        (
            ["--reviewer", "nobody@example.org"],
            "Error: --reviewer: no user with the email or id 'nobody@example.org'",
        ),
    ],
)
def test_bad_options_exit_2_with_one_line_and_write_nothing(
    runner, desk: Desk, tmp_path, args: list[str], message: str
) -> None:
    target = tmp_path / "out.file"
    output = [] if "xlsx" in args else ["--output", str(target)]
    result = run(runner, *args, *output)
    assert result.exit_code == 2
    assert error_lines(result) == [message]
    assert os.listdir(tmp_path) == []


def test_a_bad_label_lists_the_keys(runner, desk: Desk) -> None:
    result = run(runner, "--label", "nope")
    assert result.exit_code == 2
    assert error_lines(result) == [
        "Error: --label: no rating label with the key 'nope'; the keys are "
        "false, mostly-false, misleading, mostly-true, true, unverifiable, satire"
    ]


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(
    runner, desk: Desk, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    real = export_claims.claim_records

    def failing(*args: Any, **kwargs: Any) -> Iterator[ClaimRecord]:
        for count, record in enumerate(real(*args, **kwargs)):
            if count == 2:
                raise OperationalError("SELECT ...", {}, Exception("server closed the connection"))
            yield record

    monkeypatch.setattr("factcheck.exports.cli.claim_records", failing)
    for format_ in ("csv", "xlsx", "json"):
        target = tmp_path / f"claims.{format_}"
        target.write_text("the previous export")
        result = run(runner, "--format", format_, "-o", str(target))
        assert result.exit_code == 1, result.output
        assert error_lines(result) == ["Error: export failed, nothing written: server closed the connection"]
        assert target.read_text() == "the previous export"
    assert sorted(os.listdir(tmp_path)) == ["claims.csv", "claims.json", "claims.xlsx"]


def test_an_unwritable_destination_is_one_line(runner, desk: Desk, tmp_path) -> None:
    result = run(runner, "-o", str(tmp_path / "no-such-folder" / "claims.csv"))
    assert result.exit_code == 1
    assert len(error_lines(result)) == 1
    assert error_lines(result)[0].startswith(f"Error: cannot write to {tmp_path}/no-such-folder/claims.csv")
    result = run(runner, "-o", str(tmp_path))
    assert result.exit_code == 2
    assert error_lines(result) == [f"Error: --output: {tmp_path} is a folder; give a file name"]


def test_no_progress_bar_without_a_terminal(runner, desk: Desk, tmp_path) -> None:
    result = run(runner, "-o", str(tmp_path / "claims.csv"))
    assert result.stderr == ""
    assert "Exporting" not in result.output


def test_the_progress_bar_counts_the_matching_claims(
    runner, desk: Desk, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    totals = []

    class Bar:
        def __init__(self, **kwargs: Any) -> None:
            totals.append(kwargs["length"])
            self.done = 0

        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: Any) -> None:
            totals.append(self.done)

        def update(self, count: int) -> None:
            self.done += count

    monkeypatch.setattr("factcheck.exports.cli._on_terminal", lambda: True)
    monkeypatch.setattr("factcheck.exports.cli.click.progressbar", Bar)
    assert run(runner, "--tag", "NATO", "-o", str(tmp_path / "a.csv")).exit_code == 0
    assert totals == [2, 2]
    totals.clear()
    assert run(runner, "--format", "claimreview", "-o", str(tmp_path / "b.jsonld")).exit_code == 0
    assert totals == [2, 2]


def test_verdict_urls_use_the_public_address(make_app, desk: Desk, tmp_path) -> None:
    runner = make_app(PUBLIC_URL="https://checks.example.org/news/").test_cli_runner()
    target = tmp_path / "claims.json"
    result = run(runner, "--format", "json", "--state", "published", "-o", str(target))
    assert result.exit_code == 0, result.output
    urls = {row["claim_id"]: row["verdict_url"] for row in json_rows(target.read_text(encoding="utf-8"))}
    assert urls[desk.speech.id] == "https://checks.example.org/news/checks/russias-new-missiles"
