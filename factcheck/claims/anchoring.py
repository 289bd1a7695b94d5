"""Anchoring claims to spans of a document's text (W3C Web Annotation selectors).

Positions count Unicode code points, which is what Python string indexes are.
The quote (``exact`` with its ``prefix`` and ``suffix``) is the truth; the
position is a hint. :func:`anchor` finds a stored quote again in a text that
may have changed; :func:`select_quote` makes the selectors of a quote pasted
by someone who could not select it in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

# Characters of context kept on each side of a quote to tell repeated quotes apart.
CONTEXT_LENGTH = 32
# A quote found more often than this is placed among the first ones found
# (a one-word quote in a long text would otherwise cost a score per occurrence).
MAX_CANDIDATES = 1000
# Whitespace skipped between a quote and its context when comparing them.
WHITESPACE_SLACK = 64

Span = tuple[int, int]


@dataclass(frozen=True)
class TextSelector:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


class QuoteNotFound(ValueError):
    """The quote does not occur in the text."""


def selector_at(text: str, start: int, end: int) -> TextSelector:
    """The selectors of the span ``text[start:end]``, with its context."""
    return TextSelector(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
    )


def select_quote(text: str, exact: str, *, occurrence: int = 0) -> TextSelector:
    """The selectors of the ``occurrence``-th appearance of ``exact`` in ``text``."""
    if not exact:
        raise QuoteNotFound("an empty quote anchors nowhere")
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(exact, start + 1)
        if start < 0:
            raise QuoteNotFound(f"quote not found in the text: {exact[:60]!r}")
    return selector_at(text, start, start + len(exact))


def anchor(
    text: str,
    exact: str | None,
    prefix: str | None = None,
    suffix: str | None = None,
    start: int | None = None,
    end: int | None = None,
) -> Span | None:
    """Where the quote ``exact`` is in ``text`` now, as (start, end) in code points; None if nowhere.

    The stored position wins when the text there is still the quote. Otherwise
    every occurrence of the quote is a candidate, and the one whose surrounding
    text looks most like the stored ``prefix`` and ``suffix`` wins; between equals,
    the one nearest the stored position (or the first one, without a position).
    A quote whose spaces or line breaks changed is still found, as a last resort.
    """
    if not exact:
        return None
    if start is not None and end is not None and 0 <= start <= end <= len(text) and text[start:end] == exact:
        return start, end
    candidates = _occurrences(text, exact) or _occurrences_ignoring_whitespace(text, exact)
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    # Whitespace touching the quote tells nothing (and forms trim it), so it is left out on both sides.
    prefix = (prefix or "").rstrip()
    suffix = (suffix or "").lstrip()

    def rank(span: Span) -> tuple[float, int]:
        found_start, found_end = span
        window = len(prefix) + WHITESPACE_SLACK
        before = text[max(0, found_start - window) : found_start].rstrip()[-len(prefix) :] if prefix else ""
        after = text[found_end : found_end + len(suffix) + WHITESPACE_SLACK].lstrip()[: len(suffix)]
        similarity = _similarity(prefix, before, from_end=True) + _similarity(suffix, after, from_end=False)
        distance = abs(found_start - start) if start is not None else found_start
        return -similarity, distance

    return min(candidates, key=rank)


def find_quote(text: str, exact: str) -> TextSelector:
    """The selectors of a quote someone pasted: its first occurrence, even if its
    spaces or line breaks differ from the text's. Raises QuoteNotFound."""
    span = anchor(text, exact.strip())
    if span is None:
        raise QuoteNotFound(f"quote not found in the text: {exact[:60]!r}")
    return selector_at(text, *span)


def _occurrences(text: str, exact: str) -> list[Span]:
    found: list[Span] = []
    position = text.find(exact)
    while position >= 0 and len(found) < MAX_CANDIDATES:
        found.append((position, position + len(exact)))
        position = text.find(exact, position + 1)
    return found


def _occurrences_ignoring_whitespace(text: str, exact: str) -> list[Span]:
    """Occurrences where each run of whitespace in the quote matches any run of whitespace."""
    words = exact.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    found: list[Span] = []
    for match in pattern.finditer(text):
        found.append(match.span())
        if len(found) >= MAX_CANDIDATES:
            break
    return found


def _similarity(stored: str, current: str, *, from_end: bool) -> float:
    """How alike a stored context and the text beside a candidate are, 0 to 1.

    Context nearest the quote matters most, so an exact match of the characters
    touching the quote counts double.
    """
    if not stored:
        return 0.0
    touching = 0
    pairs = (
        zip(reversed(stored), reversed(current), strict=False)
        if from_end
        else zip(stored, current, strict=False)
    )
    for ours, theirs in pairs:
        if ours != theirs:
            break
        touching += 1
    return Levenshtein.normalized_similarity(stored, current) + touching / len(stored)
