"""Whole-word matching in a text column, accents and case aside: the public search.

The readers' search runs over ``publications.search_text`` (no index: a
published archive is small beside the desk's claims, sources and documents).
Each word of the query must be a whole word of the text ("art" finds "art",
not "heart" or "Martin"), and a "quoted phrase" its words in order.
PostgreSQL matches the folded text's tsvector against a tsquery of the folded
words without prefixes; SQLite compares the folded words of the text, between
spaces, with ``LIKE '% word %'`` (folding.sqlite_words, a Python function
registered on each connection).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal_column

from factcheck.search import schema
from factcheck.search.engines import pg_tsquery
from factcheck.search.folding import FOLD, SQLITE_WORDS, fold
from factcheck.search.query import SearchQuery


def whole_words(text: ColumnElement[Any], query: SearchQuery, dialect: str) -> ColumnElement[bool]:
    """A condition: every term of ``query`` (not empty) is in ``text`` as whole words."""
    if dialect == "postgresql":
        config = literal_column(f"'{schema.PG_CONFIG}'::regconfig")
        vector = func.to_tsvector(config, getattr(func, FOLD)(text))
        return vector.op("@@")(pg_tsquery(query, prefixes=False))
    words = getattr(func, SQLITE_WORDS)(text)
    return and_(*(words.like(_pattern(term.words), escape="\\") for term in query.terms))


def _pattern(words: tuple[str, ...]) -> str:
    folded = " ".join(fold(word) for word in words)
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"% {escaped} %"
