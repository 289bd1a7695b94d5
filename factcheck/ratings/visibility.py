"""Blind rating: who may see the ratings of a claim."""

from __future__ import annotations

from typing import Any

from factcheck.claims.models import Claim
from factcheck.security.permissions import Permission, can


def can_see_ratings(user: Any, claim: Claim) -> bool:
    """Editors always (they write the verdict); a reviewer only after rating the claim,
    so that the others' ratings cannot anchor their own."""
    if can(user, Permission.EDIT_VERDICTS):
        return True
    if not can(user, Permission.READ_DESK):
        return False
    return any(rating.reviewer_id == user.id for rating in claim.ratings)
