"""Accent and case folding: "Chávez", "CHAVEZ" and "chavez" are one word to every search.

Both databases fold what they index and what is searched the same way, with
a SQL function named :data:`FOLD`: on PostgreSQL a wrapper of the ``unaccent``
extension that the index expressions and the queries call (schema.py); on
SQLite :func:`fold` itself, registered on each connection, which the triggers
feeding the FTS5 tables call (FTS5's own ``remove_diacritics`` knows Latin
accents only, not Greek ones, "ł" or "ø"). :func:`fold` also marks matches
(highlight.py) and serves the public search on SQLite (:func:`sqlite_words`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# The SQL function: on PostgreSQL lower(unaccent(text)), IMMUTABLE so that an index can use
# it; on SQLite fold() below (so every connection that writes searched tables needs it:
# make_engine registers it).
FOLD = "search_fold"
# The SQLite function the public search matches whole words in (registered per connection).
SQLITE_WORDS = "search_words"

# Letters that carry their mark in the letter itself, so decomposing does not remove it
# (unaccent's rules fold them too).
_LETTERS = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "\u0131": "i", "ŧ": "t", "æ": "ae", "œ": "oe"}
# A word, as the public search sees it: letters and digits (marks are gone once folded).
_WORD = re.compile(r"[^\W_]+")


class _Stripped(dict[int, Any]):
    """str.translate's table: combining marks removed, the letters above replaced; filled
    as characters are met, so each is looked at once."""

    def __missing__(self, code: int) -> Any:
        character = chr(code)
        value: Any = _LETTERS.get(character, None if unicodedata.combining(character) else code)
        self[code] = value
        return value


_STRIPPED = _Stripped()


def fold(text: str) -> str:
    """``text`` without case or accents: "Nicolás MADURO" -> "nicolas maduro"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", decomposed.translate(_STRIPPED))


def sqlite_fold(text: str | None) -> str | None:
    return None if text is None else fold(text)


def sqlite_words(text: str | None) -> str | None:
    """The folded words of ``text`` between single spaces, with a space before the first and
    after the last: ``LIKE '% word %'`` then matches a whole word (or words, in order)."""
    if text is None:
        return None
    return " " + " ".join(_WORD.findall(fold(text))) + " "


def register_sqlite(dbapi_connection: Any) -> None:
    """Make :data:`FOLD` and :data:`SQLITE_WORDS` callable in SQL on a new SQLite connection."""
    dbapi_connection.create_function(FOLD, 1, sqlite_fold, deterministic=True)
    dbapi_connection.create_function(SQLITE_WORDS, 1, sqlite_words, deterministic=True)
