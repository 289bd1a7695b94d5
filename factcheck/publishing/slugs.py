"""The public address of a verdict: ``/checks/<slug>``, readable, ASCII, unique and permanent.

A claim gets its slug at its first publication, made from the claim's wording
(transliterated to ASCII by python-slugify), and keeps it for good: later
revisions never change it, and since a claim with publications cannot be
deleted, a slug is never given to another claim.
"""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim

# Longest slug made, suffix included (the column holds 200).
MAX_SLUG_LENGTH = 80
# Apostrophes join their word ("Russia's" -> "russias", not "russia-s").
_APOSTROPHES = [["'", ""], ["\u2019", ""], ["\u02bc", ""]]


def readable_slug(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary; "" when nothing is left."""
    return slugify(text or "", max_length=max_length, word_boundary=True, replacements=_APOSTROPHES)


def _taken(session: Session, slug: str) -> bool:
    return session.scalar(select(Claim.id).where(Claim.slug == slug).limit(1)) is not None


def unique_slug(session: Session, *texts: str) -> str:
    """A slug no claim has yet, from the first of ``texts`` that has words to make one of.

    The readable slug if it is free, else with ``-2``, ``-3``… appended; "check"
    when no text has any words (only symbols).
    """
    base = next((slug for slug in map(readable_slug, texts) if slug), "check")
    if not _taken(session, base):
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        # Cut the base so the whole slug stays within the limit.
        stem = readable_slug(base, MAX_SLUG_LENGTH - len(suffix)) or "check"
        candidate = f"{stem}{suffix}"
        if not _taken(session, candidate):
            return candidate
        number += 1


def assign_slug(session: Session, claim: Claim) -> str:
    """The claim's slug, made now from its wording (else its headline) if it has none yet.

    A slug once set is never changed, so a slug given earlier (an imported record's) is kept.
    """
    if claim.slug:
        return claim.slug
    headline = claim.verdict.headline if claim.verdict is not None else ""
    claim.slug = unique_slug(session, claim.text, headline, f"check {claim.id}")
    return claim.slug
