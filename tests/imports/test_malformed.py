"""Malformed records are skipped with their line and a plain reason, whatever the malformation, and a
database lost mid-import ends the run with one line; running it again resumes without duplicates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.imports import jsontext
from factcheck.imports.claims_csv import ClaimRowImporter
from factcheck.imports.store import ReviewImporter
from tests.imports.samples import (
    LOBBYIST,
    WHALES,
    claim_by_key,
    claim_count,
    claims_of_review,
    review,
    run_import,
    write,
)
from tests.imports.test_claims_csv import GOOD, csv_text

HUGE_NUMBER = "9" * 100_000


def _json(record: dict[str, Any], **raw: str) -> str:
    """A record's JSON text with the placeholders ``@name@`` replaced by raw JSON text, so a test can
    write what json.dumps never would (a lone surrogate escape, a 100,000-digit number, NaN)."""
    text = json.dumps(record, ensure_ascii=False)
    for name, value in raw.items():
        text = text.replace(json.dumps(f"@{name}@"), value)
    return text


def _script(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def _deep(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


def _record(n: int, **changes: Any) -> dict[str, Any]:
    return {**review(f"https://www.politifact.com/statements/{n}/", f"Claim number {n}.", "False"), **changes}


# Line number -> (the record's JSON text, the reason it is skipped, a part of the detail).
MALFORMED_LINES = {
    2: (
        _json(_record(2, claimReviewed="@x@"), x='"Lone \\ud800 surrogate"'),
        "invalid text",
        "claimReviewed",
    ),
    3: (_json(_record(3, extra="@x@"), x=_deep(100_000)), "nested too deeply", "extra"),
    4: (_json(_record(4, extra="@x@"), x=_deep(100)), "nested too deeply", "extra"),
    5: (
        _json(_record(5, reviewRating={"@type": "Rating", "ratingValue": "@x@"}), x=HUGE_NUMBER),
        "number too long",
        "a number of 100,000 characters (at most 100) at reviewRating.ratingValue",
    ),
    6: (_json(_record(6, extra="@x@"), x="NaN"), "invalid JSON", "NaN is not a JSON number"),
    7: (json.dumps(_record(7, claimReviewed="Has a \x00 NUL.")), "invalid text", "NUL character"),
    8: (
        _json(_record(8, itemReviewed={"author": {"name": "@x@"}}), x='"Ch\\udc81vez"'),
        "invalid text",
        "a lone surrogate (\\udc81, not a character) in itemReviewed.author.name",
    ),
    9: (json.dumps(_record(9, claimReviewed=12)), "missing claimReviewed", ""),
    # Wrong types where a value is optional are read as missing: these two records import.
    10: (json.dumps(_record(10, itemReviewed="a string")), "", ""),
    11: (json.dumps(_record(11, author=[[["deep"]]], correction=[1, None, {"text": 5}])), "", ""),
    12: (
        _json(_record(12, itemReviewed={"author": {"name": "@x@"}}), x='{"\\ud800": 1}'),
        "invalid text",
        "name",
    ),
    13: (json.dumps(_record(13, reviewRating=[1, 2])), "no rating label", ""),
}


def test_each_malformation_skips_only_its_line(app: Flask, db_session: Session, tmp_path: Path) -> None:
    lines = [_script(json.dumps(WHALES))] + [_script(text) for text, _, _ in MALFORMED_LINES.values()]
    lines.append(json.dumps(LOBBYIST))
    path = write(tmp_path, "fact_checks.txt", "\n".join(lines) + "\n")

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for line, (_, reason, detail) in MALFORMED_LINES.items():
        if reason:
            assert f"  {reason}: " in result.output
            assert any(
                entry.split(": ", 1)[0] == f"    line {line}" and detail in entry
                for entry in result.output.splitlines()
            ), (line, result.output)
    assert result.output.startswith(
        "Created 4, updated 0, unchanged 0, older ignored 0, skipped 10 (14 records)"
    ), result.output
    assert claim_count(db_session) == 4
    assert claim_by_key(db_session, "https://www.politifact.com/statements/10/").claimant == "Unknown"


def test_an_array_reports_each_malformed_element_by_index(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    elements = (
        [json.dumps(WHALES)] + [text for text, _, _ in MALFORMED_LINES.values()] + [json.dumps(LOBBYIST)]
    )
    feed = '{"@type": "DataFeed", "dataFeedElement": [' + ",\n".join(elements) + "]}"
    path = write(tmp_path, "feed.json", feed)

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Created 4, updated 0, unchanged 0, older ignored 0, skipped 10 (14 records)"
    ), result.output
    # The element nested 100,000 deep is index 2, the 100-deep one index 3.
    assert "index 2: more than 64 levels of arrays and objects at extra[0][0]" in result.output
    assert "index 3: more than 64 levels of arrays and objects at extra" in result.output
    assert "index 4: a number of 100,000 characters" in result.output
    assert claim_count(db_session) == 4


def test_decoding_keeps_the_rest_of_a_document() -> None:
    value = jsontext.decode(
        '[{"a": ' + _deep(50_000) + '}, {"b": "\\ud800"}, {"c": ' + HUGE_NUMBER + "}, {}]"
    )

    problems = [jsontext.problem(element) for element in value]

    assert [problem.reason if problem else None for problem in problems] == [
        "nested too deeply",
        "invalid text",
        "number too long",
        None,
    ]
    with pytest.raises(json.JSONDecodeError):
        jsontext.decode("[" * 50_000)


def test_an_unexpected_error_on_a_record_skips_it(
    app: Flask, db_session: Session, tmp_path: Path, monkeypatch: Any
) -> None:
    real_save = ReviewImporter.save

    def save(self: ReviewImporter, parsed: Any) -> Any:
        if parsed.url == WHALES["url"]:
            raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")
        return real_save(self, parsed)

    monkeypatch.setattr(ReviewImporter, "save", save)

    result = run_import(app, "claimreview", write(tmp_path, "f.json", [WHALES, LOBBYIST]))

    assert result.exit_code == 0, result.output
    assert "malformed record: 1" in result.output
    assert "index 0: ValueError: Exceeds the limit" in result.output
    assert claim_count(db_session) == 1


def test_a_csv_row_with_a_nul_is_skipped_with_its_line(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    rows = [
        GOOD,
        {"Claim": "A NUL \x00 in the claim", "Claimant": "Someone"},
        {"Claim": "Fine", "Claimant": "X"},
    ]
    path = write(tmp_path, "claims.csv", csv_text(rows))

    result = run_import(app, "claims", path)

    # The second row starts on line 5: the first one's Appearances cell spans three lines.
    assert result.exit_code == 0, result.output
    assert "invalid text: 1" in result.output and "line 5: a NUL character (U+0000) in claim" in result.output
    assert claim_count(db_session) == 2


# --- a database lost mid-run -------------------------------------------------------------------


def _lost_connection() -> OperationalError:
    return OperationalError(
        "INSERT INTO claims ...",
        {},
        Exception("server closed the connection unexpectedly\n\tThis probably means ..."),
        connection_invalidated=True,
    )


def _failing_at(monkeypatch: Any, importer: type, number: int) -> None:
    """``importer.save`` raises a lost connection on its ``number``-th call."""
    real_save = importer.save
    calls = {"n": 0}

    def save(self: Any, parsed: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            raise _lost_connection()
        return real_save(self, parsed)

    monkeypatch.setattr(importer, "save", save)


def test_a_lost_connection_ends_the_run_with_one_line_and_a_rerun_resumes(
    app: Flask, db_session: Session, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr("factcheck.imports.cli.COMMIT_EVERY", 2)
    # Batches by count only, however slow the machine.
    monkeypatch.setattr("factcheck.imports.cli.COMMIT_SECONDS", float("inf"))
    path = write(tmp_path, "many.json", [_record(n) for n in range(7)])
    with monkeypatch.context() as patch:
        _failing_at(patch, ReviewImporter, 6)

        result = run_import(app, "claimreview", path)

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: the import stopped at index 5 of many.json: the database connection was lost. "
        "4 of 7 records were committed before; run the same import again to resume "
        "(each record already imported is skipped)"
    ]
    assert claim_count(db_session) == 4

    again = run_import(app, "claimreview", path)

    assert again.exit_code == 0, again.output
    assert again.output.startswith(
        "Created 3, updated 0, unchanged 4, older ignored 0, skipped 0 (7 records)"
    ), again.output
    assert [len(claims_of_review(db_session, _record(n)["url"])) for n in range(7)] == [1] * 7
    assert db_session.scalar(select(func.count(func.distinct(Claim.imported_from)))) == 7


def test_a_lost_connection_in_the_csv_import(
    app: Flask, db_session: Session, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr("factcheck.imports.cli.COMMIT_EVERY", 2)
    # Batches by count only, however slow the machine.
    monkeypatch.setattr("factcheck.imports.cli.COMMIT_SECONDS", float("inf"))
    rows = [{"Claim": f"Claim {n}", "Claimant": "Someone"} for n in range(5)]
    path = write(tmp_path, "claims.csv", csv_text(rows))
    with monkeypatch.context() as patch:
        _failing_at(patch, ClaimRowImporter, 4)

        result = run_import(app, "claims", path)

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: the import stopped at line 5 of claims.csv: the database connection was lost. "
        "2 of 5 rows were committed before; run the same import again to resume "
        "(each row already imported is skipped)"
    ]

    again = run_import(app, "claims", path)

    assert again.output.startswith("Created 3, updated 0, skipped 2 (5 rows)"), again.output
    assert claim_count(db_session) == 5
