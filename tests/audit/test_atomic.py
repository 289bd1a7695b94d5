"""Atomic: a domain write, its audit_changes row and its sealed changeset commit or vanish together.

These tests commit for real (``committed_engine``), so they only look at what
they wrote themselves: changesets after the head they started from.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from factcheck.audit import chain
from factcheck.audit.models import AuditChange
from factcheck.claims.models import Claim, Tag
from factcheck.sources.models import Source
from tests.audit.helpers import audited_session, changes, changeset, head_seq, observe, tag_names


def changes_after(connection: Connection, start: int) -> list[tuple[int, str, str, dict]]:
    return [
        (row.changeset_seq, row.table_name, row.operation, row.row_key)
        for row in changes(connection)
        if row.changeset_seq > start
    ]


def test_each_committed_write_brings_its_change_and_changeset(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        tag = Tag(name="climate")
        session.add(tag)
        session.commit()
        tag.name = "climate policy"
        session.commit()
        session.delete(tag)
        session.commit()

    with observe(committed_engine) as observer:
        assert head_seq(observer) == start + 3
        assert changes_after(observer, start) == [
            (start + 1, "tags", "INSERT", {"id": tag.id}),
            (start + 2, "tags", "UPDATE", {"id": tag.id}),
            (start + 3, "tags", "DELETE", {"id": tag.id}),
        ]
        assert all(changeset(observer, seq) is not None for seq in range(start + 1, start + 4))


def test_a_claim_with_its_source_is_one_changeset(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        claim = Claim(text="Crime doubled.", claimant="A candidate")
        claim.sources.append(Source(title="Police statistics", citation="Annual report 2025, p. 4"))
        session.add(claim)
        session.commit()
        source_id = claim.sources[0].id

    with observe(committed_engine) as observer:
        assert head_seq(observer) == start + 1
        assert changes_after(observer, start) == [
            (start + 1, "claims", "INSERT", {"id": claim.id}),
            (start + 1, "sources", "INSERT", {"id": source_id}),
        ]
        assert {row.claim_id for row in changes(observer, start + 1)} == {claim.id}


def test_nothing_is_visible_to_others_before_commit(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
        observer.rollback()
        with audited_session(committed_engine) as session:
            session.add(Tag(name="pending"))
            session.flush()
            # Inside the transaction the trigger has written the change already ...
            written = session.scalars(select(AuditChange).where(AuditChange.changeset_seq == start + 1))
            assert [change.table_name for change in written] == ["tags"]
            # ... but another connection sees neither the row, nor its change, nor a changeset.
            assert "pending" not in tag_names(observer)
            assert changes_after(observer, start) == []
            assert head_seq(observer) == start
            observer.rollback()
            session.commit()
        assert "pending" in tag_names(observer)
        assert [change[1:3] for change in changes_after(observer, start)] == [("tags", "INSERT")]
        assert head_seq(observer) == start + 1


def test_rollback_after_flush_keeps_neither_row_nor_change(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        session.add(Tag(name="discarded"))
        session.flush()
        session.rollback()
        # The session is usable again and the next changeset takes the number not used.
        kept = Tag(name="kept")
        session.add(kept)
        session.commit()

    with observe(committed_engine) as observer:
        assert "discarded" not in tag_names(observer)
        assert "kept" in tag_names(observer)
        assert changes_after(observer, start) == [(start + 1, "tags", "INSERT", {"id": kept.id})]
        assert chain.verify(observer).ok


def test_rollback_after_sealing_removes_the_changeset_too(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with committed_engine.connect() as connection:
        outer = connection.begin()
        # A session joined to an outer transaction: its commit seals the changeset,
        # but the outer transaction decides.
        with audited_session(connection) as session:
            session.add(Tag(name="sealed then rolled back"))
            session.commit()
        assert changeset(connection, start + 1) is not None
        assert [row.table_name for row in changes(connection, start + 1)] == ["tags"]
        outer.rollback()

    with observe(committed_engine) as observer:
        assert "sealed then rolled back" not in tag_names(observer)
        assert changes_after(observer, start) == []
        assert head_seq(observer) == start
        assert chain.verify(observer).ok


# --- savepoints and sessions used again ------------------------------------------


def test_a_rolled_back_savepoint_keeps_the_rest_of_the_transaction(committed_engine: Engine) -> None:
    """The usual "try it in a savepoint" pattern: the failed part goes, the rest commits audited."""
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        first = Tag(name="savepoint first")
        session.add(first)
        session.flush()  # opens the changeset, before the savepoint
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(Tag(name="savepoint first"))  # duplicate name
            session.flush()
        second = Tag(name="savepoint second")
        session.add(second)
        session.commit()

    with observe(committed_engine) as observer:
        assert changes_after(observer, start) == [
            (start + 1, "tags", "INSERT", {"id": first.id}),
            (start + 1, "tags", "INSERT", {"id": second.id}),
        ]
        assert chain.verify(observer).ok


def test_a_failed_first_write_in_a_savepoint_leaves_the_transaction_usable(committed_engine: Engine) -> None:
    with audited_session(committed_engine) as session:
        session.add(Tag(name="taken name"))
        session.commit()
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(Tag(name="taken name"))  # opens the changeset inside the savepoint, then fails
            session.flush()
        kept = Tag(name="after the failed savepoint")
        session.add(kept)
        session.commit()

    with observe(committed_engine) as observer:
        assert changes_after(observer, start) == [(start + 1, "tags", "INSERT", {"id": kept.id})]
        assert chain.verify(observer).ok


def test_a_rolled_back_savepoint_without_later_writes_still_commits(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        kept = Tag(name="before the savepoint")
        session.add(kept)
        session.flush()
        savepoint = session.begin_nested()
        session.add(Tag(name="inside the savepoint"))
        session.flush()
        savepoint.rollback()
        session.commit()

    with observe(committed_engine) as observer:
        assert changes_after(observer, start) == [(start + 1, "tags", "INSERT", {"id": kept.id})]
        assert "inside the savepoint" not in tag_names(observer)


def test_a_changeset_opened_inside_a_rolled_back_savepoint_goes_with_it(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        savepoint = session.begin_nested()
        session.add(Tag(name="only in the savepoint"))
        session.flush()  # opens the changeset inside the savepoint
        savepoint.rollback()
        with session.begin_nested():  # opened in a savepoint that is kept
            kept = Tag(name="in a kept savepoint")
            session.add(kept)
        savepoint = session.begin_nested()
        session.add(Tag(name="in a later rolled-back savepoint"))
        session.flush()
        savepoint.rollback()
        session.commit()

    with observe(committed_engine) as observer:
        assert changes_after(observer, start) == [(start + 1, "tags", "INSERT", {"id": kept.id})]
        assert chain.verify(observer).ok


def test_a_session_closed_without_commit_can_be_used_again(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        session.add(Tag(name="abandoned by close"))
        session.flush()
        session.close()
        kept = Tag(name="after close")
        session.add(kept)
        session.commit()

    with observe(committed_engine) as observer:
        assert changes_after(observer, start) == [(start + 1, "tags", "INSERT", {"id": kept.id})]


def test_a_savepoint_released_or_rolled_back_does_not_split_the_changeset(committed_engine: Engine) -> None:
    """One transaction, one changeset: releasing a savepoint is not a commit."""
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        session.add(Tag(name="before the savepoints"))
        with session.begin_nested():
            session.add(Tag(name="in a released savepoint"))
        savepoint = session.begin_nested()
        session.add(Tag(name="in a rolled-back savepoint"))
        session.flush()
        savepoint.rollback()
        session.add(Tag(name="after the savepoints"))
        session.commit()

    with observe(committed_engine) as observer:
        assert head_seq(observer) == start + 1
        written = [row.changes["name"][1] for row in changes(observer, start + 1)]
        assert written == ["before the savepoints", "in a released savepoint", "after the savepoints"]
        assert "in a rolled-back savepoint" not in tag_names(observer)
        assert chain.verify(observer).ok
