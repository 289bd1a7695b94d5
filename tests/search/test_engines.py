"""The search engines on the real database: what matches, ranking, keeping the index in step, hostile input."""

# Cyrillic test text looks like Latin letters to the linter.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from factcheck.audit import triggers
from factcheck.audit.changesets import Actor, connection_changeset
from factcheck.audit.models import AuditChange
from factcheck.claims.listing import ClaimFilter, claim_page
from factcheck.claims.models import Claim
from factcheck.search import engines, schema
from factcheck.search.engines import (
    claim_ids_matching,
    document_ids_matching,
    engine_for,
    source_ids_matching,
)
from factcheck.search.query import parse
from factcheck.sources.models import Source
from tests.search import records

HOSTILE = [
    '"',
    '""',
    "'",
    "AND(",
    "OR",
    "NOT missile",
    "NEAR(missile range, 2)",
    "missile*",
    "text:missile",
    "claimant:Kremlin",
    "^missile",
    "missile & !range",
    "missile | range",
    "missile <-> range",
    "missile:*",
    "'missile':*",
    "(missile",
    "missile)",
    "{missile}",
    "-missile",
    "+missile",
    "\\",
    "%_%",
    "'; DROP TABLE claims; --",
    "🚀",
    "🚀 missile 🔥",
    "Ракета",
    "РАКЕТА «9М729»",
    "ё Ё",
    "naïve café",
    "ﬁ ligature",
    "x" * 200,
    "a" * 3000,
    "\u200b\u200d",
    "e\u0301",
    "مرحبا",
    "中文 日本語",
]


def matching(db: Session, words: str) -> list[int]:
    query = parse(words)
    return sorted(db.scalars(claim_ids_matching(db, query, ranked=False)).all())


def ranked(db: Session, words: str) -> list[int]:
    rows = db.execute(claim_ids_matching(db, parse(words)).subquery().select()).all()
    return [claim_id for claim_id, _rank in sorted(rows, key=lambda row: (row[1], row[0]))]


def test_a_claim_matches_by_its_wording_and_its_claimant(db_session: Session) -> None:
    by_text = records.claim(db_session, "The missile flew 480 km.", "Ministry")
    by_claimant = records.claim(db_session, "It is within the limits.", "Kremlin spokesman")
    records.claim(db_session, "Unrelated.", "Someone")
    assert matching(db_session, "missile") == [by_text.id]
    assert matching(db_session, "kremlin") == [by_claimant.id]
    assert matching(db_session, "480") == [by_text.id]


@pytest.mark.parametrize("field", ["title", "publisher", "quote", "citation"])
def test_a_claim_matches_through_any_searched_field_of_a_source(db_session: Session, field: str) -> None:
    values = {"title": "A source", field: "Pentagon briefing"}
    made = records.claim(db_session, "Unrelated wording.", sources=[values])
    records.claim(db_session, "Other.", sources=[{"title": "Other source"}])
    assert matching(db_session, "pentagon") == [made.id]
    assert [source.id for source in made.sources] == sorted(
        db_session.scalars(select(source_ids_matching(db_session, parse("pentagon")).subquery().c.id)).all()
    )


def test_the_reviewers_note_is_not_searched(db_session: Session) -> None:
    records.claim(db_session, "Wording.", sources=[{"title": "Title", "note": "secretword"}])
    assert matching(db_session, "secretword") == []


@pytest.mark.parametrize("field", ["title", "text"])
def test_a_claim_matches_through_a_document_it_appears_in(db_session: Session, field: str) -> None:
    values = {"title": "Press release", "text": "Nothing special here."}
    values[field] = f"{values[field]} Brussels"
    doc = records.document(db_session, **values)
    made = records.claim(db_session, "Unrelated wording.", documents=[doc])
    also = records.claim(db_session, "Appears there too.", documents=[doc])
    records.claim(db_session, "Not in it.")
    assert matching(db_session, "brussels") == sorted([made.id, also.id])
    assert db_session.scalars(
        select(document_ids_matching(db_session, parse("brussels")).subquery().c.id)
    ).all() == [doc.id]


def test_words_match_their_beginnings_and_phrases_their_order(db_session: Session) -> None:
    made = records.claim(db_session, "Intermediate-Range Nuclear Forces Treaty violations.")
    assert matching(db_session, "violat") == [made.id]
    assert matching(db_session, "treaty violations") == [made.id]
    assert matching(db_session, "violations treaty") == [made.id]
    assert matching(db_session, '"forces treaty"') == [made.id]
    assert matching(db_session, '"treaty forces"') == []
    assert matching(db_session, "treaty absentword") == []


