"""Some changes must say why: a verdict's rating, and every publication revision."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.audit.changesets import AuditError, set_reason
from factcheck.audit.models import AuditChangeset
from factcheck.claims.models import Claim
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import RatingLabel
from factcheck.verdicts.models import Verdict


def label(db: Session, key: str) -> RatingLabel:
    return db.scalars(select(RatingLabel).where(RatingLabel.key == key)).one()


def changesets(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditChangeset))


@pytest.fixture
def verdict(db_session: Session) -> Verdict:
    claim = Claim(text="The deadline was NATO's.", claimant="The article")
    claim.verdict = Verdict(label=label(db_session, "mostly-false"), headline="It was the US's")
    db_session.add(claim)
    db_session.commit()
    return claim.verdict


def test_changing_a_verdicts_rating_without_a_reason_keeps_nothing(db_session, verdict):
    before = changesets(db_session)
    verdict.label = label(db_session, "false")
    with pytest.raises(AuditError, match="a reason is required for: changing a verdict's rating"):
        db_session.commit()
    db_session.rollback()
    assert changesets(db_session) == before
    assert db_session.get(Verdict, verdict.id).label.key == "mostly-false"


def test_changing_a_verdicts_rating_with_a_reason_records_it(db_session, verdict):
    verdict.label = label(db_session, "false")
    set_reason(db_session, "The State Department transcript settles it.")
    db_session.commit()
    head = db_session.scalars(select(AuditChangeset).order_by(AuditChangeset.seq.desc()).limit(1)).one()
    assert head.reason == "The State Department transcript settles it."


def test_the_reason_does_not_carry_over_to_the_next_change(db_session, verdict):
    verdict.label = label(db_session, "false")
    set_reason(db_session, "First reason.")
    db_session.commit()
    verdict.label = label(db_session, "misleading")
    with pytest.raises(AuditError):
        db_session.commit()
    db_session.rollback()


def test_editing_other_verdict_fields_needs_no_reason(db_session, verdict):
    verdict.headline = "The deadline was announced by the US Secretary of State"
    db_session.commit()


def test_setting_the_first_rating_of_a_draft_needs_no_reason(db_session):
    claim = Claim(text="A claim", claimant="Someone")
    claim.verdict = Verdict(headline="Draft")
    db_session.add(claim)
    db_session.commit()
    claim.verdict.label = label(db_session, "true")
    db_session.commit()


def test_a_publication_needs_a_reason(db_session, verdict):
    publication = Publication(
        claim=verdict.claim,
        revision=1,
        kind=PublicationKind.PUBLICATION,
        label_name="Mostly false",
        headline=verdict.headline,
        snapshot={"claim": verdict.claim.text},
    )
    db_session.add(publication)
    with pytest.raises(AuditError, match="publishing a revision"):
        db_session.commit()
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Publication)) == 0
