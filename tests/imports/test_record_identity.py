"""Issue 11, items 1-3: a record is its own identity (not its review URL alone), insignificant
differences change nothing, and an older crawl never overwrites a newer one.

The records are hand-made in the shape of the Data Commons sample: an article that reviews
several claims publishes one ClaimReview per claim with the same ``url``; crawls spell the same
thing differently (http/https, ``www.``, a trailing slash, "The Washington Post" and
"Washington Post", straight and curly quotes); ``dateModified`` is rare, ``datePublished`` common.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.imports.identity import canonical_url, comparable, normalised_claim, url_claim_key
from factcheck.publishing.models import Publication, PublicationKind
from tests.imports.samples import (
    WAPO,
    claim_by_key,
    claim_count,
    claims_of_review,
    rendered_review,
    review,
    run_import,
    script_line,
    write,
)

# One article of The Washington Post's that reviews two claims (two ClaimReviews, one url).
ARTICLE = "https://www.washingtonpost.com/politics/2018/09/05/kavanaugh-hearing-fact-check/"
KAVANAUGH = review(
    ARTICLE,
    "\u201cI\u2019ve never taken a position on Roe v. Wade.\u201d",
    "Two Pinocchios",
    author={**WAPO, "name": "The Washington Post"},
    claimant="Brett Kavanaugh",
    published="2018-09-05",
    claimed="2018-09-04",
)
GRASSLEY = review(
    ARTICLE,
    '"No nominee has ever had more documents released."',
    "Three Pinocchios",
    author={**WAPO, "name": "The Washington Post"},
    claimant="Chuck Grassley",
    published="2018-09-05",
    claimed="2018-09-04",
)


def lines(*records: dict[str, Any]) -> str:
    return "\n".join(script_line(record) for record in records) + "\n"


def later_revisions(db: Session) -> int:
    """What /corrections lists: every revision after a claim's first."""
    return (
        db.scalar(
            select(func.count())
            .select_from(Publication)
            .where(Publication.kind != PublicationKind.PUBLICATION)
        )
        or 0
    )


def page(client: FlaskClient, claim: Claim) -> str:
    response = client.get(f"/checks/{claim.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- 1. identity ----------------------------------------------------------------------------------


def test_the_claims_of_one_article_are_each_a_claim_with_its_own_page(
    app: Flask, db_session: Session, client: FlaskClient, tmp_path: Path
) -> None:
    result = run_import(app, "claimreview", write(tmp_path, "crawl.txt", lines(KAVANAUGH, GRASSLEY)))

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 2, updated 0, unchanged 0, older ignored 0, skipped 0"), (
        result.output
    )
    assert "repeated in the input" not in result.output
    kavanaugh, grassley = claims_of_review(db_session, ARTICLE)
    assert kavanaugh.text == "I\u2019ve never taken a position on Roe v. Wade."
    assert grassley.text == "No nominee has ever had more documents released."
    assert kavanaugh.slug != grassley.slug
    assert "Roe v. Wade" in page(client, kavanaugh) and "documents released" not in page(client, kavanaugh)
    assert "documents released" in page(client, grassley)
    # Both link to the same original review.
    assert rendered_review(app, db_session, kavanaugh)["url"] == ARTICLE
    assert rendered_review(app, db_session, grassley)["url"] == ARTICLE


def test_the_same_record_twice_in_a_file_is_reported_as_repeated(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    # The same claim, spelt with straight quotes and spaces: the same record.
    again = {**KAVANAUGH, "claimReviewed": '  "I\'ve never taken  a position on Roe v. Wade." '}

    result = run_import(app, "claimreview", write(tmp_path, "crawl.txt", lines(KAVANAUGH, again)))

    assert result.output.startswith("Created 1, updated 0, unchanged 0, older ignored 0, skipped 1"), (
        result.output
    )
    assert "repeated in the input: 1" in result.output
    assert "line 2: the same record as line 1" in result.output


def test_a_later_crawl_never_replaces_another_claim_of_the_same_article(
    app: Flask, db_session: Session, client: FlaskClient, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "first.txt", lines(KAVANAUGH)))
    kavanaugh = claim_by_key(db_session, ARTICLE)

    result = run_import(app, "claimreview", write(tmp_path, "second.txt", lines(GRASSLEY)))

    assert result.output.startswith("Created 1, updated 0, unchanged 0, older ignored 0, skipped 0"), (
        result.output
    )
    db_session.expire_all()
    first, second = claims_of_review(db_session, ARTICLE)
    assert first.id == kavanaugh.id and second.text.startswith("No nominee")
    assert "Roe v. Wade" in page(client, kavanaugh)
    assert "documents released" not in page(client, kavanaugh)
    assert len(kavanaugh.publications) == 1


