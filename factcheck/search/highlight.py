"""Showing where a search matched: a short excerpt with the matching words marked.

Done in Python on the text already loaded, the same way for both databases.
The result is a list of (text, is_match) pieces; templates escape the text
and wrap matches in <mark>, so nothing here produces HTML.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

from factcheck.search.folding import fold
from factcheck.search.query import SearchQuery

Segments = list[tuple[str, bool]]


def _word_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every word, as factcheck.search.query.words() splits them."""
    start = None
    for position, char in enumerate(text):
        inside = unicodedata.category(char)[0] in "LNM"
        if inside and start is None:
            start = position
        elif not inside and start is not None:
            yield start, position
            start = None
    if start is not None:
        yield start, len(text)


def _matcher(query: SearchQuery) -> Callable[[str], bool]:
    # Folded as the databases fold (folding.py): "chavez" marks "Chávez".
    exact = {fold(word) for term in query.terms if not term.prefix for word in term.words}
    prefixes = tuple(fold(term.words[0]) for term in query.terms if term.prefix)

    def matches(word: str) -> bool:
        folded = fold(word)
        return folded in exact or folded.startswith(prefixes)

    return matches


def excerpt(text: str | None, query: SearchQuery, width: int = 220) -> Segments:
    """Up to about ``width`` characters of ``text`` around the first match, matches marked.

    Without a match (the record matched through another field) it is the
    beginning of the text.
    """
    if not text:
        return []
    matches = _matcher(query)
    spans = [(start, end) for start, end in _word_spans(text) if matches(text[start:end])]
    first = spans[0][0] if spans else 0
    begin = max(0, first - width // 3)
    end = min(len(text), begin + width)
    if begin > 0:
        # Start at a word boundary.
        space = text.find(" ", begin, first)
        begin = space + 1 if space != -1 else begin
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    segments: Segments = []
    if begin > 0:
        segments.append(("…", False))
    cursor = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        if start > cursor:
            segments.append((text[cursor:start], False))
        segments.append((text[start:stop], True))
        cursor = stop
    if cursor < end:
        segments.append((text[cursor:end], False))
    if end < len(text):
        segments.append(("…", False))
    return segments
