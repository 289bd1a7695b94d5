"""What the user typed, turned into a query both engines run the same way.

The search box takes words and "quoted phrases". Everything else a user might
type (FTS5 operators, tsquery syntax, quotes, brackets, emoji) is not syntax:
only words are kept, a word being a run of letters, digits and combining marks
(so "9M729", "naïve", "Шойгу" and "हिन्दी" are words; "_", "-", "*" and emoji
separate them). The engines get their queries built from these words, each
one quoted, so no input can be a syntax error.

Meaning: every word and every phrase must match (AND); a word matches words
that start with it ("missile" finds "missiles"; one-letter words match only
themselves, which keeps them from matching half the index); a phrase matches
its words in order, exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# Enough for any real search; a longer input is cut, not refused.
MAX_TERMS = 16
MAX_TERM_LENGTH = 64
# Shorter words are matched exactly, longer ones as prefixes.
MIN_PREFIX_LENGTH = 2

_PHRASE = re.compile(r'"([^"]*)"')


def words(text: str) -> list[str]:
    """The words of ``text``, in order (runs of letters, digits and marks)."""
    found: list[str] = []
    current: list[str] = []
    for char in text:
        if unicodedata.category(char)[0] in "LNM":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    # A word of only combining marks is not a word.
    return [word[:MAX_TERM_LENGTH] for word in found if any(unicodedata.category(c)[0] in "LN" for c in word)]


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several words that must appear together, in order."""

    words: tuple[str, ...]

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def prefix(self) -> bool:
        return not self.is_phrase and len(self.words[0]) >= MIN_PREFIX_LENGTH


@dataclass(frozen=True)
class SearchQuery:
    text: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def all_words(self) -> list[str]:
        return [word for term in self.terms for word in term.words]

    def fts5(self, fold: Callable[[str], str] = str) -> str:
        """The SQLite FTS5 MATCH expression: each word a quoted string ("..." and "..."*), as
        ``fold`` gives it (the index's own folding)."""
        parts = []
        for term in self.terms:
            quoted = " ".join(_fts5_string(fold(word)) for word in term.words)
            parts.append(f"{quoted}*" if term.prefix else quoted)
        # Adjacent strings in a phrase are written "a" + "b" in FTS5.
        return " AND ".join(part.replace('" "', '" + "') for part in parts)

    def tsquery(self) -> str:
        """The PostgreSQL to_tsquery() text: 'word':* & ('a' <-> 'b')."""
        parts = []
        for term in self.terms:
            lexemes = [f"'{word}'" for word in term.words]
            if term.prefix:
                parts.append(f"{lexemes[0]}:*")
            elif term.is_phrase:
                parts.append("(" + " <-> ".join(lexemes) + ")")
            else:
                parts.append(lexemes[0])
        return " & ".join(parts)


def _fts5_string(word: str) -> str:
    # Words hold no quotes (see words()); doubling them is what FTS5 wants if they did.
    return '"' + word.replace('"', '""') + '"'


def parse(text: str | None) -> SearchQuery:
    """The query in ``text``; falsy when nothing searchable is left (then: no text filter)."""
    text = text or ""
    terms: list[Term] = []
    seen: set[tuple[str, ...]] = set()

    def add(found: list[str]) -> None:
        if not found:
            return
        key = tuple(word.casefold() for word in found)
        if key not in seen and len(terms) < MAX_TERMS:
            seen.add(key)
            terms.append(Term(tuple(found)))

    position = 0
    for match in _PHRASE.finditer(text):
        for word in words(text[position : match.start()]):
            add([word])
        add(words(match.group(1)))
        position = match.end()
    # An unmatched quote starts no phrase: what follows it is plain words.
    for word in words(text[position:]):
        add([word])
    return SearchQuery(text=text, terms=tuple(terms))
