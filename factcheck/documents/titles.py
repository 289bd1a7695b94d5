"""Guessing a document's title when nobody gave one.

A Markdown heading (``# ...``) or a short first line without a sentence's closing
punctuation is taken as the heading; otherwise the first sentence, cut at a word
so the title stays at most ``MAX_GUESSED_LENGTH`` characters.
"""

from __future__ import annotations

import re

MAX_GUESSED_LENGTH = 120
ELLIPSIS = "…"
_MARKDOWN_HEADING = re.compile(r"#{1,6}\s+(.+?)\s*#*\s*$")
# The end of a sentence: closing punctuation (Latin, Arabic, CJK, Devanagari) then a space or the end.
_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f\u061f\u0964])(?:\s|$)")
_CLOSING = ".!?:;,\u3002\uff01\uff1f\u061f\u0964"


def guess_title(text: str) -> str:
    """A title for the text: its first heading, else its first sentence, at most 120 characters."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    first = lines[0]
    heading = _MARKDOWN_HEADING.fullmatch(first)
    if heading:
        return shorten(heading.group(1))
    if len(first) <= MAX_GUESSED_LENGTH and not first.endswith(tuple(_CLOSING)) and len(lines) > 1:
        return first
    paragraph = first
    end = _SENTENCE_END.search(paragraph)
    return shorten(paragraph[: end.start()] if end else paragraph)


def shorten(text: str, limit: int = MAX_GUESSED_LENGTH) -> str:
    """The text cut at the last whole word that fits in ``limit`` characters (with an ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 0 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:—-") + ELLIPSIS
