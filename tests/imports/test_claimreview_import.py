"""`factcheck import claimreview`: the shapes it reads, what it stores, and what it reports."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Appearance, Claim, ClaimState
from factcheck.publishing.models import Publication, PublicationKind
from tests.imports.samples import (
    GOOD_LINES,
    LOBBYIST,
    MISSING_CONTEXT,
    PINOCCHIOS,
    WHALES,
    claim_by_key,
    claim_count,
    rendered_review,
    review,
    run_import,
    sample_lines,
    script_line,
    write,
)


def _when(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


# --- the aggregator's line-per-record shape -----------------------------------------------------


def test_script_lines_import_and_bad_lines_are_reported_by_number(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "fact_checks.txt", sample_lines())

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Created 4, updated 0, unchanged 0, older ignored 0, skipped 5 (9 records) in "
    )
    output = result.output
    assert "invalid JSON: 1" in output and re.search(r"line 4: .*column", output)
    assert "not a ClaimReview: 1" in output and 'line 5: @type is "WebPage"' in output
    assert "unparseable date: 1" in output and 'line 8: datePublished "23/02/2017"' in output
    assert "url not http(s): 1" in output and "line 9: url" in output
    assert "missing claimReviewed: 1" in output and "line 10" in output
    assert "line 6" not in output
    assert "No datePublished, so stored with its date unknown: 1 (line 3)" in output
    assert claim_count(db_session) == 4
    for record in GOOD_LINES.values():
        claim = claim_by_key(db_session, record["url"])
        assert claim.state == ClaimState.PUBLISHED and claim.slug
        assert [p.revision for p in claim.publications] == [1]


def test_a_record_becomes_a_published_claim_with_verdict_and_publication(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "f.txt", sample_lines()))

    whales = claim_by_key(db_session, WHALES["url"])
    # The quotation marks the publisher wrapped the claim in are not part of it.
    assert whales.text == "Japanese whaling crew eaten alive by killer whales, 16 dead."
    assert whales.claimant == "Bloggers"
    assert whales.claimed_on == date(2017, 2, 11)
    assert whales.slug == "japanese-whaling-crew-eaten-alive-by-killer-whales-16-dead"
    assert [t.to_state for t in whales.transitions] == [ClaimState.PUBLISHED]
    assert whales.transitions[0].comment.startswith("Imported from ")
    assert whales.verdict.label.key == "false"
    assert (
        whales.verdict.headline
        == "Pants on Fire: Japanese whaling crew eaten alive by killer whales, 16 dead."
    )
    publication = whales.publications[0]
    assert publication.kind == PublicationKind.PUBLICATION and publication.published_by_id is None
    assert publication.label_name == "Pants on Fire"
    assert publication.published_at == datetime(2017, 2, 23, tzinfo=UTC)
    assert publication.snapshot["review_url"] == WHALES["url"]
    assert publication.snapshot["review_author"] == {
        "name": "PolitiFact",
        "url": "https://www.politifact.com",
    }
    assert publication.snapshot["claim"] == WHALES["claimReviewed"]
    assert "pants on fire" in publication.search_text

    lobbyist = claim_by_key(db_session, LOBBYIST["url"])
    assert lobbyist.text == "Jim Renacci\u2019s been a lobbyist even while in Congress."

    tweet = claim_by_key(db_session, MISSING_CONTEXT["url"])
    assert [(a.url, a.appeared_on) for a in tweet.appearances] == [
        ("https://twitter.com/example/status/1", date(2019, 3, 4)),
        ("https://www.youtube.com/watch?v=abc", None),
    ]
    assert tweet.verdict.label.key == "misleading"
    # A time with a zone offset is kept as the same instant.
    assert tweet.publications[0].published_at == datetime(2019, 3, 5, 19, 30, tzinfo=UTC)


def test_the_published_claimreview_gives_the_record_back(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "f.txt", sample_lines()))

    for record in (WHALES, LOBBYIST, MISSING_CONTEXT):
        claim = claim_by_key(db_session, record["url"])
        markup = rendered_review(app, db_session, claim)
        assert markup["url"] == record["url"]
        assert markup["author"]["name"] == record["author"]["name"]
        assert markup["author"]["url"] == record["author"]["url"]
        assert markup["claimReviewed"] == record["claimReviewed"]
        assert markup["reviewRating"] == {
            "@type": "Rating",
            "alternateName": record["reviewRating"]["alternateName"],
        }
        assert _when(markup["datePublished"]) == _when(record["datePublished"])
        assert markup["itemReviewed"]["author"]["name"] == record["itemReviewed"]["author"]["name"]
        assert markup["itemReviewed"]["datePublished"] == record["itemReviewed"]["datePublished"]
    first = rendered_review(app, db_session, claim_by_key(db_session, MISSING_CONTEXT["url"]))["itemReviewed"]
    assert first["firstAppearance"] == MISSING_CONTEXT["itemReviewed"]["firstAppearance"]
    assert [work["url"] for work in first["appearance"]] == [
        "https://twitter.com/example/status/1",
        "https://www.youtube.com/watch?v=abc",
    ]


def test_the_public_page_carries_the_imported_markup(
    app: Flask, client: Any, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "f.txt", script_line(LOBBYIST)))
    claim = claim_by_key(db_session, LOBBYIST["url"])

    page = client.get(f"/checks/{claim.slug}")

    assert page.status_code == 200
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', page.get_data(as_text=True), re.S
    )
    markup = next(json.loads(block) for block in blocks if '"ClaimReview"' in block)
    assert markup["url"] == LOBBYIST["url"]
    assert markup["author"]["name"] == "FactCheck.org"
    assert markup["reviewRating"]["alternateName"] == "Not the Whole Story"
    assert markup["claimReviewed"] == LOBBYIST["claimReviewed"]


def test_a_missing_date_publishes_at_the_import_time(app: Flask, db_session: Session, tmp_path: Path) -> None:
    before = datetime.now(UTC)
    run_import(app, "claimreview", write(tmp_path, "f.txt", script_line(PINOCCHIOS)))

    claim = claim_by_key(db_session, PINOCCHIOS["url"])
    assert claim.publications[0].published_at >= before.replace(microsecond=0)
    assert claim.verdict.label.key == "false"
    # "The Washington Post" and "Washington Post" sign as they were published.
    assert claim.publications[0].snapshot["review_author"]["name"] == "The Washington Post"


# --- JSON documents -----------------------------------------------------------------------------


def test_a_single_object(app: Flask, db_session: Session, tmp_path: Path) -> None:
    result = run_import(app, "claimreview", write(tmp_path, "one.json", WHALES))

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 1, updated 0, unchanged 0, older ignored 0, skipped 0")
    assert claim_by_key(db_session, WHALES["url"]).text.startswith("Japanese whaling crew")


def test_an_array_reports_bad_elements_by_index(app: Flask, db_session: Session, tmp_path: Path) -> None:
    document = [WHALES, {"@type": "Person", "name": "Nobody"}, LOBBYIST, review(None, "", "False")]

    result = run_import(app, "claimreview", write(tmp_path, "array.json", document))

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 2, updated 0, unchanged 0, older ignored 0, skipped 2")
    assert 'index 1: @type is "Person"' in result.output
    assert "missing claimReviewed: 1" in result.output and "    index 3" in result.output
    assert claim_count(db_session) == 2


def test_a_data_feed(app: Flask, db_session: Session, tmp_path: Path) -> None:
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": "Another newsroom",
        "dataFeedElement": [
            {k: v for k, v in WHALES.items() if k != "@context"},
            {"@type": "DataFeedItem", "item": LOBBYIST},
            "not an object",
        ],
    }

    result = run_import(app, "claimreview", write(tmp_path, "feed.json", feed))

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 2, updated 0, unchanged 0, older ignored 0, skipped 1")
    assert "index 2: a JSON string, not an object" in result.output
    claim_by_key(db_session, WHALES["url"])
    claim_by_key(db_session, LOBBYIST["url"])


def test_ndjson_lines(app: Flask, db_session: Session, tmp_path: Path) -> None:
    text = json.dumps(WHALES) + "\n" + json.dumps(LOBBYIST) + "\n"

    result = run_import(app, "claimreview", write(tmp_path, "feed.ndjson", text))

    assert result.exit_code == 0, result.output
    assert claim_count(db_session) == 2


def test_a_record_without_url_is_keyed_by_its_content(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    record = review(None, "No address for this one.", "False")
    path = write(tmp_path, "one.json", record)

    run_import(app, "claimreview", path)
    again = run_import(app, "claimreview", path)

    claim = db_session.scalar(select(Claim).where(Claim.text == "No address for this one."))
    assert claim is not None and claim.imported_from.startswith("sha256:")
    assert "review_url" not in claim.publications[0].snapshot
    assert again.output.startswith("Created 0, updated 0, unchanged 1, older ignored 0, skipped 0")


# --- labels -------------------------------------------------------------------------------------


def test_unmapped_labels_are_kept_verbatim_and_counted(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    records = [
        review(
            f"https://www.factcheck.org/{n}/", f"Claim number {n}.", label, author={"name": "FactCheck.org"}
        )
        for n, label in enumerate(["Spins the Facts", "spins the facts", "Not the Whole Story", "False"])
    ]

    result = run_import(app, "claimreview", write(tmp_path, "a.json", records))

    assert result.exit_code == 0, result.output
    assert "Unmapped labels (3 records" in result.output
    assert "      2  Spins the Facts (also 'spins the facts')" in result.output
    assert "      1  Not the Whole Story" in result.output
    claim = claim_by_key(db_session, "https://www.factcheck.org/1/")
    assert claim.verdict.label_id is None
    assert claim.publications[0].label_name == "spins the facts"
    assert claim.publications[0].snapshot["label"]["name"] == "spins the facts"
    assert claim.publications[0].snapshot["label"]["key"] is None
    assert claim_by_key(db_session, "https://www.factcheck.org/3/").verdict.label.key == "false"


def test_a_map_file_overrides_the_configured_map(app: Flask, db_session: Session, tmp_path: Path) -> None:
    mapping = write(tmp_path, "map.json", {"not the whole story": "misleading", "Pants on Fire!": None})

    result = run_import(app, "claimreview", write(tmp_path, "f.json", [WHALES, LOBBYIST]), "--map", mapping)

    assert result.exit_code == 0, result.output
    assert claim_by_key(db_session, LOBBYIST["url"]).verdict.label.key == "misleading"
    assert claim_by_key(db_session, WHALES["url"]).verdict.label_id is None
    assert "      1  Pants on Fire" in result.output


def test_the_configured_map_comes_from_config(make_app: Any, db_session: Session, tmp_path: Path) -> None:
    app = make_app(IMPORT_LABEL_MAP=json.dumps({"Not the Whole Story": "mostly-true"}))

    result = run_import(app, "claimreview", write(tmp_path, "f.json", [WHALES, LOBBYIST]))

    assert result.exit_code == 0, result.output
    assert claim_by_key(db_session, LOBBYIST["url"]).verdict.label.key == "mostly-true"
    # Only the configured entries: PolitiFact's label is not in this map, and not on our scale.
    assert claim_by_key(db_session, WHALES["url"]).verdict.label_id is None


def test_a_map_naming_no_label_of_the_scale_is_reported(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    mapping = write(tmp_path, "map.json", {"Not the Whole Story": "half-true"})

    result = run_import(app, "claimreview", write(tmp_path, "f.json", [LOBBYIST]), "--map", mapping)

    assert result.exit_code == 0
    assert "Warning: the label map sends 'Not the Whole Story' to 'half-true'" in result.output


def test_a_bad_map_file_stops_the_import(app: Flask, db_session: Session, tmp_path: Path) -> None:
    mapping = write(tmp_path, "map.json", "{not json")

    result = run_import(app, "claimreview", write(tmp_path, "f.json", [WHALES]), "--map", mapping)

    assert result.exit_code == 1
    assert result.output.startswith("Error: the label map") and result.output.count("\n") == 1
    assert claim_count(db_session) == 0


def test_numbers_map_when_no_name_does(app: Flask, db_session: Session, tmp_path: Path) -> None:
    record = review("https://example.org/graded/", "Graded on ten.", "Grade C")
    record["reviewRating"].update(ratingValue=7, bestRating=10, worstRating=1)

    result = run_import(app, "claimreview", write(tmp_path, "f.json", record))

    claim = claim_by_key(db_session, "https://example.org/graded/")
    # 7 on 1..10 is two thirds of the way: 3.67 on our 1..5, nearest 4 (Mostly true).
    assert claim.verdict.label.key == "mostly-true"
    assert "'Grade C' (7 from 1 to 10) -> Mostly true" in result.output
    markup = rendered_review(app, db_session, claim)
    assert markup["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Grade C",
        "ratingValue": 7,
        "worstRating": 1,
        "bestRating": 10,
    }


# --- importing again --------------------------------------------------------------------------


def test_importing_again_creates_nothing(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "f.txt", sample_lines())
    run_import(app, "claimreview", path)
    publications = db_session.scalar(select(func.count()).select_from(Publication))

    again = run_import(app, "claimreview", path)

    assert again.exit_code == 0, again.output
    assert again.output.startswith("Created 0, updated 0, unchanged 4, older ignored 0, skipped 5")
    assert "already imported" not in again.output
    assert claim_count(db_session) == 4
    assert db_session.scalar(select(func.count()).select_from(Publication)) == publications


def test_a_record_repeated_in_the_file_is_imported_once(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    text = script_line(WHALES) + "\n" + script_line(WHALES) + "\n"

    result = run_import(app, "claimreview", write(tmp_path, "f.txt", text))

    assert result.output.startswith("Created 1, updated 0, unchanged 0, older ignored 0, skipped 1")
    assert "line 2: the same record as line 1" in result.output


def test_new_corrections_become_revisions(app: Flask, db_session: Session, tmp_path: Path) -> None:
    run_import(app, "claimreview", write(tmp_path, "f.json", WHALES))
    corrected = {
        **WHALES,
        "correction": [
            {
                "@type": "CorrectionComment",
                "text": "Correction: The crew was not Japanese.",
                "datePublished": "2017-03-01",
            }
        ],
    }

    result = run_import(app, "claimreview", write(tmp_path, "g.json", corrected))

    assert result.output.startswith("Created 0, updated 1, unchanged 0, older ignored 0, skipped 0")
    assert "new corrections: 1" in result.output
    claim = claim_by_key(db_session, WHALES["url"])
    assert [(p.revision, p.kind, p.note) for p in claim.publications] == [
        (1, PublicationKind.PUBLICATION, None),
        (2, PublicationKind.CORRECTION, "The crew was not Japanese."),
    ]
    markup = rendered_review(app, db_session, claim)
    assert markup["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Correction: The crew was not Japanese.",
            "datePublished": "2017-03-01T00:00:00+00:00",
        }
    ]
    assert run_import(app, "claimreview", write(tmp_path, "g.json", corrected)).output.startswith(
        "Created 0, updated 0, unchanged 1, older ignored 0, skipped 0"
    )


def test_a_record_changed_at_its_source_gets_an_update(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "f.json", WHALES))
    changed = {
        **WHALES,
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "dateModified": "2017-03-02",
    }

    result = run_import(app, "claimreview", write(tmp_path, "g.json", changed))

    assert result.output.startswith("Created 0, updated 1, unchanged 0, older ignored 0, skipped 0")
    claim = claim_by_key(db_session, WHALES["url"])
    latest = claim.publications[-1]
    assert latest.kind == PublicationKind.UPDATE and "re-imported from" in latest.note
    assert latest.label_name == "False" and claim.publications[0].label_name == "Pants on Fire"
    assert rendered_review(app, db_session, claim)["reviewRating"]["alternateName"] == "False"


def test_a_new_label_map_relabels_the_verdict_only(app: Flask, db_session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, "f.json", LOBBYIST)
    run_import(app, "claimreview", path)
    mapping = write(tmp_path, "map.json", {"Not the Whole Story": "misleading"})

    result = run_import(app, "claimreview", path, "--map", mapping)

    assert result.output.startswith("Created 0, updated 1, unchanged 0, older ignored 0, skipped 0")
    assert "the label map gives the verdict another label: 1" in result.output
    claim = claim_by_key(db_session, LOBBYIST["url"])
    assert claim.verdict.label.key == "misleading"
    assert len(claim.publications) == 1


# --- failures -----------------------------------------------------------------------------------


def test_a_missing_file_is_one_error_line(app: Flask, db_session: Session, tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", WHALES)

    result = run_import(app, "claimreview", good, tmp_path / "missing.json")

    assert result.exit_code == 1
    assert result.output == f"Error: cannot read {tmp_path / 'missing.json'}: No such file or directory\n"
    assert claim_count(db_session) == 0


def test_a_json_document_that_does_not_parse_is_one_error_line(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "broken.json", '[\n  {"@type": "ClaimReview",\n  oops\n]')

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 1
    assert (
        result.output.startswith(f"Error: cannot read {path}: not valid JSON (") and "line 3" in result.output
    )


def test_nothing_importable_exits_1(app: Flask, db_session: Session, tmp_path: Path) -> None:
    text = script_line({"@type": "WebPage"}) + "\n" + "<p>hello</p>\n"

    result = run_import(app, "claimreview", write(tmp_path, "f.txt", text))

    assert result.exit_code == 1
    assert "not a ClaimReview: 1" in result.output and "invalid JSON: 1" in result.output
    assert "Error: nothing was imported" in result.output


def test_a_database_refusal_undoes_only_that_record(
    app: Flask, db_session: Session, tmp_path: Path, monkeypatch: Any
) -> None:
    # Two records given the same slug: the second insert breaks the unique constraint.
    monkeypatch.setattr("factcheck.imports.store.unique_slug", lambda *_args: "same-slug")
    second = review("https://www.politifact.com/second/", "Second claim.", "False")
    second["itemReviewed"]["url"] = "https://example.org/where-it-appeared"

    result = run_import(app, "claimreview", write(tmp_path, "f.json", [WHALES, second, LOBBYIST]))

    assert result.exit_code == 0, result.output
    assert "refused by the database: 2" in result.output and "index 1:" in result.output
    assert claim_count(db_session) == 1
    assert db_session.scalar(select(func.count()).select_from(Appearance)) == 0
    assert db_session.scalar(select(func.count()).select_from(Publication)) == 1


# --- audit ----------------------------------------------------------------------------------------


def test_the_history_attributes_the_import_to_the_command(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "f.json", [WHALES, LOBBYIST])

    run_import(app, "claimreview", path)

    claim = claim_by_key(db_session, WHALES["url"])
    changesets = db_session.scalars(
        select(AuditChangeset)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.claim_id == claim.id)
        .distinct()
    ).all()
    assert changesets
    for changeset in changesets:
        assert changeset.origin == "cli"
        assert changeset.actor_name.startswith("factcheck import claimreview (command line")
        assert changeset.reason == f"Imported from {path}"
    tables = set(db_session.scalars(select(AuditChange.table_name).where(AuditChange.claim_id == claim.id)))
    assert {"claims", "verdicts", "publications", "claim_transitions"} <= tables


def test_a_long_import_commits_in_batches(
    app: Flask, db_session: Session, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr("factcheck.imports.cli.COMMIT_EVERY", 2)
    # Batches by count only, however slow the machine.
    monkeypatch.setattr("factcheck.imports.cli.COMMIT_SECONDS", float("inf"))
    records = [review(f"https://example.org/{n}", f"Claim {n}.", "False") for n in range(5)]
    records.insert(3, {"@type": "WebPage"})
    path = write(tmp_path, "many.json", records)

    result = run_import(app, "claimreview", path)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Created 5, updated 0, unchanged 0, older ignored 0, skipped 1 (6 records)"
    )
    assert claim_count(db_session) == 5
    assert run_import(app, "claimreview", path).output.startswith(
        "Created 0, updated 0, unchanged 5, older ignored 0, skipped 1"
    )
