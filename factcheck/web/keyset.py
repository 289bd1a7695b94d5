"""Keyset (cursor) pagination: pages that stay fast however deep they go.

A page is "the next N rows after this one in the sort order", found with a
row comparison on the sort keys ``(k1, ..., id) > (v1, ..., id0)`` that an
index on the same columns answers directly, instead of OFFSET, which reads
and throws away every row before the page. The last key must be unique (the
id), so rows with equal sort values keep one stable order and no row is
skipped or repeated between pages.

Cursors are opaque URL-safe strings holding the sort's name and the key
values of the row at the edge of a page. A cursor made for another sort, or
edited by hand, is refused with :class:`InvalidCursor` rather than sent to the
database.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, literal, or_, tuple_
from sqlalchemy.orm import Session

_MAX_CURSOR_LENGTH = 2000
# Ids are 32-bit integers on PostgreSQL.
_INT_RANGE = (-(2**31), 2**31 - 1)


class InvalidCursor(ValueError):
    """A cursor that this sort did not make."""


@dataclass(frozen=True)
class Key:
    """One sort key: an SQL expression, the Python type of its values, and its direction."""

    expression: ColumnElement[Any]
    kind: type
    descending: bool = False


@dataclass(frozen=True)
class Ordering:
    """A sort order: its keys, the last one unique (the id)."""

    name: str
    keys: Sequence[Key]

    @property
    def kinds(self) -> list[type]:
        return [key.kind for key in self.keys]

    def labelled(self) -> list[ColumnElement[Any]]:
        return [key.expression.label(f"keyset_{position}") for position, key in enumerate(self.keys)]

    def order_by(self, *, backwards: bool = False) -> list[ColumnElement[Any]]:
        return [
            key.expression.desc() if key.descending != backwards else key.expression.asc()
            for key in self.keys
        ]

    def beyond(self, values: Sequence[Any], *, backwards: bool = False) -> ColumnElement[bool]:
        """Rows strictly after ``values`` in this order (before them, going backwards)."""
        bounds = [
            literal(value, type_=key.expression.type) for key, value in zip(self.keys, values, strict=True)
        ]
        directions = {key.descending for key in self.keys}
        if len(directions) == 1:
            # One direction: a row comparison, which an index on the same columns answers.
            left, right = tuple_(*(key.expression for key in self.keys)), tuple_(*bounds)
            return left < right if directions.pop() != backwards else left > right
        # Mixed directions: after on the first key, or equal on it and after on the rest.
        alternatives = []
        for position, key in enumerate(self.keys):
            equal = [self.keys[n].expression == bounds[n] for n in range(position)]
            later = (
                key.expression < bounds[position]
                if key.descending != backwards
                else key.expression > bounds[position]
            )
            alternatives.append(and_(*equal, later))
        return or_(*alternatives)

    # --- cursors ---

    def encode(self, values: Sequence[Any]) -> str:
        payload = json.dumps([self.name, [_encode_value(value) for value in values]], separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[Any, ...]:
        if len(cursor) > _MAX_CURSOR_LENGTH:
            raise InvalidCursor("cursor too long")
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            name, encoded = json.loads(raw)
            values = tuple(_decode_value(value) for value in encoded)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
            raise InvalidCursor("cursor unreadable") from error
        if name != self.name or len(values) != len(self.kinds):
            raise InvalidCursor("cursor of another sort order")
        for value, kind in zip(values, self.kinds, strict=True):
            if not _is_kind(value, kind):
                raise InvalidCursor("cursor value of the wrong type")
        return values


def _is_kind(value: Any, kind: type) -> bool:
    """Whether ``value`` is of ``kind`` and something the database takes without an error."""
    if isinstance(value, bool):
        return False
    if kind is float:
        return isinstance(value, int | float) and math.isfinite(value)
    if kind is int:
        return isinstance(value, int) and _INT_RANGE[0] <= value <= _INT_RANGE[1]
    if kind is str:
        return isinstance(value, str) and "\x00" not in value
    if kind is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    return isinstance(value, kind)


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"t"} and isinstance(value["t"], str):
            return datetime.fromisoformat(value["t"])
        if set(value) == {"d"} and isinstance(value["d"], str):
            return date.fromisoformat(value["d"])
        raise ValueError("unknown value")
    if isinstance(value, list):
        raise ValueError("unknown value")
    return value


@dataclass
class Page:
    """One page of rows, with the cursors of the pages after and before it (None: there is none)."""

    rows: list[Row[Any]]
    next_cursor: str | None
    previous_cursor: str | None


def fetch_page(
    db: Session,
    query: Select[Any],
    ordering: Ordering,
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """The page of ``query`` after the cursor ``after``, or before ``before``, or the first page.

    ``query`` must not be ordered or limited; its rows come back as selected
    (plus the sort keys as trailing columns). Raises :class:`InvalidCursor`.
    """
    backwards = before is not None
    cursor = before if backwards else after
    keyed = query.add_columns(*ordering.labelled())
    if cursor is not None:
        keyed = keyed.where(ordering.beyond(ordering.decode(cursor), backwards=backwards))
    rows = list(db.execute(keyed.order_by(*ordering.order_by(backwards=backwards)).limit(size + 1)).all())
    more = len(rows) > size
    rows = rows[:size]
    width = len(ordering.keys)

    def cursor_of(row: Row[Any]) -> str:
        return ordering.encode(tuple(row[-width:]))

    if backwards:
        rows.reverse()
        previous_cursor = cursor_of(rows[0]) if more and rows else None
        # The row the cursor was made from comes after this page.
        next_cursor = cursor_of(rows[-1]) if rows else None
    else:
        next_cursor = cursor_of(rows[-1]) if more and rows else None
        previous_cursor = cursor_of(rows[0]) if cursor is not None and rows else None
    return Page(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor)
