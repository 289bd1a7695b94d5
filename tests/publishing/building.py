"""Building claims ready to publish, and published ones, for the publishing tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import Claim, ClaimState
from factcheck.publishing import operations
from factcheck.publishing.models import Publication
from tests.claims.desk import acting_as, make_claim, make_ready_to_approve

TEXT = "Russia's 9M729 missile has a range of 480 km."
SLUG = "russias-9m729-missile-has-a-range-of-480-km"
NOTE = "Corrected the date of the NATO statement: 4 December 2018, not 4 November."


def make_team(make_user: Any) -> dict[str, User]:
    """A small desk: two reviewers, two editors, an admin."""
    return {
        "anna": make_user(Role.REVIEWER, name="Anna Reviewer"),
        "ben": make_user(Role.REVIEWER, name="Ben Reviewer"),
        "eve": make_user(Role.EDITOR, name="Eve Editor"),
        "ed": make_user(Role.EDITOR, name="Ed Editor"),
        "ada": make_user(Role.ADMIN, name="Ada Admin"),
    }


def ready_claim(db: Session, team: dict[str, User], *, text: str = TEXT, author: str = "eve") -> Claim:
    """A ready claim with a source, two ratings and a verdict written by ``author`` alone."""
    claim = make_claim(db, team["anna"], ClaimState.READY, text=text)
    make_ready_to_approve(db, claim, team[author], [team["anna"], team["ben"]])
    return claim


def published_claim(
    db: Session, team: dict[str, User], *, text: str = TEXT, author: str = "eve", publisher: str = "ada"
) -> Claim:
    """A claim published (revision 1) by ``publisher``, its verdict written by ``author``."""
    claim = ready_claim(db, team, text=text, author=author)
    acting_as(db, team[publisher])
    operations.publish(db, claim, team[publisher])
    db.commit()
    return claim


def revisions(db: Session, claim: Claim) -> list[Publication]:
    db.expire_all()
    return list(
        db.scalars(select(Publication).where(Publication.claim_id == claim.id).order_by(Publication.revision))
    )
