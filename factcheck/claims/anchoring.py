"""Anchoring claims to spans of a document's text (W3C Web Annotation selectors).

Positions count Unicode code points, which is what Python string indexes are.
"""

from __future__ import annotations

from dataclasses import dataclass

# Characters of context kept on each side of a quote to tell repeated quotes apart.
CONTEXT_LENGTH = 32


@dataclass(frozen=True)
class TextSelector:
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


class QuoteNotFound(ValueError):
    """The quote does not occur in the text."""


def select_quote(text: str, exact: str, *, occurrence: int = 0) -> TextSelector:
    """The selectors of the ``occurrence``-th appearance of ``exact`` in ``text``."""
    if not exact:
        raise QuoteNotFound("an empty quote anchors nowhere")
    start = -1
    for _ in range(occurrence + 1):
        start = text.find(exact, start + 1)
        if start < 0:
            raise QuoteNotFound(f"quote not found in the text: {exact[:60]!r}")
    end = start + len(exact)
    return TextSelector(
        exact=exact,
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
        start=start,
        end=end,
    )
