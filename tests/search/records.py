"""Building claims with everything the claim list and the search look at."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Appearance, Assignment, Claim, ClaimState, Tag
from factcheck.documents.models import Document
from factcheck.ratings.models import RatingLabel
from factcheck.sources.models import Source
from factcheck.verdicts.models import Verdict

CLAIM_LINK = re.compile(r'href="/claims/(\d+)"')


def at(day: int, hour: int = 12, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def tag(db: Session, name: str) -> Tag:
    found = db.scalar(select(Tag).where(Tag.name == name))
    if found is None:
        found = Tag(name=name)
        db.add(found)
        db.flush()
    return found


def rating_label(db: Session, key: str) -> RatingLabel:
    found = db.scalar(select(RatingLabel).where(RatingLabel.key == key))
    assert found is not None, key
    return found


def document(db: Session, title: str, text: str, **values: Any) -> Document:
    doc = Document(title=title, text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(), **values)
    db.add(doc)
    db.commit()
    return doc


def claim(
    db: Session,
    text: str = "The 9M729 has a range of 480 km.",
    claimant: str = "Russian Ministry of Defence",
    *,
    state: ClaimState = ClaimState.NEW,
    created_by: User | None = None,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
    review_by: date | None = None,
    tags: Iterable[str] = (),
    assignees: Iterable[User] = (),
    verdict_label: str | None = None,
    sources: Iterable[dict[str, Any]] = (),
    documents: Iterable[Document] = (),
) -> Claim:
    values: dict[str, Any] = {}
    if created_at is not None:
        values["created_at"] = created_at
        values["updated_at"] = updated_at or created_at
    elif updated_at is not None:
        values["updated_at"] = updated_at
    made = Claim(
        text=text, claimant=claimant, state=state, created_by=created_by, review_by=review_by, **values
    )
    made.tags.extend(tag(db, name) for name in tags)
    made.assignments.extend(Assignment(user=user) for user in assignees)
    if verdict_label is not None:
        made.verdict = Verdict(label=rating_label(db, verdict_label), headline="Verdict")
    made.sources.extend(Source(**{"url": "https://example.org/s", **source}) for source in sources)
    made.appearances.extend(Appearance(document=doc, quote_exact=doc.text[:20]) for doc in documents)
    db.add(made)
    db.commit()
    return made


def listed_ids(html: str) -> list[int]:
    """The claims a page links to, in order."""
    return [int(found) for found in CLAIM_LINK.findall(html)]