def test_case_is_ignored_in_every_script(db_session: Session) -> None:
    made = records.claim(db_session, "Министерство обороны России заявило о ракете 9М729.", "Шойгу")
    for words in ["ракете", "РАКЕТЕ", "Ракет", "шойгу", "ШОЙГУ", "9м729", "министерство обороны"]:
        assert matching(db_session, words) == [made.id], words


def test_emoji_and_accents_are_searchable_text_or_ignored_but_never_errors(db_session: Session) -> None:
    made = records.claim(db_session, "The naïve café claim 🚀 about rockets.")
    assert matching(db_session, "naïve") == [made.id]
    assert matching(db_session, "café 🚀") == [made.id]
    assert matching(db_session, "rockets 🚀🚀") == [made.id]


@pytest.mark.parametrize("words", HOSTILE)
def test_hostile_input_never_errors_in_any_search(db_session: Session, words: str) -> None:
    records.claim(
        db_session,
        "The missile range claim, РАКЕТА 9М729.",
        "Kremlin",
        sources=[{"title": "Missile source", "quote": "missile range"}],
        documents=[records.document(db_session, "Doc", "Missile text.")],
    )
    query = parse(words)
    if not query:
        return
    with db_session.begin_nested():
        db_session.execute(claim_ids_matching(db_session, query)).all()
        db_session.execute(claim_ids_matching(db_session, query, ranked=False)).all()
        db_session.execute(source_ids_matching(db_session, query)).all()
        db_session.execute(document_ids_matching(db_session, query)).all()


def test_an_empty_query_is_refused_rather_than_matching_everything(db_session: Session) -> None:
    with pytest.raises(ValueError, match="empty"):
        claim_ids_matching(db_session, parse('"'))


def test_ranking_puts_own_words_before_sources_before_documents(db_session: Session) -> None:
    doc = records.document(db_session, "Transcript", "The word treaty once.")
    by_document = records.claim(db_session, "A.", documents=[doc])
    by_source = records.claim(db_session, "B.", sources=[{"title": "Treaty text"}])
    by_text = records.claim(db_session, "The treaty.")
    # Matching in several places counts once, at its best.
    everywhere = records.claim(db_session, "Treaty, treaty.", sources=[{"title": "Treaty"}], documents=[doc])
    order = ranked(db_session, "treaty")
    assert set(order[:2]) == {by_text.id, everywhere.id}
    assert order[2:] == [by_source.id, by_document.id]


def test_ranking_within_a_tier_prefers_more_relevant_text(db_session: Session) -> None:
    for n in range(5):
        records.claim(db_session, f"Filler claim number {n} about budgets.")
    weak = records.claim(
        db_session, "A long claim that mentions the treaty once among many other words here."
    )
    strong = records.claim(db_session, "Treaty treaty treaty.")
    assert ranked(db_session, "treaty") == [strong.id, weak.id]


def test_the_index_follows_edits_and_deletions(db_session: Session) -> None:
    made = records.claim(db_session, "Old wording.", "Old claimant", sources=[{"title": "Oldsource"}])
    assert matching(db_session, "wording") == [made.id]

    made.text = "New phrasing."
    made.claimant = "New claimant"
    made.sources[0].title = "Newsource"
    db_session.commit()
    assert matching(db_session, "wording") == []
    assert matching(db_session, "phrasing") == [made.id]
    assert matching(db_session, "oldsource") == []
    assert matching(db_session, "newsource") == [made.id]

    # A change to other columns leaves the index alone (and still correct).
    made.state = made.state.__class__.RESEARCHING
    db_session.commit()
    assert matching(db_session, "phrasing") == [made.id]

    # Removed from the claim: deleted as an orphan.
    del made.sources[0]
    db_session.commit()
    assert matching(db_session, "newsource") == []
    db_session.delete(made)
    db_session.commit()
    assert matching(db_session, "phrasing") == []
    if db_session.get_bind().dialect.name == "sqlite":
        for indexed in schema.INDEXED:
            # Raises if the external-content index disagrees with its table.
            fts = indexed.fts_table
            db_session.execute(text(f"INSERT INTO {fts} ({fts}) VALUES ('integrity-check')"))  # noqa: S608


