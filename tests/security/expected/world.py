"""The records route arguments point at, built once per test and shared by the feature tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import set_reason
from factcheck.claims.models import Claim
from factcheck.publishing.models import Publication, PublicationKind

# A 302 to the sign-in page; a bare 302 is any other redirect.
LOGIN = "login"
Status = int | str
# (endpoint, method): (anonymous, reviewer, editor, admin)
Expected = dict[tuple[str, str], tuple[Status, Status, Status, Status]]


class World:
    """Existing records for route arguments. Feature tables add what they need through
    ``world.get(name, build)``, which builds a record once and remembers it."""

    def __init__(self, db: Session, make_user: Callable[..., User]) -> None:
        self.db = db
        self.make_user = make_user
        self._made: dict[str, Any] = {}
        self.user = make_user(Role.REVIEWER, email="subject@example.org")
        self.claim = Claim(
            text="The 9M729 has a range of 480 km.", claimant="Ministry of Defence", created_by=self.user
        )
        self.claim.publications.append(
            Publication(
                revision=1,
                kind=PublicationKind.PUBLICATION,
                label_name="False",
                headline="No",
                snapshot={
                    "claim": self.claim.text,
                    "claimant": self.claim.claimant,
                    "label": {"name": "False"},
                    "headline": "No",
                    "summary": "",
                    "explanation": "",
                    "sources": [],
                },
            )
        )
        db.add(self.claim)
        set_reason(db, "First publication.")
        db.commit()
        self.revision = 1

    def get(self, name: str, build: Callable[[World], Any]) -> Any:
        if name not in self._made:
            self._made[name] = build(self)
            self.db.commit()
        return self._made[name]
