"""Keyset cursors (factcheck.web.keyset): what they carry, and what they refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import column

from factcheck.web.keyset import InvalidCursor, Key, Ordering

ORDER = Ordering(
    "test",
    (
        Key(column("score"), float),
        Key(column("at"), datetime, True),
        Key(column("day"), date),
        Key(column("name"), str),
        Key(column("id"), int, True),
    ),
)


def test_a_cursor_carries_every_kind_of_value_exactly() -> None:
    values = (
        -0.1 / 3,
        datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        date(9999, 12, 31),
        "Ünïcødé \"'",
        7,
    )
    assert ORDER.decode(ORDER.encode(values)) == values


def test_cursors_are_url_safe() -> None:
    cursor = ORDER.encode((1.5, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a/b+c?&=", 1))
    assert all(char.isalnum() or char in "-_" for char in cursor)


@pytest.mark.parametrize(
    "values",
    [
        (1.0, "2026-01-01T00:00:00+00:00", date(2026, 1, 1), "a", 1),  # a string for a datetime
        (1.0, datetime(2026, 1, 1), date(2026, 1, 1), "a", 1),  # naive  # noqa: DTZ001
        (1.0, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), "a", 1),
        (1.0, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a\x00", 1),
        (1.0, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a", 2**31),
        (1.0, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a", True),
        (float("nan"), datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a", 1),
        (1.0, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a"),
    ],
)
def test_values_the_database_would_choke_on_are_refused(values: tuple[object, ...]) -> None:
    payload = Ordering("test", tuple(Key(column(f"c{n}"), object) for n in range(len(values))))
    with pytest.raises(InvalidCursor):
        ORDER.decode(payload.encode(values))


@pytest.mark.parametrize("cursor", ["", "!!!", "e30", "W10", "x" * 2001, "WyJ0ZXN0IiwgeyJhIjogMX1d"])
def test_unreadable_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        ORDER.decode(cursor)


def test_a_cursor_of_another_order_is_refused() -> None:
    other = Ordering("other", ORDER.keys)
    cursor = other.encode((1.0, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a", 1))
    with pytest.raises(InvalidCursor):
        ORDER.decode(cursor)


def test_one_direction_compares_rows_mixed_directions_expand() -> None:
    same = Ordering("same", (Key(column("a"), int), Key(column("id"), int)))
    assert str(same.beyond((1, 2))).startswith("(a, id) >")
    assert str(same.beyond((1, 2), backwards=True)).startswith("(a, id) <")
    mixed = str(ORDER.beyond((1.0, datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), "a", 1)))
    assert mixed.count(" OR ") == 4
    assert "score > " in mixed and "at < " in mixed and "id < " in mixed