def test_the_search_index_is_not_in_the_audit_history(db_session: Session) -> None:
    made = records.claim(db_session, "Audited wording.", sources=[{"title": "Audited source"}])
    tables = set(
        db_session.scalars(
            select(AuditChange.table_name).where(AuditChange.claim_id == made.id).distinct()
        ).all()
    )
    assert {"claims", "sources"} <= tables
    assert not any(table.startswith(schema.PREFIX) for table in tables)
    assert not any(
        table.startswith(schema.PREFIX)
        for table in db_session.scalars(select(AuditChange.table_name).distinct())
    )
    # And the records hold the claim's columns only, nothing derived.
    change = db_session.scalar(
        select(AuditChange).where(AuditChange.table_name == "claims", AuditChange.claim_id == made.id)
    )
    assert change is not None
    assert "tsvector" not in str(change.changes)


def test_postgresql_searches_use_the_gin_indexes(db_session: Session) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    records.claim(db_session, "Treaty claim.", sources=[{"title": "Treaty"}])
    for indexed in schema.INDEXED:
        function = schema.pg_function(indexed)
        body, settings = db_session.execute(
            text("SELECT prosrc, proconfig FROM pg_proc WHERE proname = :name"), {"name": function}
        ).one()
        # The function holds exactly the indexed expression, and keeps table scans out.
        assert schema.PG_VECTORS[indexed.table] in body
        assert settings == ["enable_seqscan=off"]
        db_session.execute(text("SET LOCAL enable_seqscan = off"))
        statement = f"EXPLAIN SELECT id FROM {indexed.table} WHERE {schema.PG_VECTORS[indexed.table]} @@ :q"  # noqa: S608
        plan = "\n".join(db_session.execute(text(statement), {"q": "treaty:*"}).scalars())
        assert indexed.pg_index in plan, plan
    # And the engine goes through the functions.
    sql = str(engine_for(db_session).claims(parse("treaty")).compile(dialect=db_session.get_bind().dialect))
    assert schema.pg_function(schema.CLAIMS) in sql


