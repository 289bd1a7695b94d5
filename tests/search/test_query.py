"""Turning what a user types into a query: words and phrases only, never syntax."""

from __future__ import annotations

import re
import unicodedata

import pytest

from factcheck.search import highlight
from factcheck.search.folding import fold, sqlite_words
from factcheck.search.query import MAX_TERMS, parse, words

_FTS5_TERM = r'"[^"]+"(?: \+ "[^"]+")*\*?'
FTS5 = re.compile(rf"^{_FTS5_TERM}(?: AND {_FTS5_TERM})*$")
_TS_TERM = r"(?:'[^'\\]+'(?::\*)?|\('[^'\\]+'(?: <-> '[^'\\]+')+\))"
TSQUERY = re.compile(rf"^{_TS_TERM}(?: & {_TS_TERM})*$")


def test_words_are_runs_of_letters_digits_and_marks() -> None:
    assert words("Russia's 9M729 (SSC-8) — «ракета» naïve हिन्दी 🚀 foo_bar") == [
        "Russia",
        "s",
        "9M729",
        "SSC",
        "8",
        "ракета",
        "naïve",
        "हिन्दी",
        "foo",
        "bar",
    ]


def test_words_become_quoted_prefix_terms() -> None:
    query = parse("missile range")
    assert query.fts5() == '"missile"* AND "range"*'
    assert query.tsquery() == "'missile':* & 'range':*"


def test_one_letter_words_match_only_themselves() -> None:
    query = parse("a b cd")
    assert query.fts5() == '"a" AND "b" AND "cd"*'
    assert query.tsquery() == "'a' & 'b' & 'cd':*"


def test_quoted_phrases_match_in_order() -> None:
    query = parse('"Aegis Ashore" launchers')
    assert query.fts5() == '"Aegis" + "Ashore" AND "launchers"*'
    assert query.tsquery() == "('Aegis' <-> 'Ashore') & 'launchers':*"


def test_an_unmatched_quote_starts_no_phrase() -> None:
    assert (
        parse('"Aegis Ashore" "launchers of').tsquery() == "('Aegis' <-> 'Ashore') & 'launchers':* & 'of':*"
    )


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "*",
        "AND(",
        "OR",
        "NOT x",
        "NEAR(a b, 3)",
        "a:*",
        "x & !y | z",
        "'; --",
        "col:term",
        "^start",
        "-minus",
        "(unclosed",
        "\\",
        "🚀🔥",
        "\x00",
        "",
        "   ",
    ],
)
def test_syntax_of_either_engine_is_not_syntax_here(text: str) -> None:
    query = parse(text)
    for word in query.all_words:
        assert all(unicodedata.category(char)[0] in "LNM" for char in word), word
    if query:
        # Only quoted words, joined by the operators the query puts there itself.
        assert FTS5.match(query.fts5()), query.fts5()
        assert TSQUERY.match(query.tsquery()), query.tsquery()


def test_nothing_searchable_means_no_query() -> None:
    for text in ["", None, '"', "* ( ) 🚀", "---"]:
        assert not parse(text)


def test_repeated_terms_count_once_and_long_input_is_cut() -> None:
    assert len(parse("Treaty treaty TREATY").terms) == 1
    assert len(parse(" ".join(f"w{n}" for n in range(100))).terms) == MAX_TERMS


def test_excerpt_marks_matches_and_escapes_nothing_itself() -> None:
    query = parse("missil <script>")
    segments = highlight.excerpt("The <script> tag and the Missiles.", query)
    assert "".join(text for text, _hit in segments) == "The <script> tag and the Missiles."
    assert [text for text, hit in segments if hit] == ["script", "Missiles"]


def test_excerpt_is_cut_around_the_first_match() -> None:
    text = " ".join(f"word{n}" for n in range(200)) + " target " + " ".join(f"tail{n}" for n in range(200))
    segments = highlight.excerpt(text, parse("target"), width=100)
    joined = "".join(text for text, _ in segments)
    assert joined.startswith("…") and joined.endswith("…")
    assert len(joined) <= 104
    assert ("target", True) in segments


def test_excerpt_without_a_match_is_the_beginning() -> None:
    assert highlight.excerpt("Short text.", parse("absent")) == [("Short text.", False)]
    assert highlight.excerpt(None, parse("absent")) == []


def test_excerpt_marks_matches_whatever_the_accents_and_case() -> None:
    segments = highlight.excerpt("Hugo CHÁVEZ met Nicolás Maduro in Łódź.", parse("chavez nicol lodz"))
    assert [text for text, hit in segments if hit] == ["CHÁVEZ", "Nicolás", "Łódź"]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nicolás MADURO", "nicolas maduro"),
        ("Straße", "strasse"),
        ("Łódź Øresund", "lodz oresund"),
        ("ΤΣΊΠΡΑΣ Τσίπρας", "τσιπρασ τσιπρασ"),
        ("Ёлка", "елка"),
        ("e\u0301", "e"),
        ("ﬁ", "fi"),
    ],
)
def test_folding_removes_case_and_accents(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_the_public_search_sees_whole_folded_words() -> None:
    assert sqlite_words("Snake_case: the 100% ART, l'Été!") == " snake case the 100 art l ete "
    assert sqlite_words(None) is None
