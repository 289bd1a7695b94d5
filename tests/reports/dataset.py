"""A hand-made desk with known answers for every figure of the team report of March 2024.

Every record has an explicit time. The answers, worked out by hand, are the
constants at the end (``EXPECTED_*``); the comments next to the records say
which figure each one feeds, and why it counts or not.

People: Ann Archer, Ben Baker (reviewers), Cleo Cruz (editor), Dan Diaz
(reviewer), Eve Evans (reviewer, did nothing in March).

Scale values (default scale): False 1, Mostly false 2, Misleading 3,
Mostly true 4, True 5; Unverifiable and Satire have none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor, set_reason
from factcheck.claims.models import Claim, ClaimState, ClaimTransition
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import Rating
from factcheck.reports.figures import Period
from factcheck.sources.models import Source
from tests.claims.desk import label

MARCH = Period(date(2024, 3, 1), date(2024, 3, 31))


def at(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0, year: int = 2024) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Desk:
    ann: User
    ben: User
    cleo: User
    dan: User
    eve: User
    claims: dict[str, Claim]


def _snapshot(claim: Claim, label_name: str, primary: list[bool]) -> dict[str, Any]:
    return {
        "version": 1,
        "claim": claim.text,
        "claimant": claim.claimant,
        "label": {"name": label_name},
        "headline": f"{label_name}: {claim.claimant}",
        "summary": "",
        "explanation": "",
        "sources": [
            {"title": f"Source {number}", "url": f"https://example.org/{number}", "is_primary": flag}
            for number, flag in enumerate(primary, start=1)
        ],
    }


def publish(
    db: Session,
    claim: Claim,
    when: datetime,
    label_name: str,
    primary: list[bool],
    *,
    revision: int = 1,
    kind: PublicationKind = PublicationKind.PUBLICATION,
) -> Publication:
    publication = Publication(
        claim=claim,
        revision=revision,
        kind=kind,
        note=None if kind == PublicationKind.PUBLICATION else f"{kind.label} note.",
        label_name=label_name,
        headline=f"{label_name}: {claim.claimant}",
        snapshot=_snapshot(claim, label_name, primary),
        published_at=when,
    )
    db.add(publication)
    set_reason(db, f"Test {kind.value}.")
    db.commit()
    return publication


def build_desk(db: Session, make_user: Callable[..., User]) -> Desk:
    ann = make_user(Role.REVIEWER, name="Ann Archer")
    ben = make_user(Role.REVIEWER, name="Ben Baker")
    cleo = make_user(Role.EDITOR, name="Cleo Cruz")
    dan = make_user(Role.REVIEWER, name="Dan Diaz")
    eve = make_user(Role.REVIEWER, name="Eve Evans")
    set_actor(db, Actor.system("report test data", "test"))

    def claim(key: str, created: datetime, claimant: str, creator: User | None, **extra: Any) -> Claim:
        made = Claim(text=f"Claim {key}.", claimant=claimant, created_by=creator, created_at=created, **extra)
        db.add(made)
        db.commit()
        return made

    claims = {
        # Captured in February: not captured in March, but first published in March (264 h).
        "c1": claim("c1", at(2, 20, 10), "NATO", ann, state=ClaimState.PUBLISHED),
        # The first moment of March: captured in March. Published 105 h later.
        "c2": claim("c2", at(3, 1, 0), "Russian Ministry of Defence", ann, state=ClaimState.PUBLISHED),
        # Another spelling of the same claimant. Published 36 h later, corrected later in March.
        "c3": claim("c3", at(3, 4, 12), "russian  ministry of defence", ben, state=ClaimState.PUBLISHED),
        # Captured in March, published in April: captured, not published.
        "c4": claim("c4", at(3, 5, 8), "Russian Ministry of Defence", ben, state=ClaimState.PUBLISHED),
        # Dismissed twice in March.
        "c5": claim("c5", at(3, 11, 8), "US State Department", cleo, state=ClaimState.DISMISSED),
        # Published 24 h later as Unverifiable, with no sources.
        "c6": claim("c6", at(3, 12, 8), "US State Department", ann, state=ClaimState.PUBLISHED),
        # The last second of March: captured in March.
        "c7": claim("c7", at(3, 31, 23, 59, 59), "NATO", dan),
        # The first moment of April: not in March.
        "c8": claim("c8", at(4, 1, 0), "NATO", dan),
        # Imported in March from another tool, first published (by them) on 10 March with their own label.
        "c9": claim(
            "c9",
            at(3, 15, 9),
            "Ministry of Truth",
            None,
            state=ClaimState.PUBLISHED,
            imported_from="https://other.example.org/review/9",
        ),
        # Published in February; updated and retracted in March.
        "c10": claim("c10", at(1, 1, 9), "NATO", cleo, state=ClaimState.PUBLISHED),
        # Dismissed in February.
        "c11": claim("c11", at(2, 10, 9), "NATO", cleo, state=ClaimState.DISMISSED),
    }
    c = claims

    # --- publications -------------------------------------------------------------
    publish(db, c["c1"], at(3, 2, 10), "False", [True, False])
    publish(db, c["c1"], at(4, 5), "False", [True, False], revision=2, kind=PublicationKind.CORRECTION)
    publish(db, c["c2"], at(3, 5, 9), "False", [True, True, False])
    publish(db, c["c3"], at(3, 6, 0), "Mostly true", [False])
    publish(db, c["c3"], at(3, 20), "True", [False], revision=2, kind=PublicationKind.CORRECTION)
    publish(db, c["c4"], at(4, 2), "Misleading", [True])
    publish(db, c["c6"], at(3, 13, 8), "Unverifiable", [])
    publish(db, c["c9"], at(3, 10, 9), "Incorrect", [True])
    publish(db, c["c10"], at(2, 1), "False", [])
    publish(db, c["c10"], at(3, 15), "False", [], revision=2, kind=PublicationKind.UPDATE)
    publish(db, c["c10"], at(3, 25), "False", [], revision=3, kind=PublicationKind.RETRACTION)

    # --- dismissals ---------------------------------------------------------------
    for start, end, when in (
        (ClaimState.NEW, ClaimState.DISMISSED, at(3, 12)),
        (ClaimState.DISMISSED, ClaimState.NEW, at(3, 13)),
        (ClaimState.NEW, ClaimState.DISMISSED, at(3, 14)),
    ):
        db.add(ClaimTransition(claim=c["c5"], from_state=start, to_state=end, actor=cleo, created_at=when))
    db.add(
        ClaimTransition(
            claim=c["c11"],
            from_state=ClaimState.NEW,
            to_state=ClaimState.DISMISSED,
            actor=cleo,
            created_at=at(2, 11),
        )
    )
    db.commit()

    # --- ratings ------------------------------------------------------------------
    def rate(claim_key: str, reviewer: User, key: str, when: datetime) -> Rating:
        rating = Rating(
            claim=c[claim_key], reviewer=reviewer, label=label(db, key), reasoning="Because.", created_at=when
        )
        db.add(rating)
        db.commit()
        return rating

    rate("c1", ann, "false", at(2, 25))  # before March: not counted
    rate("c1", ben, "false", at(3, 1))  # March, but the only March rating of c1
    rate("c2", ann, "false", at(3, 2))
    rate("c2", ben, "false", at(3, 2))
    rate("c2", cleo, "mostly-false", at(3, 3))
    rate("c3", ann, "mostly-true", at(3, 5))
    revised = rate("c3", ben, "true", at(3, 5))
    rate("c4", ann, "misleading", at(3, 6))
    rate("c4", ben, "misleading", at(3, 6))
    rate("c4", dan, "unverifiable", at(3, 7))  # outside the order: excluded from agreement
    rate("c5", cleo, "mostly-false", at(3, 11))  # a claim with one rating: not in agreement
    rate("c6", ann, "unverifiable", at(3, 12))  # excluded; leaves c6 with one ordered rating
    rate("c6", ben, "mostly-false", at(3, 12))
    # Ben revises his c3 rating to Ann's after seeing it: agreement keeps his blind "True".
    revised.label = label(db, "mostly-true")
    db.commit()

    # --- sources (work per person; the published figures read the snapshots) ---------
    def source(claim_key: str, author: User | None, when: datetime) -> None:
        db.add(
            Source(
                claim=c[claim_key],
                title="A source",
                url="https://example.org/s",
                created_by=author,
                created_at=when,
            )
        )
        db.commit()

    source("c2", ann, at(3, 2))
    source("c2", ann, at(3, 3))
    source("c4", ann, at(3, 31, 23))
    source("c4", ben, at(3, 6))
    source("c1", ann, at(2, 21))  # February
    source("c6", None, at(3, 12))  # author account gone: not counted
    source("c6", cleo, at(4, 1, 0))  # April
    return Desk(ann, ben, cleo, dan, eve, claims)


# --- the answers --------------------------------------------------------------------

EXPECTED_COUNTS = {
    "captured": 7,  # c2 c3 c4 c5 c6 c7 c9
    "published": 5,  # c1 c2 c3 c6 c9
    "corrected": 1,  # c3 (c1's correction is in April)
    "updated": 1,  # c10
    "retracted": 1,  # c10
    "dismissed": 2,  # c5 twice (c11 in February)
}
EXPECTED_VERDICTS = [
    ("False", 2),  # c1 c2
    ("Mostly false", 0),
    ("Misleading", 0),  # c4 is published in April
    ("Mostly true", 1),  # c3's first label (its correction says True)
    ("True", 0),
    ("Unverifiable", 1),  # c6
    ("Satire", 0),
    ("Incorrect", 1),  # c9's imported label, after the scale
]
# c6 24 h, c3 36 h, c2 105 h, c1 264 h (c9 imported: left out).
EXPECTED_HOURS = [24.0, 36.0, 105.0, 264.0]
EXPECTED_MEDIAN_HOURS = 70.5  # (36 + 105) / 2
EXPECTED_P90_HOURS = 216.3  # position 3 * 0.9 = 2.7: 105 + 0.7 * (264 - 105)
EXPECTED_WEEKS = [
    # (first day, last day, captured, published)
    (date(2024, 3, 1), date(2024, 3, 3), 1, 1),  # c2 | c1
    (date(2024, 3, 4), date(2024, 3, 10), 2, 3),  # c3 c4 | c2 c3 c9
    (date(2024, 3, 11), date(2024, 3, 17), 3, 1),  # c5 c6 c9 | c6
    (date(2024, 3, 18), date(2024, 3, 24), 0, 0),
    (date(2024, 3, 25), date(2024, 3, 31), 1, 0),  # c7
]
EXPECTED_PEOPLE = [
    # (name, ratings submitted, sources added, claims captured)
    ("Ann Archer", 4, 3, 2),
    ("Ben Baker", 5, 1, 2),
    ("Cleo Cruz", 2, 0, 1),
    ("Dan Diaz", 1, 0, 1),
]
# Agreement units, with the labels first submitted: c2 [1, 1, 2], c3 [4, 5], c4 [3, 3].
# Coincidences: o(1,1)=1, o(1,2)=o(2,1)=1, o(3,3)=2, o(4,5)=o(5,4)=1; n = (2, 1, 2, 1, 1), n.. = 7.
# Ordinal distances: d(1,2) = (3 - 1.5)^2 = 2.25, d(4,5) = (2 - 1)^2 = 1, ...
# D_o = (2 * 2.25 + 2 * 1) / 7 = 6.5 / 7; D_e = 2 * 189 / (7 * 6) = 9; alpha = 1 - 6.5 / 63 = 113 / 126.
EXPECTED_ALPHA = 113 / 126
EXPECTED_AGREEMENT = {"claims": 3, "ratings": 7, "reviewers": 3, "excluded_unordered": 2}
# With the revised label instead (c3 [4, 4]) alpha would be higher: the test makes sure it is not used.
EXPECTED_CLAIMANTS = [
    ("Russian Ministry of Defence", 3),  # c2 c4 + c3 spelled differently
    ("US State Department", 2),
    ("Ministry of Truth", 1),
    ("NATO", 1),  # c7 (c8 is in April)
]
# First-publication snapshots: c1 2 (1 primary), c2 3 (2), c3 1 (0), c6 0, c9 1 (1).
EXPECTED_SOURCES = {"verdicts": 5, "sources": 7, "primary": 4, "mean": 1.4, "median": 1.0}
EXPECTED_SOURCES_BY_LABEL = [
    # (label, verdicts, sources, primary, mean, primary share)
    ("False", 2, 5, 3, 2.5, 0.6),
    ("Mostly true", 1, 1, 0, 1.0, 0.0),
    ("Unverifiable", 1, 0, 0, 0.0, None),
    ("Incorrect", 1, 1, 1, 1.0, 1.0),
]
