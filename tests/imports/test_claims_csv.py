"""`factcheck import claims FILE.csv`: claims from a spreadsheet in the columns of the claims export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Appearance, Claim, ClaimState, Tag
from factcheck.exports.claims import CLAIM_COLUMNS
from factcheck.imports.claims_csv import row_key
from tests.claims.desk import make_claim
from tests.imports.samples import claim_count, run_import, write

HEADERS = [column.header for column in CLAIM_COLUMNS]


def csv_text(rows: list[dict[str, str]], headers: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers or HEADERS)
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def imported(db: Session, text: str) -> Claim:
    db.expire_all()
    claim = db.scalar(select(Claim).where(Claim.text == text))
    assert claim is not None, text
    return claim


GOOD = {
    "Claim": "Russia's 9M729 missile has a range of 480 km.",
    "Claimant": "Russian Ministry of Defence",
    "Claim date": "2019-01-23",
    "Appearances": "https://example.org/briefing\nThe seed article\nhttps://example.org/tv",
    "State": "published",
    "Verdict label (draft)": "Mostly false",
    "Verdict headline (draft)": "The US says more than 2,000 km",
    "Verdict summary (draft)": "NATO allies agree.",
    "Tags": "INF; missiles",
}


def test_rows_become_new_claims(app: Flask, db_session: Session, tmp_path: Path) -> None:
    neutralised = {"Claim": "'=1+1 is two, says the sheet", "Claimant": "'@someone"}
    path = write(tmp_path, "claims.csv", csv_text([GOOD, neutralised]))

    result = run_import(app, "claims", path)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 2, updated 0, skipped 0")
    claim = imported(db_session, GOOD["Claim"])
    assert claim.claimant == GOOD["Claimant"] and claim.claimed_on.isoformat() == "2019-01-23"
    # Work to do, whatever the sheet's State column said.
    assert claim.state == ClaimState.NEW and claim.slug is None and claim.publications == []
    assert [t.to_state for t in claim.transitions] == [ClaimState.NEW]
    assert [a.url for a in claim.appearances] == [
        "https://example.org/briefing",
        "https://example.org/tv",
        None,
    ]
    # A line that is no address (here a document's title in our own export) is where it appeared, in words.
    assert claim.appearances[2].venue == "The seed article"
    assert claim.verdict.label.key == "mostly-false"
    assert claim.verdict.imported_label == "Mostly false"
    assert claim.verdict.headline == GOOD["Verdict headline (draft)"]
    assert [tag.name for tag in claim.tags] == ["INF", "missiles"]
    assert claim.imported_from == row_key(
        GOOD["Claim"], GOOD["Claimant"], claim.claimed_on, label=GOOD["Verdict label (draft)"]
    )
    # The export's protection against formulas is undone.
    assert imported(db_session, "=1+1 is two, says the sheet").claimant == "@someone"


def test_only_claim_and_claimant_are_required_and_machine_names_work(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    text = "claimant;CLAIM\nThe mayor;Crime fell by half.\n"

    result = run_import(app, "claims", write(tmp_path, "claims.csv", text))

    assert result.exit_code == 0, result.output
    claim = imported(db_session, "Crime fell by half.")
    assert claim.claimant == "The mayor" and claim.verdict is None and claim.appearances == []


def test_bad_rows_are_reported_by_line_and_the_rest_imported(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    rows = [
        GOOD,  # line 2, three lines long (the Appearances cell)
        {"Claim": "", "Claimant": "Nobody"},  # line 5
        {"Claim": "A date that is not one.", "Claimant": "X", "Claim date": "the 23rd"},  # line 6
        {"Claim": "An unsafe address.", "Claimant": "X", "Appearances": "javascript://alert(1)"},  # line 7
        {"Claim": "x" * 5001, "Claimant": "X"},  # line 8
        {"Claim": "Fine too.", "Claimant": "Y", "Verdict label (draft)": "Spins the Facts"},  # line 9
    ]

    result = run_import(app, "claims", write(tmp_path, "claims.csv", csv_text(rows)))

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 2, updated 0, skipped 4")
    assert "missing claim or claimant: 1\n    line 5:" in result.output
    assert "unparseable date: 1\n    line 6: Claim date 'the 23rd'" in result.output
    assert "url not http(s): 1\n    line 7: Appearances" in result.output
    assert "too long: 1\n    line 8: The wording is longer than 5000 characters." in result.output
    assert "      1  Spins the Facts" in result.output
    assert imported(db_session, "Fine too.").verdict.label_id is None
    assert claim_count(db_session) == 2


def test_unknown_columns_stop_the_import(app: Flask, db_session: Session, tmp_path: Path) -> None:
    text = "Claim,Claimant,Rating,Notes\nA,B,C,D\n"

    result = run_import(app, "claims", write(tmp_path, "claims.csv", text))

    assert result.exit_code == 1
    assert result.output.endswith(
        "unknown columns 'Rating', 'Notes'; use the headings of the claims CSV export (docs/exports.md)\n"
    )
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert claim_count(db_session) == 0


def test_required_columns(app: Flask, db_session: Session, tmp_path: Path) -> None:
    result = run_import(app, "claims", write(tmp_path, "claims.csv", "Claim,Tags\nA,B\n"))

    assert result.exit_code == 1
    assert "the required column claimant missing" in result.output


def test_importing_again_creates_nothing(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "claims.csv", csv_text([GOOD, {"Claim": "Another.", "Claimant": "Z"}]))
    run_import(app, "claims", path)

    again = run_import(app, "claims", path)

    assert again.exit_code == 0, again.output
    assert again.output.startswith("Created 0, updated 0, skipped 2")
    assert "already imported: 2" in again.output
    assert claim_count(db_session) == 2
    assert db_session.scalar(select(Tag).where(Tag.name == "INF")) is not None


def test_an_export_imports_back(
    app: Flask, db_session: Session, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    author = make_user(Role.EDITOR)
    claim = make_claim(db_session, author, text="Exported and back.", claimant="Somebody")
    claim.appearances.append(Appearance(url="https://example.org/where"))
    db_session.commit()
    exported = tmp_path / "export.csv"
    assert app.test_cli_runner().invoke(args=["export", "claims", "-o", str(exported)]).exit_code == 0

    here = run_import(app, "claims", exported)

    # Re-imported where it came from: the Claim ID names the same claim.
    assert here.output.startswith("Created 0, updated 0, skipped 1")
    assert "already here (the row's Claim ID, same wording): 1" in here.output
    # Elsewhere (the id is another claim's, or none), it is a new claim.
    rows = list(csv.DictReader(io.StringIO(exported.read_text("utf-8-sig"))))
    rows[0]["Claim ID"] = "999999"
    elsewhere = run_import(app, "claims", write(tmp_path, "other.csv", csv_text(rows)))
    assert elsewhere.output.startswith("Created 1, updated 0, skipped 0"), elsewhere.output
    copies = db_session.scalars(
        select(Claim).where(Claim.text == "Exported and back.").order_by(Claim.id)
    ).all()
    assert len(copies) == 2
    assert [a.url for a in copies[1].appearances] == ["https://example.org/where"]


def test_the_history_attributes_the_rows_to_the_command(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "claims.csv", csv_text([GOOD]))

    run_import(app, "claims", path)

    claim = imported(db_session, GOOD["Claim"])
    changesets: list[Any] = db_session.scalars(
        select(AuditChangeset)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.claim_id == claim.id)
        .distinct()
    ).all()
    assert changesets and all(c.origin == "cli" for c in changesets)
    assert all(c.actor_name.startswith("factcheck import claims (command line") for c in changesets)
    assert all(c.reason == f"Imported from {path}" for c in changesets)
