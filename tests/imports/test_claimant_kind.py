"""The claimant's kind from ClaimReview ``itemReviewed.author.@type``, and back out in our markup."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.claimant_kinds import kind_of_author
from factcheck.claims.models import Claim, ClaimantKind
from factcheck.publishing.models import Publication
from tests.claims.desk import make_claim
from tests.imports.samples import claim_by_key, rendered_review, review, run_import, script_line, write

URL = "https://www.politifact.com/factchecks/2020/jan/01/kinds/"


def _record(author: Any) -> dict[str, Any]:
    record = review(URL, "Says taxes went up.", "False", claimant="Senate Democrats")
    record["itemReviewed"]["author"] = author
    return record


@pytest.mark.parametrize(
    ("author", "kind"),
    [
        ({"@type": "Person", "name": "A"}, ClaimantKind.PERSON),
        ({"@type": "schema:Person", "name": "A"}, ClaimantKind.PERSON),
        ({"@type": "Organization", "name": "A"}, ClaimantKind.ORGANISATION),
        ({"@type": "https://schema.org/GovernmentOrganization", "name": "A"}, ClaimantKind.ORGANISATION),
        ({"@type": "NewsMediaOrganization", "name": "A"}, ClaimantKind.ORGANISATION),
        ({"@type": "PoliticalParty", "name": "A"}, ClaimantKind.ORGANISATION),
        ({"@type": ["Thing", "Organization"], "name": "A"}, ClaimantKind.ORGANISATION),
        ({"@type": "Thing", "name": "A"}, ClaimantKind.UNKNOWN),
        ({"name": "A"}, ClaimantKind.UNKNOWN),
        ("A", ClaimantKind.UNKNOWN),
        (None, ClaimantKind.UNKNOWN),
        ({"@type": ["Person", "Organization"], "name": "A"}, ClaimantKind.UNKNOWN),
        ([{"@type": "Person", "name": "A"}, {"@type": "Person", "name": "B"}], ClaimantKind.PERSON),
        ([{"@type": "Person", "name": "A"}, {"@type": "Organization", "name": "B"}], ClaimantKind.UNKNOWN),
    ],
)
def test_author_type_gives_the_kind(author: Any, kind: ClaimantKind) -> None:
    assert kind_of_author(author) is kind


@pytest.mark.parametrize(
    ("author", "kind", "schema_type"),
    [
        ({"@type": "PoliticalParty", "name": "Senate Democrats"}, ClaimantKind.ORGANISATION, "Organization"),
        ({"@type": "Person", "name": "Senate Democrats"}, ClaimantKind.PERSON, "Person"),
        ({"name": "Senate Democrats"}, ClaimantKind.UNKNOWN, "Thing"),
    ],
)
def test_import_keeps_the_kind_and_our_markup_says_it(
    app: Flask, db_session: Session, tmp_path: Path, author: Any, kind: ClaimantKind, schema_type: str
) -> None:
    path = write(tmp_path, "kinds.txt", script_line(_record(author)) + "\n")

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 0, result.output
    claim = claim_by_key(db_session, URL)
    assert claim.claimant_kind is kind
    markup = rendered_review(app, db_session, claim)
    assert markup["itemReviewed"]["author"] == {"@type": schema_type, "name": "Senate Democrats"}


def test_a_record_imported_before_kinds_existed_is_not_updated_for_its_kind(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "kinds.txt", script_line(_record({"@type": "Organization", "name": "X"})) + "\n")
    assert run_import(app, "claimreview", path).exit_code == 0
    claim = claim_by_key(db_session, URL)
    # As an import made before revision 0006 stored it: no kind in the snapshot or on the claim.
    publication = db_session.scalars(select(Publication).where(Publication.claim_id == claim.id)).one()
    publication.snapshot = {k: v for k, v in publication.snapshot.items() if k != "claimant_kind"}
    claim.claimant_kind = ClaimantKind.UNKNOWN
    db_session.commit()

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 0, result.output
    assert "updated 0" in result.output, result.output
    claim = claim_by_key(db_session, URL)
    assert len(claim.publications) == 1
    assert claim.claimant_kind is ClaimantKind.ORGANISATION
    assert rendered_review(app, db_session, claim)["itemReviewed"]["author"]["@type"] == "Thing"


# --- the claims CSV: the Claimant kind column -------------------------------------------------


def _csv(rows: list[dict[str, str]]) -> str:
    headers = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _kind_of(db: Session, text: str) -> ClaimantKind:
    db.expire_all()
    return db.scalars(select(Claim.claimant_kind).where(Claim.text == text)).one()


def test_the_csv_column_gives_the_kind_and_a_bad_one_skips_the_row(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    rows = [
        {"Claim": "One.", "Claimant": "Senate Democrats", "Claimant kind": "Organisation"},
        {"Claim": "Two.", "Claimant": "Facebook posts", "Claimant kind": "organization"},
        {"Claim": "Three.", "Claimant": "Ann", "Claimant kind": "person"},
        {"Claim": "Four.", "Claimant": "Bob", "Claimant kind": ""},
        {"Claim": "Five.", "Claimant": "Eve", "Claimant kind": "robot"},
    ]
    path = write(tmp_path, "claims.csv", _csv(rows))

    result = run_import(app, "claims", path)

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 4, updated 0, skipped 1"), result.output
    assert "unknown claimant kind: 1" in result.output and "line 6" in result.output
    assert [_kind_of(db_session, text) for text in ("One.", "Two.", "Three.", "Four.")] == [
        ClaimantKind.ORGANISATION,
        ClaimantKind.ORGANISATION,
        ClaimantKind.PERSON,
        ClaimantKind.UNKNOWN,
    ]


def test_a_csv_without_the_column_is_unknown(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "old.csv", _csv([{"claim": "Old export.", "claimant": "Someone"}]))

    assert run_import(app, "claims", path).exit_code == 0

    assert _kind_of(db_session, "Old export.") is ClaimantKind.UNKNOWN


def test_the_kind_survives_a_csv_export_and_import(
    app: Flask, db_session: Session, tmp_path: Path, make_user: Callable[..., User]
) -> None:
    claim = make_claim(db_session, make_user(Role.EDITOR), text="Round trip.", claimant="NATO")
    claim.claimant_kind = ClaimantKind.ORGANISATION
    db_session.commit()
    exported = tmp_path / "export.csv"
    assert app.test_cli_runner().invoke(args=["export", "claims", "-o", str(exported)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(exported.read_text("utf-8-sig"))))
    assert rows[0]["Claimant kind"] == "organisation"
    # Into another database, as it were: the id names no claim there.
    rows[0]["Claim ID"] = "999999"

    result = run_import(app, "claims", write(tmp_path, "other.csv", _csv(rows)))

    assert result.output.startswith("Created 1"), result.output
    copies = db_session.scalars(select(Claim).where(Claim.text == "Round trip.").order_by(Claim.id)).all()
    assert [copy.claimant_kind for copy in copies] == [ClaimantKind.ORGANISATION] * 2
