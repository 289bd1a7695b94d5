"""Anchoring quotes: positions in code points, found again when the text moves, None when lost.

Emoji outside the Basic Multilingual Plane, flags (two regional indicators),
ZWJ sequences (several code points drawn as one), Cyrillic and CJK text all
count one position per code point, as Python indexes strings; browsers count
UTF-16 units, which capture.js converts (see tests/browser/).
"""

from __future__ import annotations

import pytest

from factcheck.claims.anchoring import (
    CONTEXT_LENGTH,
    QuoteNotFound,
    anchor,
    find_quote,
    select_quote,
    selector_at,
)

FAMILY = "👩\u200d👩\u200d👧"  # one picture, five code points
FLAG = "🇷🇺"  # two regional indicators
TEXT = (
    f"🚀 Запуск! {FLAG} Министерство заявило: «ракета 9M729 летит на 480 км». "
    f"家族 {FAMILY} 我们说：导弹射程为480公里。 "  # noqa: RUF001 - CJK punctuation on purpose
    "Then in English: the missile flies 480 km. Again: the missile flies 480 km. End."
)


def utf16_units(text: str, code_points: int) -> int:
    """Where a code point offset falls in UTF-16 units (what JavaScript's indexes count)."""
    return len(text[:code_points].encode("utf-16-le")) // 2


def test_code_points_are_not_utf16_units() -> None:
    quote = "导弹射程为480公里"
    start = TEXT.index(quote)
    # The rocket, the flag's two indicators and the family's three emoji take two units each.
    assert utf16_units(TEXT, start) == start + 1 + 2 + 3
    assert len(FAMILY) == 5 and len(FLAG) == 2


@pytest.mark.parametrize(
    "quote", ["ракета 9M729 летит на 480 км", "导弹射程为480公里", FAMILY, FLAG, "🚀 Запуск"]
)
def test_the_stored_position_is_used_when_it_still_holds_the_quote(quote: str) -> None:
    selector = select_quote(TEXT, quote)
    assert TEXT[selector.start : selector.end] == quote
    assert anchor(TEXT, quote, selector.prefix, selector.suffix, selector.start, selector.end) == (
        selector.start,
        selector.end,
    )


def test_context_is_kept_in_code_points() -> None:
    selector = select_quote(TEXT, "我们说")
    assert len(selector.prefix) == CONTEXT_LENGTH and selector.prefix.endswith(f"家族 {FAMILY} ")
    assert selector.suffix.startswith("：导弹")  # noqa: RUF001 - CJK punctuation on purpose
    assert selector_at(TEXT, 0, 1) == select_quote(TEXT, "🚀")


@pytest.mark.parametrize(
    "inserted", ["🚀🚀🚀 ", f"{FAMILY}{FLAG}\n", "Дополнение. ", "编者按。", "Plain note.\n\n"]
)
def test_a_quote_whose_text_moved_is_found_again(inserted: str) -> None:
    for quote in ("ракета 9M729 летит на 480 км", "导弹射程为480公里", FAMILY):
        selector = select_quote(TEXT, quote)
        changed = inserted + TEXT
        found = anchor(changed, quote, selector.prefix, selector.suffix, selector.start, selector.end)
        assert found == (selector.start + len(inserted), selector.end + len(inserted))
        assert changed[found[0] : found[1]] == quote


def test_a_repeated_quote_is_told_apart_by_its_context() -> None:
    quote = "the missile flies 480 km"
    second = select_quote(TEXT, quote, occurrence=1)
    changed = "Intro 🇺🇦. " + TEXT
    found = anchor(changed, quote, second.prefix, second.suffix, second.start, second.end)
    assert found is not None and found[0] == second.start + len("Intro 🇺🇦. ")
    first = select_quote(TEXT, quote)
    assert anchor(changed, quote, first.prefix, first.suffix, first.start, first.end) == (
        first.start + len("Intro 🇺🇦. "),
        first.end + len("Intro 🇺🇦. "),
    )


def test_the_context_wins_even_over_a_closer_position() -> None:
    quote = "the missile flies 480 km"
    second = select_quote(TEXT, quote, occurrence=1)
    first = select_quote(TEXT, quote)
    # A stale position right on the first occurrence, with the second's context.
    assert anchor(TEXT + " ", quote, second.prefix, second.suffix, first.start + 1, first.end + 1) == (
        second.start,
        second.end,
    )


def test_context_changed_near_the_quote_still_points_to_the_best_match() -> None:
    quote = "the missile flies 480 km"
    second = select_quote(TEXT, quote, occurrence=1)
    # The words before the second occurrence were edited; its suffix still matches.
    changed = TEXT.replace("Again: the missile", "Once more: the missile")
    found = anchor(changed, quote, second.prefix, second.suffix, None, None)
    assert found == (changed.rindex(quote), changed.rindex(quote) + len(quote))


def test_between_equal_contexts_the_nearest_to_the_old_position_wins() -> None:
    text = "yes. yes. yes. yes."
    assert anchor(text + "!", "yes", "", "", 11, 14) == (10, 13)
    assert anchor(text, "yes", None, None, None, None) == (0, 3)


def test_trimmed_context_still_tells_occurrences_apart() -> None:
    """Forms trim the hidden prefix and suffix; the space touching the quote is not needed."""
    quote = "the missile flies 480 km"
    second = select_quote(TEXT, quote, occurrence=1)
    found = anchor(TEXT, quote, second.prefix.rstrip(), second.suffix.lstrip(), None, None)
    assert found == (second.start, second.end)


def test_a_quote_no_longer_in_the_text_is_not_anchored() -> None:
    selector = select_quote(TEXT, "导弹射程为480公里")
    changed = TEXT.replace("480公里", "500公里")
    assert (
        anchor(changed, selector.exact, selector.prefix, selector.suffix, selector.start, selector.end)
        is None
    )
    assert anchor(TEXT, "", "", "", 0, 0) is None
    assert anchor(TEXT, None) is None


def test_a_position_out_of_range_is_only_a_hint() -> None:
    selector = select_quote(TEXT, FLAG)
    assert anchor(TEXT, FLAG, selector.prefix, selector.suffix, 10_000, 10_010) == (
        selector.start,
        selector.end,
    )
    assert anchor(TEXT, FLAG, selector.prefix, selector.suffix, -5, 2) == (selector.start, selector.end)


def test_a_pasted_quote_with_other_line_breaks_is_found() -> None:
    text = "First line of the statement\nsecond line of it.\n\nAnother paragraph."
    selector = find_quote(text, "  line of the statement second   line  ")
    assert selector.exact == "line of the statement\nsecond line"
    assert (selector.start, selector.end) == (6, 6 + len(selector.exact))
    with pytest.raises(QuoteNotFound):
        find_quote(text, "not there")
    with pytest.raises(QuoteNotFound):
        select_quote(text, "")
