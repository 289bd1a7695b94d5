"""Importing real archives (issue 11, items 7, 10 and 11): labels kept and mapped later, rows told
apart by publisher and label, dry runs, and the formats archives come in (XLSX, gzip, other date
forms, language names, venues that are not web addresses).

The files are small and hand-made, shaped like a PolitiFact archive converted to the claims CSV.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html as lxml_html
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Appearance, Claim
from factcheck.imports.claimreview import BadRecord, parse_review, read_record_stream, strip_quotes
from factcheck.imports.claims_csv import AMBIGUOUS_DATE, iter_csv, read_date, row_key
from factcheck.imports.labels import map_stored_label, scale_label
from factcheck.imports.languages import language_tag
from factcheck.verdicts.models import Verdict
from tests.imports.samples import claim_count, review, run_import, script_line, write
from tests.imports.test_claims_csv import csv_text
from tests.search.records import listed_ids

HEADERS = ["Claim", "Claimant", "Claim date", "Appearances", "Verdict label (draft)", "Publisher", "Language"]


def row(claim: str, label: str = "", **cells: str) -> dict[str, str]:
    values = {"Claim": claim, "Claimant": cells.pop("claimant", "Rick Scott"), "Verdict label (draft)": label}
    values.update({key.replace("_", " ").capitalize(): value for key, value in cells.items()})
    return values


def sheet(rows: list[dict[str, str]]) -> str:
    return csv_text(rows, HEADERS)


def stored(db: Session, text: str) -> list[Claim]:
    db.expire_all()
    return list(db.scalars(select(Claim).where(Claim.text == text).order_by(Claim.id)))


def changesets(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditChangeset)) or 0


def labels_map(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["labels", "map", *args])


# --- item 7: unknown labels kept, searchable, mappable later --------------------------------


def test_an_unknown_label_is_stored_verbatim_and_mapped_later_by_command(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "politifact.csv",
        sheet([row("Says the mailer lied.", "Spins the Facts"), row("Says taxes rose.", "spins the facts!")]),
    )

    result = run_import(app, "claims", path)

    assert result.exit_code == 0, result.output
    assert "      2  Spins the Facts (also 'spins the facts!')" in result.output
    (claim,) = stored(db_session, "Says the mailer lied.")
    assert claim.verdict.imported_label == "Spins the Facts" and claim.verdict.label_id is None
    before = changesets(db_session)

    mapped = labels_map(app, "SPINS THE FACTS", "Misleading")

    assert mapped.exit_code == 0, mapped.output
    assert mapped.output == "Mapped 'SPINS THE FACTS' to Misleading: 2 verdicts changed.\n"
    for text in ("Says the mailer lied.", "Says taxes rose."):
        (claim,) = stored(db_session, text)
        assert claim.verdict.label.key == "misleading"
        # The label as imported stays as it was.
        assert claim.verdict.imported_label in ("Spins the Facts", "spins the facts!")
    # Audited, attributed to the command, with its reason.
    assert changesets(db_session) == before + 1
    changeset = db_session.scalars(select(AuditChangeset).order_by(AuditChangeset.seq.desc())).first()
    assert changeset is not None and changeset.actor_name.startswith("factcheck labels map (command line")
    assert changeset.reason == "Imported label 'SPINS THE FACTS' mapped to 'Misleading' (our scale)"
    changed = db_session.scalars(
        select(AuditChange).where(
            AuditChange.changeset_seq == changeset.seq, AuditChange.table_name == "verdicts"
        )
    ).all()
    assert len(changed) == 2

    again = labels_map(app, "Spins the Facts", "misleading")
    assert (
        again.output
        == "Mapped 'Spins the Facts' to Misleading: 0 verdicts changed.\nAlready Misleading: 2.\n"
    )
    # Importing the file again, with a label map that does not know the label, does not undo it.
    reimported = run_import(app, "claims", path)
    assert reimported.output.startswith("Created 0, updated 0, skipped 2"), reimported.output
    assert stored(db_session, "Says taxes rose.")[0].verdict.label.key == "misleading"


def test_mapping_onto_a_label_that_is_not_ours_is_one_line_and_changes_nothing(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claims", write(tmp_path, "a.csv", sheet([row("Says so.", "Spins the Facts")])))
    before = changesets(db_session)

    result = labels_map(app, "Spins the Facts", "Pants on Fire")

    assert result.exit_code == 1
    assert result.output.startswith("Error: 'Pants on Fire' is not a label of the rating scale (its labels: ")
    assert result.output.count("\n") == 1
    assert changesets(db_session) == before
    assert stored(db_session, "Says so.")[0].verdict.label_id is None


def test_a_verdict_edited_here_is_not_remapped(
    app: Flask, db_session: Session, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    run_import(app, "claims", write(tmp_path, "a.csv", sheet([row("Says so.", "Spins the Facts")])))
    (claim,) = stored(db_session, "Says so.")
    claim.verdict.updated_by_id = make_user(Role.EDITOR).id
    claim.verdict.label_id = scale_label(db_session, "true").id
    db_session.commit()

    result = labels_map(app, "Spins the Facts", "false")

    assert result.output.endswith("Left as they are (changed here since the import): 1.\n")
    assert stored(db_session, "Says so.")[0].verdict.label.key == "true"


def test_reimporting_with_a_map_updates_the_rows_instead_of_skipping_them(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "politifact.csv", sheet([row("Says so.", "Spins the Facts"), row("Other.", "True")])
    )
    run_import(app, "claims", path)
    label_map = write(tmp_path, "map.json", {"Spins the Facts": "misleading"})

    again = run_import(app, "claims", path, "--map", label_map)

    assert again.exit_code == 0, again.output
    assert again.output.startswith("Created 0, updated 1, skipped 1")
    assert "  the label map gives the verdict another label: 1" in again.output
    assert "already imported: 1" in again.output
    (claim,) = stored(db_session, "Says so.")
    assert claim.verdict.label.key == "misleading" and claim.verdict.imported_label == "Spins the Facts"
    assert claim_count(db_session) == 2


def test_rows_that_differ_in_label_or_publisher_are_different_claims(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    same = {"claim_date": "2018-10-01"}
    rows = [
        row("Says the tax cut pays for itself.", "Mostly False", publisher="PolitiFact", **same),
        row("Says the tax cut pays for itself.", "Half True", publisher="PolitiFact", **same),
        row("Says the tax cut pays for itself.", "Mostly False", publisher="PolitiFact Florida", **same),
        row("Says the tax cut pays for itself.", "mostly false", publisher="politifact", **same),
    ]

    result = run_import(app, "claims", write(tmp_path, "a.csv", sheet(rows)))

    assert result.output.startswith("Created 3, updated 0, skipped 1"), result.output
    assert "repeated in the input: 1\n    line 5: the same claim as line 2" in result.output
    claims = stored(db_session, "Says the tax cut pays for itself.")
    found = {(claim.verdict.imported_publisher, claim.verdict.imported_label) for claim in claims}
    assert found == {
        ("PolitiFact", "Mostly False"),
        ("PolitiFact", "Half True"),
        ("PolitiFact Florida", "Mostly False"),
    }


def test_a_claim_imported_with_the_old_key_is_found_again(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    # Imported before revision 0009: key of wording, claimant and date only; the label was lost.
    run_import(app, "claims", write(tmp_path, "a.csv", sheet([row("Says so.", "Spins the Facts")])))
    (claim,) = stored(db_session, "Says so.")
    claim.imported_from = row_key("Says so.", "Rick Scott", None)
    claim.verdict.imported_label = None
    db_session.commit()

    again = run_import(app, "claims", write(tmp_path, "a.csv", sheet([row("Says so.", "Spins the Facts")])))

    assert again.output.startswith("Created 0, updated 1, skipped 0"), again.output
    assert "  the label as imported is now kept: 1" in again.output
    (claim,) = stored(db_session, "Says so.")
    assert claim.verdict.imported_label == "Spins the Facts"
    assert claim.imported_from == row_key("Says so.", "Rick Scott", None, label="Spins the Facts")


def test_the_desk_finds_claims_by_their_imported_label(
    app: Flask, client: FlaskClient, db_session: Session, tmp_path: Path, login_as: Callable[[Role], User]
) -> None:
    rows = [
        row("Says so.", "Spins the Facts", publisher="FactCheck.org", language="Russian"),
        row("Other.", "Pants on Fire"),
        row("None."),
    ]
    run_import(app, "claims", write(tmp_path, "a.csv", sheet(rows)))
    login_as(Role.REVIEWER)

    page = client.get("/claims/")
    # The list shows the label as imported where our scale has none for it.
    assert '<span class="muted imported-label">Spins the Facts (imported)</span>' in page.get_data(
        as_text=True
    )
    options = lxml_html.fromstring(page.get_data(as_text=True)).xpath('//select[@id="label"]/option')
    imported = {
        option.get("value"): option.text_content() for option in options if "imported:" in option.get("value")
    }
    assert imported == {
        "imported:Pants on Fire": "Imported: Pants on Fire",
        "imported:Spins the Facts": "Imported: Spins the Facts",
    }
    listed = listed_ids(client.get("/claims/?label=imported:Spins+the+Facts").get_data(as_text=True))
    (claim,) = stored(db_session, "Says so.")
    assert listed == [claim.id]
    shown = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Imported with the label \u201cSpins the Facts\u201d (FactCheck.org)" in shown
    assert '<span class="claim-language muted">Language: ru</span>' in shown


# --- --dry-run -------------------------------------------------------------------------------


def test_a_dry_run_reports_and_writes_nothing(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", sheet([row("Says so.", "Spins the Facts"), row("", "True")]))
    before = changesets(db_session)

    result = run_import(app, "claims", path, "--dry-run")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 1, updated 0, skipped 1")
    assert "      1  Spins the Facts" in result.output
    assert result.output.endswith(
        "Dry run: nothing was written (run it again without --dry-run to import).\n"
    )
    assert claim_count(db_session) == 0
    assert changesets(db_session) == before
    # The real run then does what the dry run said.
    assert run_import(app, "claims", path).output.startswith("Created 1, updated 0, skipped 1")


# --- item 11: dates, languages, venues -------------------------------------------------------


def test_dates_in_other_forms(app: Flask, db_session: Session, tmp_path: Path) -> None:
    rows = [
        row("Short year.", claim_date="09/28/17"),
        row("Day first.", claim_date="28/09/2017"),
        row("Either way.", claim_date="09/10/2017"),
        row("Month name.", claim_date="September 28, 2017"),
    ]
    path = write(tmp_path, "a.csv", sheet(rows))

    without = run_import(app, "claims", path)

    assert without.output.startswith("Created 2, updated 0, skipped 2"), without.output
    assert (
        "ambiguous date: 2\n    line 2: Claim date '09/28/17' has a two-digit year: give --date-format (e.g. %m/%d/%y)\n"
        "    line 4: Claim date '09/10/2017' reads as day/month and as month/day" in without.output
    )
    assert stored(db_session, "Day first.")[0].claimed_on == date(2017, 9, 28)
    assert stored(db_session, "Month name.")[0].claimed_on == date(2017, 9, 28)

    with_format = run_import(app, "claims", path, "--date-format", "%m/%d/%y")

    assert "Created 1," in with_format.output
    assert stored(db_session, "Short year.")[0].claimed_on == date(2017, 9, 28)
    assert "line 3: Claim date '28/09/2017' does not match --date-format %m/%d/%y" in with_format.output


def test_a_date_format_that_reads_no_date_is_refused(app: Flask, db_session: Session, tmp_path: Path) -> None:
    result = run_import(
        app, "claims", write(tmp_path, "a.csv", sheet([row("A.")])), "--date-format", "mm/dd/yy"
    )

    assert result.exit_code == 1
    assert result.output == (
        "Error: --date-format 'mm/dd/yy' has no strftime code: write dates such as 09/28/17 as %m/%d/%y\n"
    )
    assert claim_count(db_session) == 0


def test_language_names_read_as_codes(app: Flask, db_session: Session, tmp_path: Path) -> None:
    rows = [
        row("Russian.", language="Russian"),
        row("Spanish.", language="español"),
        row("Tagged.", language="pt-br"),
        row("Martian.", language="Martian"),
    ]

    result = run_import(app, "claims", write(tmp_path, "a.csv", sheet(rows)))

    assert result.output.startswith("Created 3, updated 0, skipped 1"), result.output
    assert "unknown language: 1\n    line 5: Language 'Martian'" in result.output
    assert [stored(db_session, text)[0].language for text in ("Russian.", "Spanish.", "Tagged.")] == [
        "ru",
        "es",
        "pt-BR",
    ]


def test_a_venue_without_an_address_is_kept_as_an_appearance(
    app: Flask, client: FlaskClient, db_session: Session, tmp_path: Path, login_as: Callable[[Role], User]
) -> None:
    rows = [row("Says the mailer lied.", appearances="a mailer\nhttps://example.org/ad\na TV ad")]

    result = run_import(app, "claims", write(tmp_path, "a.csv", sheet(rows)))

    assert result.exit_code == 0, result.output
    (claim,) = stored(db_session, "Says the mailer lied.")
    assert [(a.url, a.venue) for a in claim.appearances] == [
        ("https://example.org/ad", None),
        (None, "a mailer"),
        (None, "a TV ad"),
    ]
    login_as(Role.REVIEWER)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert '<span class="appearance-venue"><bdi>a TV ad</bdi></span>' in page


def test_claimreview_venues_in_words_are_kept(app: Flask, db_session: Session, tmp_path: Path) -> None:
    record = review("https://www.politifact.com/mailer/", "The mailer says so.", "False")
    record["itemReviewed"]["appearance"] = ["a mailer", {"@type": "CreativeWork", "name": "a TV ad"}]

    result = run_import(app, "claimreview", write(tmp_path, "f.json", [record]))

    assert result.output.startswith("Created 1"), result.output
    (claim,) = stored(db_session, "The mailer says so.")
    assert sorted(a.venue for a in claim.appearances) == ["a TV ad", "a mailer"]
    assert all(a.url is None for a in claim.appearances)


# --- item 11: XLSX and gzip ------------------------------------------------------------------


def xlsx(tmp_path: Path, rows: list[list[Any]], name: str = "claims.xlsx") -> Path:
    workbook = Workbook()
    sheet_ = workbook.active
    for cells in rows:
        sheet_.append(cells)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_an_xlsx_workbook_imports(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            ["Claim", "Claimant", "Claim date", "Verdict label (draft)", "Language"],
            ["Says the state added 100,000 jobs.", "Rick Scott", date(2017, 9, 28), "Half True", "English"],
            [None, None, None, None, None],
            ["", "Nobody", None, None, None],
        ],
    )

    result = run_import(app, "claims", path)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 1, updated 0, skipped 1")
    assert "missing claim or claimant: 1\n    row 4:" in result.output
    (claim,) = stored(db_session, "Says the state added 100,000 jobs.")
    assert claim.claimed_on == date(2017, 9, 28) and claim.language == "en"
    assert claim.verdict.imported_label == "Half True" and claim.verdict.label.key == "misleading"


def test_a_file_that_is_not_a_workbook_is_one_line_and_writes_nothing(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "claims.xlsx", "Claim,Claimant\nA,B\n")

    result = run_import(app, "claims", path)

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot read {path}: it is not an XLSX workbook")
    assert result.output.count("\n") == 1
    assert claim_count(db_session) == 0


def test_a_workbook_with_unknown_columns_is_refused(app: Flask, db_session: Session, tmp_path: Path) -> None:
    result = run_import(app, "claims", xlsx(tmp_path, [["Claim", "Claimant", "Ruling"], ["A", "B", "C"]]))

    assert result.exit_code == 1
    assert "unknown column 'Ruling'" in result.output
    assert claim_count(db_session) == 0


def gzipped(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    return path


def test_a_gzipped_csv_imports(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = gzipped(tmp_path, "claims.csv.gz", sheet([row("Says so.", "Spins the Facts"), row("")]))

    result = run_import(app, "claims", path)

    assert result.output.startswith("Created 1, updated 0, skipped 1"), result.output
    assert "missing claim or claimant: 1\n    line 3:" in result.output
    assert stored(db_session, "Says so.")[0].verdict.imported_label == "Spins the Facts"


def test_gzipped_claimreview_imports(app: Flask, db_session: Session, tmp_path: Path) -> None:
    records = [
        review("https://www.politifact.com/a/", "First.", "False"),
        review("https://www.politifact.com/b/", "Second.", "True"),
    ]
    lines = gzipped(tmp_path, "fact_checks.txt.gz", "\n".join(script_line(r) for r in records) + "\n{oops\n")
    feed = gzipped(
        tmp_path, "feed.json.gz", json.dumps([review("https://www.politifact.com/c/", "Third.", "True")])
    )

    result = run_import(app, "claimreview", lines, feed)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 3, updated 0, unchanged 0, older ignored 0, skipped 1"), (
        result.output
    )
    assert f"{lines} line 3:" in result.output
    assert claim_count(db_session) == 3


@pytest.mark.parametrize("command", ["claims", "claimreview"])
def test_a_damaged_gzip_file_is_one_line_and_nothing_is_written(
    app: Flask, db_session: Session, tmp_path: Path, command: str
) -> None:
    text = sheet([row(f"Claim {n}.") for n in range(300)])
    whole = gzip.compress(text.encode("utf-8"))
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    not_gzip = write(tmp_path, "plain.csv.gz", text)
    corrupt = tmp_path / "corrupt.csv.gz"
    corrupt.write_bytes(whole[:-8] + b"\x00" * 8)  # a wrong checksum and length

    for path, why in (
        (cut, "the gzip file is cut short (truncated)"),
        (not_gzip, "it is not a valid gzip file"),
        (corrupt, "it is not a valid gzip file"),
    ):
        result = run_import(app, command, path)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: cannot read {path}: {why}"), result.output
        assert result.output.count("\n") == 1
    assert claim_count(db_session) == 0


def test_gzipped_text_that_is_not_utf8_is_refused(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv.gz"
    path.write_bytes(gzip.compress("Claim,Claimant\nCaf\u00e9,B\n".encode("latin-1")))

    result = run_import(app, "claims", path)

    assert result.exit_code == 1
    assert result.output == f"Error: cannot read {path}: its text is not UTF-8 (byte 18 once decompressed)\n"


# --- item 10: stray quotes, the public label filter -------------------------------------------


def test_a_stray_leading_quote_is_stripped_on_import(app: Flask, db_session: Session, tmp_path: Path) -> None:
    records = [
        review("https://www.politifact.com/1/", '"Mixed pair.\u201d', "False"),
        review("https://www.politifact.com/2/", '\u201cOther mixed pair."', "False"),
        review("https://www.politifact.com/3/", "\u201cNever closed.", "False"),
        review("https://www.politifact.com/4/", "\u201cQuoted,\u201d he said.", "False"),
    ]

    assert run_import(app, "claimreview", write(tmp_path, "f.json", records)).exit_code == 0

    texts = set(db_session.scalars(select(Claim.text)))
    assert texts == {"Mixed pair.", "Other mixed pair.", "Never closed.", "\u201cQuoted,\u201d he said."}


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ('"Mixed pair.\u201d', "Mixed pair."),
        ('\u201cMixed pair."', "Mixed pair."),
        ("\u00abNever closed.", "Never closed."),
        ('"A" and "B"', '"A" and "B"'),
        ("\u201cStop,\u201d he said", "\u201cStop,\u201d he said"),
        ("It\u2019s fine.\u201d", "It\u2019s fine.\u201d"),
        ('"', '"'),
    ],
)
def test_strip_quotes(given: str, kept: str) -> None:
    assert strip_quotes(given) == kept


def test_the_public_label_filter_lists_what_a_reader_can_use(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    labels = ["Pants on Fire", "Pants on fire", "Four Pinocchios", "Four Pinocchios", "False"]
    # Free-text conclusions, each used once (as in real archives: hundreds of them).
    labels += [f"Conclusion number {n}" for n in range(40)]
    records = [
        review(f"https://www.politifact.com/{n}/", f"Claim {n}.", label, published="2019-02-01")
        for n, label in enumerate(labels)
    ]
    assert run_import(app, "claimreview", write(tmp_path, "f.json", records)).exit_code == 0

    def options(url: str) -> list[str]:
        page = lxml_html.fromstring(client.get(url).get_data(as_text=True))
        return [value for value in page.xpath('//select[@id="filter-label"]/option/@value') if value]

    # Our scale's labels, and the others more than one check shows, each once whatever its case.
    assert options("/checks/") == ["False", "Four Pinocchios", "Pants on Fire"]
    # A one-off label still filters, and is listed while it is the filter in use.
    assert "Conclusion number 7" in options("/checks/?label=conclusion+number+7")


# --- model level -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "date_format", "day"),
    [
        ("2017-09-28", None, date(2017, 9, 28)),
        ("2017-09-28T10:00:00", None, date(2017, 9, 28)),
        ("2017/09/28", None, date(2017, 9, 28)),
        ("28.09.2017", None, date(2017, 9, 28)),
        ("Sept. 28, 2017", None, date(2017, 9, 28)),
        ("28 September 2017", None, date(2017, 9, 28)),
        ("09/28/17", "%m/%d/%y", date(2017, 9, 28)),
        ("2017-09-28", "%m/%d/%y", date(2017, 9, 28)),
        ("05/05/2017", None, date(2017, 5, 5)),
    ],
)
def test_read_date(cell: str, date_format: str | None, day: date) -> None:
    assert read_date(cell, date_format) == day


@pytest.mark.parametrize("cell", ["09/28/17", "03/04/2019"])
def test_read_date_refuses_to_guess(cell: str) -> None:
    with pytest.raises(BadRecord) as refused:
        read_date(cell)
    assert refused.value.reason == AMBIGUOUS_DATE


def test_language_tag() -> None:
    assert [language_tag(name) for name in ("Russian", "español", "Deutsch", "RU", "en-us")] == [
        "ru",
        "es",
        "de",
        "ru",
        "en-US",
    ]
    assert language_tag("Martian") is None and language_tag("xx") is None


def test_map_stored_label_reaches_claimreview_imports(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    records = [review("https://www.politifact.com/1/", "Claim.", "Distorts the Facts")]
    assert run_import(app, "claimreview", write(tmp_path, "f.json", records)).exit_code == 0
    # ClaimReview records keep their label in the publication (what readers see).
    verdict = db_session.scalar(select(Verdict))
    assert verdict is not None and verdict.label_id is None

    done = map_stored_label(db_session, "distorts the facts", scale_label(db_session, "Mostly false"))

    assert (done.changed, done.unchanged, done.edited_here) == (1, 0, 0)
    assert verdict.label is not None and verdict.label.key == "mostly-false"


def test_reimporting_a_claimreview_file_keeps_a_label_mapped_by_command(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(
        tmp_path, "f.json", [review("https://www.politifact.com/1/", "Claim.", "Distorts the Facts")]
    )
    assert run_import(app, "claimreview", path).exit_code == 0
    assert labels_map(app, "distorts the facts", "Mostly false").exit_code == 0

    again = run_import(app, "claimreview", path)

    assert again.output.startswith("Created 0, updated 0, unchanged 1"), again.output
    db_session.expire_all()
    verdict = db_session.scalar(select(Verdict))
    assert verdict is not None and verdict.label is not None and verdict.label.key == "mostly-false"


def test_parse_review_keeps_venue_text(tmp_path: Path) -> None:
    record = review("https://www.politifact.com/1/", "Claim.", "False")
    record["itemReviewed"]["firstAppearance"] = "a TV ad"
    parsed = parse_review(record)
    assert [(a.url, a.title) for a in parsed.appearances] == [("", "a TV ad")]


def test_appearance_with_only_a_venue_is_allowed_and_one_with_nothing_is_not(db_session: Session) -> None:
    claim = Claim(text="T.", claimant="C.")
    claim.appearances.append(Appearance(venue="a mailer"))
    db_session.add(claim)
    db_session.commit()
    claim.appearances.append(Appearance())
    with pytest.raises(IntegrityError):
        db_session.commit()
    db_session.rollback()


def test_gzipped_input_is_read_as_it_is_asked_for(tmp_path: Path) -> None:
    """A .gz file is never held whole: records and rows are read a line at a time."""
    consumed: list[str] = []

    def lines(text: str) -> Iterator[str]:
        for line in text.splitlines(keepends=True):
            consumed.append(line)
            yield line

    records = "".join(
        script_line(review(f"https://www.politifact.com/{n}/", "C.", "False")) + "\n" for n in range(50)
    )
    first = next(read_record_stream(lines(records)))
    assert first.location == "line 1" and len(consumed) <= 2

    consumed.clear()
    rows = iter_csv(lines(sheet([row(f"Claim {n}.") for n in range(50)])))
    assert next(rows).cells["claim"] == "Claim 0." and len(consumed) <= 3


def test_an_export_keeps_what_the_import_kept_and_imports_back_as_the_same_rows(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    rows = [
        row(
            "Says the mailer lied.",
            "Pants on Fire",
            publisher="PolitiFact",
            language="español",
            appearances="a mailer",
            claim_date="2017-09-28",
        )
    ]
    run_import(app, "claims", write(tmp_path, "a.csv", sheet(rows)))
    exported = tmp_path / "export.csv"
    assert app.test_cli_runner().invoke(args=["export", "claims", "-o", str(exported)]).exit_code == 0

    (line,) = list(csv.DictReader(io.StringIO(exported.read_text("utf-8-sig"))))
    assert (line["Verdict label (draft)"], line["Imported label"], line["Imported from publisher"]) == (
        "False",
        "Pants on Fire",
        "PolitiFact",
    )
    assert (line["Language"], line["Appearances"]) == ("es", "a mailer")

    # Without its Claim ID (as in another database), the row is the one imported: same identity.
    line["Claim ID"] = ""
    again = run_import(app, "claims", write(tmp_path, "back.csv", csv_text([line], list(line))))
    assert again.output.startswith("Created 0, updated 0, skipped 1"), again.output
    assert "already imported: 1" in again.output