def test_a_record_with_its_own_identifier_is_found_by_it(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    first = {**KAVANAUGH, "@id": "https://www.washingtonpost.com/claimreview/8841"}
    second = {**GRASSLEY, "identifier": {"@type": "PropertyValue", "value": "8842"}}
    run_import(app, "claimreview", write(tmp_path, "ids.txt", lines(first, second)))
    # The publisher reworded the claim the next day: the same record, by its identifier.
    reworded = {
        **first,
        "claimReviewed": "I have never taken a position on Roe v. Wade.",
        "dateModified": "2018-09-06",
    }

    result = run_import(app, "claimreview", write(tmp_path, "later.txt", lines(reworded, second)))

    assert result.output.startswith("Created 0, updated 1, unchanged 1, older ignored 0, skipped 0"), (
        result.output
    )
    claim = claim_by_key(db_session, "id:https://www.washingtonpost.com/claimreview/8841")
    assert claim.text == "I have never taken a position on Roe v. Wade."
    assert claim_count(db_session) == 2


def test_an_identifier_seen_later_finds_the_claim_imported_without_it(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "old.txt", lines(KAVANAUGH)))
    with_id = {**KAVANAUGH, "@id": "https://www.washingtonpost.com/claimreview/8841"}

    result = run_import(app, "claimreview", write(tmp_path, "new.txt", lines(with_id)))

    assert result.output.startswith("Created 0, updated 0, unchanged 1"), result.output
    claim = claim_by_key(db_session, "id:https://www.washingtonpost.com/claimreview/8841")
    assert claim_count(db_session) == 1 and len(claim.publications) == 1


def test_an_identifier_that_only_repeats_the_url_is_not_an_identity() -> None:
    from factcheck.imports.identity import own_identifier

    assert own_identifier({"@id": ARTICLE.replace("https://www.", "http://")}, ARTICLE) is None
    assert own_identifier({"@id": "_:b0"}, ARTICLE) is None
    assert own_identifier({"identifier": 8841}, ARTICLE) == "8841"


# --- 2. insignificant differences ---------------------------------------------------------------


