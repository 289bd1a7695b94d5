"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# Every primary key (and revision number) a route names is an INTEGER column: 4 bytes on
# PostgreSQL, where a larger literal fails with "integer out of range"; SQLite's Python driver
# overflows past 2**63 - 1. Ids outside 1 .. 2**31 - 1 name no row on either database.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<id:name>``: a positive whole number a row id can be; anything else is no such page (404)."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RowIdConverter
