"""Export ClaimReview, import it into an empty database, export again: the two exports are equal."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck import create_app, migrate
from factcheck.accounts.models import Role, User
from factcheck.claims.models import Appearance, Claim, ClaimState
from factcheck.db import get_database, make_engine, session_scope
from factcheck.documents.models import Document
from factcheck.publishing.models import PublicationKind
from factcheck.publishing.operations import publish, publish_revision
from tests.claims.desk import add_verdict, make_claim
from tests.conftest import config_for_tests
from tests.imports.samples import LOBBYIST, run_import, write


@pytest.fixture
def empty_app(empty_database: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on a database of its own, migrated and empty (no test transaction around it)."""
    engine = make_engine(empty_database)
    migrate.upgrade(engine)
    engine.dispose()
    app = create_app(config_for_tests(tmp_path / "empty", empty_database))
    yield app
    get_database(app).engine.dispose()


def published_claims(db: Session, editor: User) -> list[Claim]:
    """Our own checks in every shape the markup has: numbers or none, corrections, a retraction."""
    made = []
    for text, key, claimed in [
        ("Russia's 9M729 missile has a range of 480 km.", "mostly-false", "2019-01-23"),
        ("Nobody can say where the missile was tested.", "unverifiable", None),
        ("NATO set the 60-day deadline.", "false", "2019-01-10"),
    ]:
        claim = make_claim(db, editor, ClaimState.READY, text=text, claimant="Russian Ministry of Defence")
        claim.claimed_on = date.fromisoformat(claimed) if claimed else None
        claim.appearances.append(
            Appearance(url=f"https://example.org/{len(made)}", appeared_on=claim.claimed_on)
        )
        if key == "unverifiable":
            # A printed text: it appears in the markup by its title, without a web address.
            printed = Document(
                title="Printed briefing, 23 January 2019",
                text="Nobody can say where the missile was tested.",
                text_sha256="0" * 64,
                published_on=date(2019, 1, 23),
                created_by=editor,
            )
            claim.appearances.append(Appearance(document=printed, quote_exact=printed.text))
        db.commit()
        add_verdict(db, claim, editor, headline=f"Headline of {text}", key=key)
        publish(db, claim, editor, four_eyes=False)
        db.commit()
        made.append(claim)
    publish_revision(
        db,
        made[1],
        editor,
        kind=PublicationKind.CORRECTION,
        note="We named the wrong test site at first.",
        four_eyes=False,
    )
    db.commit()
    publish_revision(
        db,
        made[2],
        editor,
        kind=PublicationKind.RETRACTION,
        note="The deadline was the US's, and we said so.",
    )
    db.commit()
    return made


def export_reviews(app: Flask, path: Path) -> dict[str, Any]:
    result = app.test_cli_runner().invoke(
        args=["export", "claims", "--format", "claimreview", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text("utf-8"))


def test_claimreview_export_import_export_is_the_same(
    app: Flask,
    empty_app: Flask,
    db_session: Session,
    make_user: Callable[..., User],
    tmp_path: Path,
) -> None:
    editor = make_user(Role.EDITOR)
    # Another publisher's check, imported here first: it keeps its own address and author.
    assert run_import(app, "claimreview", write(tmp_path, "foreign.json", LOBBYIST)).exit_code == 0
    published_claims(db_session, editor)
    first = export_reviews(app, tmp_path / "first.json")
    assert len(first["dataFeedElement"]) == 4
    printed = [
        work
        for review in first["dataFeedElement"]
        for work in review["itemReviewed"].get("appearance", [])
        if "url" not in work
    ]
    assert printed == [
        {
            "@type": "CreativeWork",
            "headline": "Printed briefing, 23 January 2019",
            "datePublished": "2019-01-23",
        }
    ]

    result = run_import(empty_app, "claimreview", tmp_path / "first.json")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 4, updated 0, unchanged 0, older ignored 0, skipped 0")
    # The retracted check is not an unmapped label; the other publisher's label is.
    assert "Unmapped labels (1 record:" in result.output and "Not the Whole Story" in result.output
    second = export_reviews(empty_app, tmp_path / "second.json")
    assert second == first

    # Our own checks keep their addresses, and are signed by our organisation (not a copied author).
    with empty_app.app_context(), session_scope(empty_app) as other:
        assert other.scalar(select(func.count()).select_from(Claim)) == 4
        own = other.scalar(select(Claim).where(Claim.text.startswith("Russia's 9M729")))
        assert own is not None and own.verdict.label.key == "mostly-false"
        snapshot = own.publications[-1].snapshot
        assert "review_author" not in snapshot and snapshot["review_url"].endswith(f"/checks/{own.slug}")


def test_our_own_export_imported_where_it_came_from_adds_nothing(
    app: Flask, db_session: Session, make_user: Callable[..., User], tmp_path: Path
) -> None:
    published_claims(db_session, make_user(Role.EDITOR))
    export_reviews(app, tmp_path / "ours.json")

    result = run_import(app, "claimreview", tmp_path / "ours.json")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Created 0, updated 0, unchanged 0, older ignored 0, skipped 3")
    assert "published here already: 3" in result.output
    assert db_session.scalar(select(func.count()).select_from(Claim)) == 3
