"""Helpers for the reader-submission tests: published checks, form data that passes the bot traps."""

from __future__ import annotations

import time

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.audit.changesets import set_reason
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Claim, ClaimState
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.submissions import spam
from factcheck.submissions.models import ReaderSubmission
from tests.helpers import audit_rows

CLAIM = "The 9M729 missile has a range of 480 km."
SUGGESTION = "The mayor said the new bridge cost twice the budget."


def stamp(app: Flask, seconds_ago: float = 60) -> str:
    """A ``shown_at`` value as if the form had been shown ``seconds_ago``."""
    with app.app_context():
        return spam.shown_at_stamp(time.time() - seconds_ago)


def reader_form(app: Flask, **fields: str) -> dict[str, str]:
    """A valid suggestion or error report, shown a minute ago, honeypot empty."""
    data = {
        "text": SUGGESTION,
        "url": "https://example.org/news/bridge",
        "name": "Ada Reader",
        "email": "ada@example.org",
        "website": "",
        "shown_at": stamp(app),
    }
    data.update(fields)
    return data


def publish(
    db: Session, creator: User, *, slug: str = "the-9m729-range", revisions: int = 1, text: str = CLAIM
) -> Claim:
    """A published claim with ``revisions`` public revisions (the later ones updates)."""
    claim = Claim(text=text, claimant="Ministry of Defence", created_by=creator, state=ClaimState.PUBLISHED)
    claim.slug = slug
    for number in range(1, revisions + 1):
        claim.publications.append(
            Publication(
                revision=number,
                kind=PublicationKind.PUBLICATION if number == 1 else PublicationKind.UPDATE,
                note=None if number == 1 else f"Update {number}.",
                label_name="False",
                headline=f"No, the range is longer (revision {number})",
                snapshot={
                    "claim": text,
                    "claimant": "Ministry of Defence",
                    "label": {"name": "False"},
                    "headline": f"No, the range is longer (revision {number})",
                    "summary": "",
                    "explanation": "",
                    "sources": [],
                },
            )
        )
    db.add(claim)
    set_reason(db, "Published for the test.")
    db.commit()
    return claim


def submissions(db: Session) -> list[ReaderSubmission]:
    db.expire_all()
    return list(db.scalars(select(ReaderSubmission).order_by(ReaderSubmission.id)))


def row_history(db: Session, submission_id: int) -> list[tuple[AuditChangeset, AuditChange]]:
    """The audit history of one submission's row, oldest first."""
    return [
        (changeset, change)
        for changeset, change in audit_rows(db, "reader_submissions")
        if change.row_key == {"id": submission_id}
    ]