def test_sqlite_keeps_one_fts_table_per_searched_table(db_session: Session) -> None:
    if db_session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite only")
    names = set(db_session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    for indexed in schema.INDEXED:
        assert {f"{indexed.fts_table}_{op}" for op in ("insert", "update", "delete")} <= names
    assert not any(name.startswith("search_") and name.startswith("fc_audit") for name in names)


def test_claims_appear_once_however_many_ways_they_match(db_session: Session) -> None:
    doc = records.document(db_session, "Treaty", "Treaty treaty.")
    made = records.claim(
        db_session, "Treaty.", sources=[{"title": "Treaty"}, {"title": "Treaty 2"}], documents=[doc]
    )
    assert matching(db_session, "treaty") == [made.id]
    assert [
        claim_id for claim_id, _ in db_session.execute(claim_ids_matching(db_session, parse("treaty")))
    ] == [made.id]
    assert db_session.get(Claim, made.id) is not None
    assert db_session.scalar(select(Source.id).where(Source.claim_id == made.id).limit(1)) is not None


def test_postgresql_ranks_very_common_words_by_recency(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: FTS5 reads its scores from the index")
    strong = records.claim(db_session, "Treaty treaty treaty.", created_at=records.at(1))
    weak = records.claim(db_session, "One treaty among many other words here.", created_at=records.at(2))
    assert ranked(db_session, "treaty") == [strong.id, weak.id]
    monkeypatch.setattr(engines, "RANK_AT_MOST", 1)
    # All score the same; the claim list's next key, newest first, decides.
    claims, _ = claim_page(db_session, ClaimFilter(text=parse("treaty")), "relevance")
    assert [claim.id for claim in claims] == [weak.id, strong.id]


def test_a_batch_mode_table_recreate_is_searchable_again_after_sync(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        pytest.skip("batch mode (copy and recreate the table) is how migrations alter tables on SQLite only")
    actor = Actor.system("test", "test")
    with connection_changeset(connection, actor):
        connection.execute(
            text(
                "INSERT INTO claims (id, text, claimant, state, version, created_at, updated_at) "
                "VALUES (1, 'A claim.', 'Someone', 'new', 1, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sources (claim_id, title, url, kind, stance, is_primary, version, "
                "created_at, updated_at) VALUES (1, 'Before the recreate', 'https://a.example', "
                "'other', 'context', 0, 1, '2026-01-01', '2026-01-01')"
            )
        )
    operations = Operations(MigrationContext.configure(connection))
    with operations.batch_alter_table("sources", recreate="always") as batch:
        batch.add_column(sa.Column("colour", sa.String(20)))
    search_triggers = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :prefix")
    prefix = {"prefix": schema.SOURCES.fts_table + "%"}
    assert connection.execute(search_triggers, prefix).all() == []
    # migrations/env.py runs both after every migration.
    triggers.sync(connection)
    schema.sync(connection)
    assert len(connection.execute(search_triggers, prefix).all()) == 3

    with connection_changeset(connection, actor):
        connection.execute(text("UPDATE sources SET title = 'After the recreate'"))
    session = Session(bind=connection)
    assert matching(session, "before") == []
    assert matching(session, "after") == [1]
    fts = schema.SOURCES.fts_table
    connection.execute(text(f"INSERT INTO {fts} ({fts}) VALUES ('integrity-check')"))  # noqa: S608


# --- accents and case, in every script ---------------------------------------------------------

FOLDED = [
    ("Nicolás Maduro says inflation is over.", "nicolas maduro"),
    ("Hugo Chávez nationalised the oil.", "chavez"),
    ("HUGO CHÁVEZ in capitals.", "chávez"),
    ("Straße und Überschwemmung.", "uberschwemmung"),
    ("Łódź and Gdańsk votes.", "ŁODZ gdansk"),
    ("ДМИТРИЙ ПЕСКОВ сказал", "дмитрий песков"),
    ("Ο Τσίπρας είπε στην ΑΘΉΝΑ", "ΤΣΊΠΡΑς αθηνα"),
    ("Erdoğan ve İstanbul", "erdogan"),
    ("São Paulo, não.", "SAO PAULO"),
    ("Việt Nam ngày mai", "viet nam"),
]


@pytest.mark.parametrize(("wording", "search"), FOLDED)
def test_search_folds_accents_and_case_in_every_script(
    db_session: Session, wording: str, search: str
) -> None:
    made = records.claim(db_session, wording)
    records.claim(db_session, "Something else entirely.")
    assert matching(db_session, search) == [made.id]


def test_an_accented_search_finds_the_text_written_without(db_session: Session) -> None:
    made = records.claim(db_session, "Hugo Chavez and Nicolas Maduro, typed without accents.")
    assert matching(db_session, "Chávez NICOLÁS") == [made.id]


def test_letters_that_do_not_decompose_fold_too(db_session: Session) -> None:
    made = records.claim(db_session, "Łódź, Øresund and Ο ΤΣΙΠΡΑΣ.")
    assert matching(db_session, "lodz oresund τσιπρας") == [made.id]


def test_folded_words_keep_their_prefixes_and_phrases(db_session: Session) -> None:
    made = records.claim(db_session, "Nicolás Maduro's government in Venezuela.", "Diosdado Cabello")
    source_claim = records.claim(db_session, "Unrelated.", sources=[{"title": "Entrevista con Chávez"}])
    assert matching(db_session, "nico") == [made.id]
    assert matching(db_session, '"nicolas maduro"') == [made.id]
    assert matching(db_session, '"maduro nicolas"') == []
    assert matching(db_session, "CHAVEZ") == [source_claim.id]


def test_a_letter_that_unaccent_makes_a_quote_is_no_syntax_error(db_session: Session) -> None:
    # U+02BC is a letter; PostgreSQL's unaccent turns it into an apostrophe.
    made = records.claim(db_session, "Hawaiʻi and Oʼahu.")
    assert matching(db_session, "Oʼahu") == [made.id]
    assert matching(db_session, "HAWAIʻI") == [made.id]


def test_indexes_built_with_an_older_definition_are_rebuilt_by_sync(db_session: Session) -> None:
    made = records.claim(db_session, "Hugo Chávez again.")

    def by_claims_index(words: str) -> list[int]:
        # The claims' own index (claims are searched through their entries, test_entries.py).
        return sorted(
            db_session.scalars(
                select(engine_for(db_session).claims(parse(words), ranked=False).subquery().c.id)
            )
        )

    connection = db_session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"COMMENT ON INDEX {schema.CLAIMS.pg_index} IS 'an older definition'")
    else:
        # The accent-keeping tokenizer the index had before.
        connection.exec_driver_sql(f"DROP TABLE {schema.CLAIMS.fts_table}")
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {schema.CLAIMS.fts_table} USING fts5(text, claimant, content = 'claims', "
            "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 0')"
        )
        fts = schema.CLAIMS.fts_table
        connection.exec_driver_sql(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")  # noqa: S608
        assert by_claims_index("chavez") == []

    schema.sync(connection)

    assert by_claims_index("chavez") == [made.id]
    records.claim(db_session, "Added after the rebuild: Chávez.")
    assert len(by_claims_index("chavez")) == 2
