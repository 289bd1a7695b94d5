"""The dossier's content at model level: everything present, in order, ratings blind where they must be."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role
from factcheck.dossier.content import Dossier, build_dossier, pdf_filename
from factcheck.security.permissions import PermissionDenied
from tests.dossier.conftest import (
    CLAIM_TEXT,
    CORRECTION_NOTE,
    NEWS_QUOTE,
    PRIMARY_NOTE,
    PRIMARY_QUOTE,
    QUOTE,
    RITA_REASONING,
    ROB_REASONING,
    Desk,
)

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def dossier_for(app: Flask, db_session: Session, desk: Desk, viewer) -> Dossier:
    with app.app_context():
        return build_dossier(db_session, desk.claim, viewer, now=NOW)


def test_the_dossier_holds_everything_in_order(app, db_session, desk):
    dossier = dossier_for(app, db_session, desk, desk.author)

    header = dossier.header
    assert header.claim_id == desk.claim.id
    assert header.organisation == app.config["ORGANISATION_NAME"]
    assert header.slug and header.public_url and header.public_url.endswith(f"/checks/{header.slug}")
    assert (header.generated_at, header.generated_by) == (NOW, "Edna Author")

    assert dossier.claim.text == CLAIM_TEXT
    assert dossier.claim.claimant == "Russian Ministry of Defence"
    assert dossier.claim.state == "Published"
    assert dossier.claim.tags == ["inf treaty"]

    anchored, by_url = dossier.appearances
    assert (anchored.document_title, anchored.quote_exact) == (
        "NATO chief: Russia has until 2 February",
        QUOTE,
    )
    assert (anchored.quote_prefix, anchored.quote_suffix) == ("Moscow says ", ", below the")
    assert anchored.position_end - anchored.position_start == len(QUOTE)
    assert anchored.anchored and anchored.anchor_status == "Anchored"
    assert by_url.url == "https://video.example.org/briefing" and by_url.document_title is None

    primary, news = dossier.sources
    assert (primary.title, primary.quote, primary.note) == (
        "INF Treaty, Article II",
        PRIMARY_QUOTE,
        PRIMARY_NOTE,
    )
    assert primary.is_primary and (primary.kind, primary.stance) == ("Primary document", "Refutes")
    assert primary.publisher == "US Department of State" and primary.published_on.isoformat() == "1987-12-08"
    assert (news.quote, news.url, news.is_primary) == (NEWS_QUOTE, None, False)
    assert news.citation.startswith("Briefing of the Russian Ministry of Defence")

    assert dossier.ratings_visible and dossier.rating_count == 2
    assert [(r.reviewer, r.label, r.reasoning) for r in dossier.ratings] == [
        ("Rita Reviewer", "False", RITA_REASONING),
        ("Rob Rater", "Mostly false", ROB_REASONING),
    ]

    assert dossier.verdict is not None
    assert (dossier.verdict.label, dossier.verdict.author) == ("False", "Edna Author")
    assert "**violates**" in dossier.verdict.explanation

    assert [(r.revision, r.kind, r.note, r.published_by) for r in dossier.revisions] == [
        (1, "Publication", None, "Pam Publisher"),
        (2, "Correction", CORRECTION_NOTE, "Pam Publisher"),
    ]
    assert all(r.label_name == "False" for r in dossier.revisions)

    assert [(t.from_state, t.to_state) for t in dossier.transitions] == [
        (None, "New"),
        ("New", "Ready"),
        ("Ready", "Published"),
    ]

    seqs = [entry.seq for entry in dossier.history]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    sentences = [item.sentence for entry in dossier.history for item in entry.items]
    assert "captured the claim" in sentences
    assert "rated the claim False" in sentences
    assert "rated the claim Mostly false" in sentences
    assert "published revision 1 (publication)" in sentences
    assert "published revision 2 (correction)" in sentences
    reasons = [entry.reason for entry in dossier.history]
    assert CORRECTION_NOTE in reasons
    # The audit history follows the claim's life: rated before published, corrected last.
    assert sentences.index("rated the claim False") < sentences.index("published revision 1 (publication)")
    assert sentences.index("published revision 1 (publication)") < sentences.index(
        "published revision 2 (correction)"
    )


def test_a_reviewer_who_has_not_rated_sees_no_rating(app, db_session, desk):
    dossier = dossier_for(app, db_session, desk, desk.newcomer)

    assert not dossier.ratings_visible
    assert dossier.ratings == [] and dossier.rating_count == 2
    rating_items = [item for entry in dossier.history for item in entry.items if item.table == "ratings"]
    assert len(rating_items) == 2
    for item in rating_items:
        assert "hidden" in item.sentence and item.fields == []
    # Everything else is there.
    assert len(dossier.sources) == 2 and len(dossier.revisions) == 2


def test_a_reviewer_who_rated_sees_every_rating(app, db_session, desk):
    dossier = dossier_for(app, db_session, desk, desk.rob)
    assert dossier.ratings_visible and len(dossier.ratings) == 2


def test_only_people_who_may_export_get_a_dossier(app, db_session, desk):
    from flask_login import AnonymousUserMixin

    with pytest.raises(PermissionDenied):
        dossier_for(app, db_session, desk, AnonymousUserMixin())


def test_an_unpublished_claim_has_no_public_address(app, db_session, make_user):
    from factcheck.claims.models import ClaimState
    from tests.claims.desk import make_claim

    reviewer = make_user(Role.REVIEWER, name="Solo")
    claim = make_claim(db_session, reviewer, ClaimState.NEW)
    with app.app_context():
        dossier = build_dossier(db_session, claim, reviewer, now=NOW)
    assert dossier.header.slug is None and dossier.header.public_url is None
    assert dossier.verdict is None and dossier.revisions == [] and dossier.sources == []
    assert pdf_filename(dossier) == f"dossier-claim-{claim.id}-2024-05-06.pdf"


def test_the_pdf_filename_names_the_claim_slug_and_date(app, db_session, desk):
    dossier = dossier_for(app, db_session, desk, desk.author)
    assert pdf_filename(dossier) == f"dossier-claim-{desk.claim.id}-{dossier.header.slug}-2024-05-06.pdf"
