"""Concurrent writers extend the one chain in turn: gap-free, no forks, every changeset verifiable."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

from factcheck.audit import chain
from factcheck.audit.changesets import Actor
from factcheck.claims.models import Tag
from factcheck.db import make_engine
from tests.audit.helpers import audited_session, changes, changesets, head_seq, observe, tag_names

WRITERS = 2
TRANSACTIONS = 25


def test_concurrent_writers_produce_one_gap_free_chain(
    committed_app_url: str, committed_engine: Engine
) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    ready = threading.Barrier(WRITERS)

    def write(writer: int) -> None:
        # Each writer has an engine (and so a connection) of its own, like another process.
        engine = make_engine(committed_app_url)
        try:
            with audited_session(engine, Actor.system(f"writer {writer}", "test")) as session:
                ready.wait(timeout=10)
                for number in range(TRANSACTIONS):
                    session.add(Tag(name=f"concurrent {writer}-{number}"))
                    session.commit()
        finally:
            engine.dispose()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for outcome in [pool.submit(write, writer) for writer in range(WRITERS)]:
            outcome.result(timeout=60)

    with observe(committed_engine) as observer:
        new = [row for row in changesets(observer) if row.seq > start]
        assert [row.seq for row in new] == list(range(start + 1, start + 1 + WRITERS * TRANSACTIONS))
        # Each links to the one before it: one chain, not two branches.
        previous = {row.seq: row.hash for row in changesets(observer)}
        assert all(row.prev_hash == previous[row.seq - 1] for row in new)
        assert {row.actor_name for row in new} == {f"writer {writer}" for writer in range(WRITERS)}
        # Every changeset holds exactly its own transaction's one insert.
        assert all(
            [(change.table_name, change.operation) for change in changes(observer, row.seq)]
            == [("tags", "INSERT")]
            for row in new
        )
        expected = {
            f"concurrent {writer}-{number}" for writer in range(WRITERS) for number in range(TRANSACTIONS)
        }
        assert expected <= tag_names(observer)
        result = chain.verify(observer)
        assert result.ok, result.problem
        assert result.head_seq == start + WRITERS * TRANSACTIONS
