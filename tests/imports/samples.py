"""ClaimReview records in the shape real aggregators publish (the Data Commons fact-check sample),
written by hand for the tests, and helpers to run the import command and read back what it stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.imports.identity import CLAIM_SEPARATOR, canonical_url
from factcheck.organisation.details import publisher
from factcheck.publishing.claimreview import claim_review
from factcheck.publishing.queries import revisions_of
from factcheck.publishing.urls import check_url

POLITIFACT = {"@type": "Organization", "url": "https://www.politifact.com", "name": "PolitiFact"}
FACTCHECK_ORG = {"@type": "Organization", "url": "http://www.factcheck.org/", "name": "FactCheck.org"}
WAPO = {"@type": "Organization", "url": "https://www.washingtonpost.com", "name": "Washington Post"}
LICENCE = "https://creativecommons.org/licenses/by-nc/4.0/"


def review(
    url: str | None,
    claim: str,
    label: str | None,
    *,
    author: dict[str, Any] | None = None,
    claimant: str = "Bloggers",
    published: str | None = "2017-02-23",
    claimed: str | None = "2017-02-11",
    item_type: str = "CreativeWork",
    **extra: Any,
) -> dict[str, Any]:
    """A ClaimReview as the sample has them: CreativeWork item, a label with no numbers."""
    record: dict[str, Any] = {"@context": "http://schema.org", "@type": "ClaimReview"}
    if published is not None:
        record["datePublished"] = published
    if url is not None:
        record["url"] = url
    record["sdLicense"] = LICENCE
    record["author"] = author or POLITIFACT
    record["claimReviewed"] = claim
    if label is not None:
        record["reviewRating"] = {"@type": "Rating", "alternateName": label}
    item: dict[str, Any] = {"@type": item_type, "author": {"@type": "Organization", "name": claimant}}
    if claimed is not None:
        item["datePublished"] = claimed
    record["itemReviewed"] = item
    record.update(extra)
    return record


def script_line(record: Any) -> str:
    return '<script type="application/ld+json">' + json.dumps(record, ensure_ascii=False) + "</script>"


WHALES = review(
    "https://www.politifact.com/punditfact/statements/2017/feb/23/blog-posting/killer-whales/",
    '"Japanese whaling crew eaten alive by killer whales, 16 dead."',
    "Pants on Fire",
)
LOBBYIST = review(
    "https://www.factcheck.org/2018/05/a-lobbyist-in-congress-not-exactly/",
    "\u201cJim Renacci\u2019s been a lobbyist even while in Congress.\u201d",
    "Not the Whole Story",
    author=FACTCHECK_ORG,
    claimant="Sherrod Brown",
    published="2018-06-01",
    claimed="2018-05-18",
)
PINOCCHIOS = review(
    "https://www.washingtonpost.com/news/fact-checker/2018/01/02/four-pinocchios/",
    "Says the tax bill is the biggest in history.",
    "Four Pinocchios",
    author={**WAPO, "name": "The Washington Post"},
    claimant="Donald Trump",
    published=None,
    claimed="2017-12-20",
)
MISSING_CONTEXT = review(
    "https://www.washingtonpost.com/politics/2019/03/05/missing-context/",
    "The wall is already being built.",
    "Missing context",
    author={**WAPO, "url": "https://www.washingtonpost.com/"},
    claimant="Donald Trump",
    published="2019-03-05T14:30:00-05:00",
    claimed="2019-03-04",
    item_type="Claim",
)
MISSING_CONTEXT["itemReviewed"]["firstAppearance"] = {
    "@type": "CreativeWork",
    "url": "https://twitter.com/example/status/1",
    "headline": "A tweet",
    "datePublished": "2019-03-04",
}
MISSING_CONTEXT["itemReviewed"]["appearance"] = [
    {"@type": "CreativeWork", "url": "https://twitter.com/example/status/1"},
    {"@type": "CreativeWork", "url": "https://www.youtube.com/watch?v=abc"},
]
NOT_A_REVIEW = {"@context": "http://schema.org", "@type": "WebPage", "url": "https://example.org/"}
BAD_DATE = review("https://www.politifact.com/bad-date/", "Bad date", "False", published="23/02/2017")
BAD_URL = review("javascript:alert(1)", "Bad url", "False")
NO_CLAIM = review("https://www.politifact.com/no-claim/", "", "False")

# The line-per-record file: line number -> what is on it.
GOOD_LINES = {1: WHALES, 2: LOBBYIST, 3: PINOCCHIOS, 7: MISSING_CONTEXT}


def sample_lines() -> str:
    """Records one per line as aggregators publish them, with bad lines among them."""
    lines = [
        script_line(WHALES),  # 1
        script_line(LOBBYIST),  # 2
        script_line(PINOCCHIOS),  # 3: no datePublished
        script_line(WHALES)[:-40],  # 4: cut short, not JSON
        script_line(NOT_A_REVIEW),  # 5
        "",  # 6: blank lines are not records
        script_line(MISSING_CONTEXT),  # 7
        script_line(BAD_DATE),  # 8
        script_line(BAD_URL),  # 9
        script_line(NO_CLAIM),  # 10
    ]
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), "utf-8")
    return path


def run_import(app: Flask, *args: Any) -> Result:
    return app.test_cli_runner().invoke(args=["import", *[str(arg) for arg in args]])


def claim_by_key(db: Session, key: str) -> Claim:
    """The claim imported by ``key``; a review URL finds the one claim imported from that review."""
    db.expire_all()
    claim = db.scalar(select(Claim).where(Claim.imported_from == key))
    if claim is None and key.startswith("http"):
        found = claims_of_review(db, key)
        assert len(found) <= 1, f"{len(found)} claims from {key}"
        claim = found[0] if found else None
    assert claim is not None, key
    return claim


def claims_of_review(db: Session, url: str) -> list[Claim]:
    """The claims imported from the review at ``url`` (one per claim it reviews), oldest first."""
    prefix = canonical_url(url) + CLAIM_SEPARATOR
    return list(
        db.scalars(
            select(Claim).where(func.substr(Claim.imported_from, 1, len(prefix)) == prefix).order_by(Claim.id)
        )
    )


def claim_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Claim)) or 0


def rendered_review(app: Flask, db: Session, claim: Claim) -> dict[str, Any]:
    """The ClaimReview our site publishes for the claim, from its stored revisions."""
    assert claim.slug is not None
    with app.test_request_context():
        return claim_review(revisions_of(db, claim.id), url=check_url(claim.slug), publisher=publisher(db))
