"""The team report's "verdicts per person": who wrote verdicts and who published them in a period,
optionally only for claims with a tag or from a claimant.

- **written**: verdicts whose author is the person and that were created in the
  period (a verdict counts once, for its first author, whoever edited it later).
- **published**: first publications (revision 1) the person published in the
  period; a revision with an unknown date (imported) counts nowhere, as in the
  rest of the report (:mod:`factcheck.reports.figures`).
- The tag filter is a tag's name, any case; the claimant filter a part of the
  claimant's name, any case (on SQLite, for ASCII letters), as on the claim list.

People with neither are not listed; records whose account is gone are not counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Claim, Tag, claim_tags
from factcheck.publishing.models import Publication
from factcheck.reports.figures import Period
from factcheck.verdicts.models import Verdict


@dataclass(frozen=True)
class PersonVerdicts:
    name: str
    written: int
    published: int


def _claims_matching(tag: str | None, claimant: str | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if tag:
        tagged = (
            select(claim_tags.c.claim_id)
            .join(Tag, Tag.id == claim_tags.c.tag_id)
            .where(func.lower(Tag.name) == tag.strip().lower())
        )
        where.append(Claim.id.in_(tagged))
    if claimant:
        where.append(Claim.claimant.icontains(claimant.strip(), autoescape=True))
    return where


def verdicts_per_person(
    session: Session, period: Period, *, tag: str | None = None, claimant: str | None = None
) -> list[PersonVerdicts]:
    """Each person's verdicts written and published in the period, most published first, then by name."""
    matching = select(Claim.id).where(*_claims_matching(tag, claimant))
    written_query = (
        select(Verdict.author_id, func.count())
        .where(
            Verdict.author_id.is_not(None),
            Verdict.created_at >= period.start_at,
            Verdict.created_at < period.end_at,
            Verdict.claim_id.in_(matching),
        )
        .group_by(Verdict.author_id)
    )
    published_query = (
        select(Publication.published_by_id, func.count())
        .where(
            Publication.revision == 1,
            Publication.date_unknown.is_(False),
            Publication.published_by_id.is_not(None),
            Publication.published_at >= period.start_at,
            Publication.published_at < period.end_at,
            Publication.claim_id.in_(matching),
        )
        .group_by(Publication.published_by_id)
    )
    written: Counter[int] = Counter({person: count for person, count in session.execute(written_query)})
    published: Counter[int] = Counter({person: count for person, count in session.execute(published_query)})
    people = set(written) | set(published)
    names = {
        person: name
        for person, name in session.execute(select(User.id, User.name).where(User.id.in_(people)))
    }
    rows = [PersonVerdicts(names[person], written[person], published[person]) for person in people]
    return sorted(rows, key=lambda row: (-row.published, -row.written, row.name.casefold()))
