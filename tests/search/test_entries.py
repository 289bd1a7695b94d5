"""Each claim's search entry (its own words and its sources'): kept in step with claims and sources
on every change, and searched the same way whether the list walks claim by claim (a common word)
or reads every match (a rare one)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, func, insert, select, table, text, update
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, connection_changeset
from factcheck.claims import listing, merging
from factcheck.claims.listing import ClaimFilter, claim_page
from factcheck.claims.models import Claim
from factcheck.search import entries, views
from factcheck.search.engines import claim_matches
from factcheck.search.query import parse
from factcheck.sources.models import Source
from tests.search import records
from tests.search.test_engines import matching


def entry_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(table(entries.TABLE))) or 0


def found_one_by_one(db: Session, words: str) -> list[int]:
    """The claims matching when each claim is tested on its own (the common-word path)."""
    return sorted(db.scalars(select(Claim.id).where(claim_matches(db, parse(words)))).all())


def test_every_word_may_be_in_the_claim_or_in_its_sources(db_session: Session) -> None:
    both = records.claim(db_session, "The missile flew 480 km.", sources=[{"title": "Kremlin briefing"}])
    records.claim(db_session, "The missile again.", sources=[{"title": "Pentagon briefing"}])
    assert matching(db_session, "missile kremlin") == [both.id]
    assert matching(db_session, '"kremlin briefing" missile') == [both.id]


def test_the_entry_follows_inserts_updates_and_deletes_of_claims_and_sources(db_session: Session) -> None:
    made = records.claim(db_session, "Old wording.", "Old claimant")
    other = records.claim(db_session, "Another claim.")
    assert entry_count(db_session) == 2

    made.sources.append(Source(title="Firstsource", url="https://example.org/1"))
    made.sources.append(Source(title="Second", publisher="Gazette", url="https://example.org/2"))
    db_session.commit()
    assert matching(db_session, "firstsource") == [made.id]
    assert matching(db_session, "gazette") == [made.id]

    made.text = "New phrasing."
    made.sources[1].publisher = "Courier"
    db_session.commit()
    assert matching(db_session, "wording") == []
    assert matching(db_session, "phrasing") == [made.id]
    assert matching(db_session, "gazette") == []
    assert matching(db_session, "courier firstsource phrasing") == [made.id]

    # A source moved to another claim takes its words along.
    db_session.execute(update(Source).where(Source.title == "Firstsource").values(claim_id=other.id))
    db_session.commit()
    assert matching(db_session, "firstsource") == [other.id]

    db_session.expire_all()
    del made.sources[0]
    db_session.commit()
    assert matching(db_session, "courier") == []
    assert matching(db_session, "firstsource") == [other.id]

    db_session.delete(other)
    db_session.commit()
    assert matching(db_session, "firstsource") == []
    assert entry_count(db_session) == 1
    assert matching(db_session, "phrasing") == [made.id]


def test_rows_written_in_bulk_are_indexed(db_session: Session) -> None:
    """Imports and the benchmarks insert many rows in one statement (statement-level triggers on
    PostgreSQL)."""
    connection = db_session.connection()
    with connection_changeset(connection, Actor.system("test", "test")):
        ids = (
            connection.execute(
                insert(Claim.__table__).returning(Claim.__table__.c.id),
                [
                    {"text": f"Bulk claim {n}.", "claimant": "Someone", "state": "new", "version": 1}
                    for n in range(3)
                ],
            )
            .scalars()
            .all()
        )
        connection.execute(
            insert(Source.__table__),
            [
                {
                    "claim_id": claim_id,
                    "title": f"Bulksource {n}",
                    "url": "https://example.org",
                    "kind": "other",
                    "stance": "context",
                    "is_primary": False,
                    "version": 1,
                }
                for n, claim_id in enumerate([*ids, ids[0]])
            ],
        )
    db_session.commit()
    assert matching(db_session, "bulksource") == sorted(ids)
    assert matching(db_session, "bulk") == sorted(ids)
    db_session.execute(delete(Source).where(Source.claim_id == ids[0]))
    db_session.commit()
    assert matching(db_session, "bulksource") == sorted(ids[1:])


def test_a_merge_and_its_undo_move_the_sources_words(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    editor = make_user(Role.EDITOR)
    survivor = records.claim(db_session, "The survivor.")
    duplicate = records.claim(db_session, "The duplicate.", sources=[{"title": "Movedsource"}])
    assert matching(db_session, "movedsource") == [duplicate.id]
    record = merging.merge(db_session, editor, duplicate, survivor, "Same claim.")
    db_session.commit()
    assert matching(db_session, "movedsource") == [survivor.id]
    assert matching(db_session, "survivor movedsource") == [survivor.id]
    merging.undo(db_session, editor, record, "Not the same after all.")
    db_session.commit()
    assert matching(db_session, "movedsource") == [duplicate.id]


@pytest.mark.parametrize(
    "words", ["treaty", "missile kremlin", '"forces treaty"', "brussels", "nothingmatches", "tr", "kremlin"]
)
def test_checking_claims_one_by_one_finds_what_reading_every_match_finds(
    db_session: Session, words: str
) -> None:
    doc = records.document(db_session, "Transcript", "Spoken in Brussels about the treaty.")
    records.claim(db_session, "Intermediate-Range Nuclear Forces Treaty.", sources=[{"title": "Treaty text"}])
    records.claim(db_session, "The missile flew.", sources=[{"title": "Kremlin"}])
    records.claim(db_session, "Said in a transcript.", documents=[doc])
    records.claim(db_session, "Unrelated.", "Kremlin spokesman")
    assert found_one_by_one(db_session, words) == matching(db_session, words)


def test_a_common_word_lists_newest_first_and_pages_like_a_rare_one(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = records.document(db_session, "Treaty talks", "Nothing.")
    made = [
        records.claim(db_session, "The treaty.", created_at=records.at(1)),
        records.claim(db_session, "B.", sources=[{"title": "Treaty"}], created_at=records.at(2)),
        records.claim(db_session, "C.", documents=[doc], created_at=records.at(3)),
        records.claim(db_session, "Unrelated.", created_at=records.at(4)),
    ]
    monkeypatch.setattr(listing, "RANK_AT_MOST", 1)
    claim_filter = listing.sized(db_session, ClaimFilter(text=parse("treaty")))
    assert claim_filter.common
    first, page = claim_page(db_session, claim_filter, "newest", size=2)
    rest, _ = claim_page(db_session, claim_filter, "newest", size=2, after=page.next_cursor)
    assert [claim.id for claim in first + rest] == [made[2].id, made[1].id, made[0].id]
    counts = listing.state_counts(db_session, claim_filter)
    assert counts.total == 3


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


def test_the_search_page_shows_a_common_words_claims_newest_first_and_where_each_matched(
    client: FlaskClient, db_session: Session, reviewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = records.document(db_session, "Treaty talks", "Nothing.")
    by_document = records.claim(db_session, "Found in a document.", documents=[doc], created_at=records.at(3))
    by_source = records.claim(
        db_session, "Found by a source.", sources=[{"title": "Treaty"}], created_at=records.at(2)
    )
    by_text = records.claim(db_session, "The treaty itself.", created_at=records.at(1))
    monkeypatch.setattr(views, "RANK_AT_MOST", 1)
    page = client.get("/search/?q=treaty").get_data(as_text=True)
    assert records.listed_ids(page)[:3] == [by_document.id, by_source.id, by_text.id]
    shown = page[page.index('id="results-claims"') :]
    assert "More than 1 matches: shown newest first, not by best match." in shown
    newer = records.claim(db_session, "Other.", sources=[{"title": "Treaty again"}])
    page = client.get("/search/?q=treaty&kind=sources").get_data(as_text=True)
    assert page.index(f"/claims/{newer.id}#source-") < page.index(f"/claims/{by_source.id}#source-")
    assert "More than 1 matches: shown newest first" in page
    assert shown.index("a document it appears in") < shown.index("one of its sources")
    assert shown.index("one of its sources") < shown.index("its wording or claimant")


def test_the_upgrade_indexes_the_claims_already_there(db_session: Session) -> None:
    made = records.claim(db_session, "Before the index.", sources=[{"title": "Oldsource"}])
    connection = db_session.connection()
    entries.drop(connection)
    assert not entries.exists(connection)
    entries.create(connection)
    assert matching(db_session, "oldsource before") == [made.id]
    records.claim(db_session, "After the index.")
    assert entry_count(db_session) == 2
    if connection.dialect.name == "sqlite":
        # Raises if the FTS5 index disagrees with the text it holds.
        connection.exec_driver_sql(
            f"INSERT INTO {entries.TABLE} ({entries.TABLE}) VALUES ('integrity-check')"  # noqa: S608
        )


def test_postgresql_finds_rare_words_through_the_gin_index(db_session: Session) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    records.claim(db_session, "Treaty claim.", sources=[{"title": "Treaty"}])
    db_session.execute(text("SET LOCAL enable_seqscan = off"))
    statement = (
        f"EXPLAIN SELECT claim_id FROM {entries.TABLE} WHERE entry @@ to_tsquery('simple', 'treaty:*')"  # noqa: S608
    )
    plan = "\n".join(db_session.execute(text(statement)).scalars())
    assert entries.PG_INDEX in plan, plan
    assert matching(db_session, "treaty") == sorted(db_session.scalars(select(Claim.id)).all())
