"""A claimant's kind as schema.org types say it, both ways: reading ``author.@type``, writing it.

ClaimReview's ``itemReviewed.author`` is a Person or an Organization. We write
``Person`` or ``Organization`` only when a reviewer (or the imported record)
said so; an unknown kind is written as a plain ``Thing`` with the name, so the
markup never guesses (see docs/publishing.md).
"""

from __future__ import annotations

import re
from typing import Any

from factcheck.claims.models import ClaimantKind

# Organization and the subtypes real feeds use; any other @type reads as unknown.
ORGANISATION_TYPES = frozenset(
    {
        "Organization",
        "Airline",
        "Consortium",
        "Corporation",
        "EducationalOrganization",
        "CollegeOrUniversity",
        "FundingScheme",
        "GovernmentOrganization",
        "LibrarySystem",
        "LocalBusiness",
        "MedicalOrganization",
        "NGO",
        "NewsMediaOrganization",
        "OnlineBusiness",
        "PerformingGroup",
        "PoliticalParty",
        "Project",
        "ResearchOrganization",
        "SearchRescueOrganization",
        "SportsOrganization",
        "SportsTeam",
        "WorkersUnion",
    }
)
PERSON_TYPES = frozenset({"Person", "Patient"})

SCHEMA_TYPES = {
    ClaimantKind.PERSON: "Person",
    ClaimantKind.ORGANISATION: "Organization",
    ClaimantKind.UNKNOWN: "Thing",
}


def _kind_of_node(node: Any) -> ClaimantKind:
    if not isinstance(node, dict):
        return ClaimantKind.UNKNOWN
    types = node.get("@type")
    # "Person", "schema:Person", "https://schema.org/Person", or a list of those.
    names = {
        re.split(r"[/:#]", value.strip())[-1]
        for value in (types if isinstance(types, list) else [types])
        if isinstance(value, str)
    }
    person, organisation = bool(names & PERSON_TYPES), bool(names & ORGANISATION_TYPES)
    if person and not organisation:
        return ClaimantKind.PERSON
    if organisation and not person:
        return ClaimantKind.ORGANISATION
    return ClaimantKind.UNKNOWN


def kind_of_author(author: Any) -> ClaimantKind:
    """The kind an ``author`` value says: one node's @type, or the kind all of a list's nodes share."""
    nodes = author if isinstance(author, list) else [author]
    kinds = {_kind_of_node(node) for node in nodes}
    return kinds.pop() if len(kinds) == 1 else ClaimantKind.UNKNOWN


def snapshot_kind(snapshot: dict[str, Any]) -> ClaimantKind:
    """The kind a publication snapshot froze; unknown for snapshots made before kinds existed."""
    try:
        return ClaimantKind(snapshot.get("claimant_kind") or ClaimantKind.UNKNOWN)
    except ValueError:
        return ClaimantKind.UNKNOWN


def schema_author(name: str, kind: ClaimantKind) -> dict[str, str]:
    """The ``itemReviewed.author`` node: Person or Organization when known, else a Thing."""
    return {"@type": SCHEMA_TYPES[kind], "name": name}
