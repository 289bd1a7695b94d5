"""A claim with everything a dossier holds: appearances, sources, ratings, a verdict,
two publication revisions, workflow steps and the audit history they leave."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import AnchorStatus, Appearance, Claim, ClaimState, Tag
from factcheck.documents.models import Document
from factcheck.documents.operations import text_digest
from factcheck.publishing.models import PublicationKind
from factcheck.publishing.operations import publish, publish_revision
from factcheck.ratings.models import Rating
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.verdicts.models import Verdict
from tests.claims.desk import acting_as, label, make_claim

ARTICLE = (
    "NATO's Secretary-General said Russia's 9M729 missile violates the INF Treaty. "
    "Moscow says the missile has a range of 480 km, below the treaty's limit."
)
QUOTE = "the missile has a range of 480 km"
CLAIM_TEXT = "Russia's 9M729 missile has a range of 480 km."
PRIMARY_QUOTE = "ground-launched cruise missiles having a range capability of 500 to 5,500 kilometers"
PRIMARY_NOTE = "Internal: check the Russian-language text too."
NEWS_QUOTE = "Russia displayed the missile and said its range was 480 km."
RITA_REASONING = "Only the Russian MoD says 480 km; the US says it flew farther."
ROB_REASONING = "The displayed canister proves nothing about the range."
EXPLANATION = (
    "The US said the 9M729 **violates** the treaty. See [the statement](https://example.org/statement)."
)
CORRECTION_NOTE = "Corrected the date of the US accusation to 2014."


@dataclass
class Desk:
    claim: Claim
    rita: User  # reviewer who rated
    rob: User  # reviewer who rated
    newcomer: User  # reviewer who has not rated
    author: User  # editor who wrote the verdict
    publisher: User  # editor who published


@pytest.fixture
def desk(app: Flask, db_session: Session, make_user: Callable[..., User]) -> Desk:
    rita = make_user(Role.REVIEWER, name="Rita Reviewer")
    rob = make_user(Role.REVIEWER, name="Rob Rater")
    newcomer = make_user(Role.REVIEWER, name="Nina Newcomer")
    author = make_user(Role.EDITOR, name="Edna Author")
    publisher = make_user(Role.EDITOR, name="Pam Publisher")

    acting_as(db_session, rita)
    claim = make_claim(db_session, rita, ClaimState.READY, text=CLAIM_TEXT)
    document = Document(
        title="NATO chief: Russia has until 2 February",
        url="https://news.example.org/inf",
        outlet="Example News",
        published_on=date(2019, 1, 25),
        text=ARTICLE,
        text_sha256=text_digest(ARTICLE),
        created_by=rita,
    )
    start = ARTICLE.index(QUOTE)
    claim.appearances.append(
        Appearance(
            document=document,
            quote_exact=QUOTE,
            quote_prefix="Moscow says ",
            quote_suffix=", below the",
            position_start=start,
            position_end=start + len(QUOTE),
            anchor_status=AnchorStatus.ANCHORED,
            created_by=rita,
        )
    )
    claim.appearances.append(
        Appearance(url="https://video.example.org/briefing", appeared_on=date(2019, 1, 23), created_by=rita)
    )
    claim.tags.append(Tag(name="inf treaty"))
    claim.sources.append(
        Source(
            title="INF Treaty, Article II",
            url="https://www.state.gov/t/avc/trty/102360.htm",
            publisher="US Department of State",
            published_on=date(1987, 12, 8),
            kind=SourceKind.PRIMARY_DOCUMENT,
            stance=Stance.REFUTES,
            quote=PRIMARY_QUOTE,
            note=PRIMARY_NOTE,
            is_primary=True,
            created_by=rita,
        )
    )
    claim.sources.append(
        Source(
            title="Russia displays the 9M729",
            citation="Briefing of the Russian Ministry of Defence, Patriot Park, 23 January 2019.",
            kind=SourceKind.NEWS_REPORT,
            stance=Stance.CONTEXT,
            quote=NEWS_QUOTE,
            created_by=rob,
        )
    )
    db_session.commit()

    acting_as(db_session, rita)
    db_session.add(
        Rating(claim=claim, reviewer=rita, label=label(db_session, "false"), reasoning=RITA_REASONING)
    )
    db_session.commit()
    acting_as(db_session, rob)
    db_session.add(
        Rating(claim=claim, reviewer=rob, label=label(db_session, "mostly-false"), reasoning=ROB_REASONING)
    )
    db_session.commit()

    acting_as(db_session, author)
    claim.verdict = Verdict(
        label=label(db_session, "false"),
        headline="No, the 9M729 flies farther than 480 km",
        summary="Only Russia gives the *480 km* figure.",
        explanation=EXPLANATION,
        author=author,
        updated_by=author,
    )
    db_session.commit()

    with app.test_request_context():
        acting_as(db_session, publisher)
        publish(db_session, claim, publisher, four_eyes=True)
        db_session.commit()
        acting_as(db_session, publisher)
        publish_revision(db_session, claim, publisher, kind=PublicationKind.CORRECTION, note=CORRECTION_NOTE)
        db_session.commit()
    db_session.expire_all()
    return Desk(claim=claim, rita=rita, rob=rob, newcomer=newcomer, author=author, publisher=publisher)


def sign_in(client: Any, user: User) -> None:
    from tests.conftest import PASSWORD

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.data