def respelt(record: dict[str, Any]) -> dict[str, Any]:
    """The record as another crawl spells it: nothing a reader would call a change."""
    author = record["author"]
    name = author["name"]
    return {
        **record,
        "url": record["url"].replace("https://www.", "http://")
        + ("" if record["url"].endswith("/") else "/"),
        "author": {
            **author,
            "name": name.removeprefix("The ") if name.startswith("The ") else f"The {name}",
            "url": author["url"].replace("https://www.", "HTTPS://WWW.").rstrip("/") + ":443/",
        },
        "claimReviewed": record["claimReviewed"]
        .replace("\u2019", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace(" ", "  "),
    }


def test_a_crawl_that_differs_only_in_spelling_changes_nothing(
    app: Flask, db_session: Session, client: FlaskClient, tmp_path: Path
) -> None:
    crawl_a = write(tmp_path, "a.txt", lines(KAVANAUGH, GRASSLEY))
    crawl_b = write(tmp_path, "b.txt", lines(respelt(KAVANAUGH), respelt(GRASSLEY)))
    run_import(app, "claimreview", crawl_a)
    publications = db_session.scalar(select(func.count()).select_from(Publication))

    outputs = [run_import(app, "claimreview", crawl).output for crawl in (crawl_b, crawl_a, crawl_b, crawl_a)]

    for output in outputs:
        assert output.startswith("Created 0, updated 0, unchanged 2, older ignored 0, skipped 0"), output
    assert db_session.scalar(select(func.count()).select_from(Publication)) == publications
    assert later_revisions(db_session) == 0
    corrections = client.get("/corrections").get_data(as_text=True)
    assert all(f"/checks/{claim.slug}" not in corrections for claim in claims_of_review(db_session, ARTICLE))


def test_normalised_forms() -> None:
    assert canonical_url("HTTP://WWW.PolitiFact.com:80/") == canonical_url("https://politifact.com")
    assert canonical_url("https://example.org/a/?id=1#top") == "https://example.org/a?id=1"
    assert normalised_claim("\u201cIt\u2019s  true.\u201d") == normalised_claim("It's true.")
    # A pair the source mixed (a straight opening, a curly closing) is still a pair.
    assert normalised_claim('"It is true.\u201d') == normalised_claim("It is true.")
    assert comparable({"review_author": {"name": "The Washington Post"}}) == comparable(
        {"review_author": {"name": "Washington Post"}}
    )
    assert url_claim_key("http://www.example.org/a/", "\u201cX.\u201d") == url_claim_key(
        "https://example.org/a", "X."
    )


# --- 3. record dates ----------------------------------------------------------------------------


def test_a_newer_record_updates_once_and_an_older_crawl_changes_nothing(
    app: Flask, db_session: Session, client: FlaskClient, tmp_path: Path
) -> None:
    old = {**KAVANAUGH, "datePublished": "2018-09-05"}
    new = {
        **respelt(KAVANAUGH),
        "reviewRating": {"@type": "Rating", "alternateName": "Three Pinocchios"},
        "dateModified": "2018-09-10",
    }
    run_import(app, "claimreview", write(tmp_path, "old.txt", lines(old)))

    newer = run_import(app, "claimreview", write(tmp_path, "new.txt", lines(new)))
    same_again = run_import(app, "claimreview", tmp_path / "new.txt")
    older = run_import(app, "claimreview", tmp_path / "old.txt")

    assert newer.output.startswith("Created 0, updated 1, unchanged 0, older ignored 0, skipped 0"), (
        newer.output
    )
    assert "changed at the source: 1" in newer.output
    assert same_again.output.startswith("Created 0, updated 0, unchanged 1, older ignored 0"), (
        same_again.output
    )
    assert older.output.startswith("Created 0, updated 0, unchanged 0, older ignored 1, skipped 0"), (
        older.output
    )
    assert "(ignored): 1\n    line 1\n" in older.output
    assert older.exit_code == 0
    claim = claim_by_key(db_session, ARTICLE)
    assert [(p.kind, p.label_name) for p in claim.publications] == [
        (PublicationKind.PUBLICATION, "Two Pinocchios"),
        (PublicationKind.UPDATE, "Three Pinocchios"),
    ]
    assert later_revisions(db_session) == 1
    assert "Three Pinocchios" in page(client, claim)
    assert client.get("/corrections").get_data(as_text=True).count(f"/checks/{claim.slug}") >= 1


def test_an_equally_dated_different_record_is_ignored(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "a.txt", lines(KAVANAUGH)))
    other_label = {**KAVANAUGH, "reviewRating": {"@type": "Rating", "alternateName": "Four Pinocchios"}}

    result = run_import(app, "claimreview", write(tmp_path, "b.txt", lines(other_label)))

    assert result.output.startswith("Created 0, updated 0, unchanged 0, older ignored 1, skipped 0"), (
        result.output
    )
    assert claim_by_key(db_session, ARTICLE).publications[-1].label_name == "Two Pinocchios"


def test_an_undated_different_record_is_left_as_it_is(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    run_import(app, "claimreview", write(tmp_path, "a.txt", lines(KAVANAUGH)))
    undated = {key: value for key, value in KAVANAUGH.items() if key != "datePublished"}
    undated["reviewRating"] = {"@type": "Rating", "alternateName": "Four Pinocchios"}

    result = run_import(app, "claimreview", write(tmp_path, "b.txt", lines(undated)))

    assert result.output.startswith("Created 0, updated 0, unchanged 0, older ignored 0, skipped 1"), (
        result.output
    )
    assert "changed, but undated: nothing says it is newer (left as it is): 1" in result.output
    assert result.exit_code == 0
    assert later_revisions(db_session) == 0
