"""The rows are read lazily, in keyset batches with a fixed number of queries each (flat memory).

Nothing is timed here: the benchmark (bench/export_throughput.py) measures speed and memory.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from factcheck.exports import formats
from factcheck.exports.claims import CLAIM_COLUMNS, Viewer, claim_batches, claim_records, parse_filter
from tests.exports.conftest import Desk
from tests.helpers import counting_selects


def claim_batch_queries(statements: list[str]) -> list[str]:
    """The statements that read a batch of claims (FROM claims ... LIMIT)."""
    return [s for s in statements if re.search(r"FROM claims\b", s) and "LIMIT" in s and "count(" not in s]


def test_nothing_is_read_until_a_row_is_asked_for(
    app: Flask, db_session: Session, connection: Connection, desk: Desk
) -> None:
    claim_filter = parse_filter(db_session)
    with app.app_context(), counting_selects(connection) as statements:
        records = claim_records(db_session, claim_filter, Viewer.command_line(), batch=2)
        chunks = formats.csv_chunks(CLAIM_COLUMNS, records, batch=1)
        assert statements == []
        next(chunks)  # the header and the first row
        assert len(claim_batch_queries(statements)) == 1


def test_claims_are_read_in_keyset_batches(db_session: Session, connection: Connection, desk: Desk) -> None:
    claim_filter = parse_filter(db_session)
    with counting_selects(connection) as statements:
        ids = [
            record.id for record in claim_records(db_session, claim_filter, Viewer.command_line(), batch=2)
        ]
    assert ids == desk.ids(*desk.claims)
    batches = claim_batch_queries(statements)
    # 5 claims, 2 a batch: three queries, each after the last id of the one before.
    assert len(batches) == 3
    assert all("claims.id >" in statement for statement in batches)


def test_each_batch_costs_the_same_few_queries_however_many_claims(
    db_session: Session, connection: Connection, desk: Desk
) -> None:
    claim_filter = parse_filter(db_session)
    # The claims, then one query each for appearances, tags, ratings, verdicts, publications
    # and source counts: 7 per batch whatever its size, never one per claim.
    with counting_selects(connection) as one_batch:
        list(claim_records(db_session, claim_filter, Viewer.command_line(), batch=10))
    assert len(one_batch) == 7
    with counting_selects(connection) as two_batches:
        list(claim_records(db_session, claim_filter, Viewer.command_line(), batch=3))
    assert len(two_batches) == 14
    with counting_selects(connection) as five_batches:
        list(claim_records(db_session, claim_filter, Viewer.command_line(), batch=1))
    # The last batch is full, so one more (empty) claims query says there is no more.
    assert len(five_batches) == 5 * 7 + 1


def test_a_batch_is_handed_over_before_the_next_is_read(db_session: Session, desk: Desk) -> None:
    claim_filter = parse_filter(db_session)
    batches = claim_batches(db_session, claim_filter, batch=2)
    first = next(batches)
    assert [record.id for record in first] == desk.ids(*desk.claims)[:2]
    assert [len(batch) for batch in batches] == [2, 1]


def test_writers_keep_at_most_a_batch_of_text(desk: Desk) -> None:
    rows = iter(range(1200))
    columns = (formats.Column("n", "N", lambda n: n),)
    chunks = list(formats.csv_chunks(columns, rows, batch=500))
    assert len(chunks) == 3
    assert chunks[0].count("\n") == 501
    json_parts = list(formats.json_chunks(columns, iter(range(1200)), batch=500))
    assert len(json_parts) == 3
    assert "".join(json_parts).startswith('[\n{"n": 0},\n{"n": 1}')
