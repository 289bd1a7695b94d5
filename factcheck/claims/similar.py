"""Similar claims: is this claim already on the desk?

Candidates come from SQL (claims sharing one of the wording's longest words,
published ones and newer ones first, a few hundred at most), then rapidfuzz
scores each against the wording (token set ratio: word order and extra words
matter little). Published claims come first, then the best scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, utils
from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim, ClaimState

# Scores run from 0 to 100; below this a claim is not shown (the app's SIMILAR_CLAIMS_THRESHOLD).
DEFAULT_THRESHOLD = 70
# How many claims SQL hands to the scorer, at most.
CANDIDATE_LIMIT = 300
# How many of the wording's longest words pick the candidates.
SEARCH_WORDS = 4
SHOWN = 5

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Suggestion:
    claim: Claim
    # 0 to 100.
    score: float

    @property
    def published(self) -> bool:
        return self.claim.state == ClaimState.PUBLISHED


def search_words(wording: str, count: int = SEARCH_WORDS) -> list[str]:
    """The longest distinct words of the wording (long words are rarer, so they find fewer, better candidates)."""
    seen: dict[str, str] = {}
    for word in _WORD.findall(wording):
        seen.setdefault(word.casefold(), word)
    return sorted(seen.values(), key=lambda word: (-len(word), word.casefold()))[:count]


def similar_claims(
    db: Session,
    wording: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = SHOWN,
    exclude: Iterable[int] = (),
) -> list[Suggestion]:
    """Existing claims like ``wording``: published ones first, then by score (best first)."""
    words = search_words(wording or "")
    if not words:
        return []
    query = select(Claim).where(or_(*(Claim.text.icontains(word, autoescape=True) for word in words)))
    excluded = list(exclude)
    if excluded:
        query = query.where(Claim.id.not_in(excluded))
    published_first = case((Claim.state == ClaimState.PUBLISHED, 0), else_=1)
    candidates = db.scalars(query.order_by(published_first, Claim.id.desc()).limit(CANDIDATE_LIMIT))
    scored = [
        Suggestion(claim, fuzz.token_set_ratio(wording, claim.text, processor=utils.default_process))
        for claim in candidates
    ]
    kept = [s for s in scored if s.score >= threshold]
    kept.sort(key=lambda s: (not s.published, -s.score, -s.claim.id))
    return kept[:limit]
