"""Running a :class:`~factcheck.search.query.SearchQuery` on SQLite (FTS5) or PostgreSQL.

Each engine answers three questions with a SELECT of ``(id,)``, or
``(id, score)`` when ranked: which claims, sources and documents match by
their own text. ``score`` is "lower is better" and at most 0 on both (FTS5's
bm25; PostgreSQL's ts_rank, negated). On top of them, :func:`claim_ids_matching`
says which claims match at all: by their wording or claimant, through one of
their sources, or through a document they appear in.

Scoring costs differ: FTS5 reads bm25 from its index, PostgreSQL's ts_rank
parses each matching text again (the index is on an expression; there is no
stored tsvector). So claims are ranked by score only among those matching by
their own (short) words; for documents, PostgreSQL scores the title only; and
when more than RANK_AT_MOST records match (a very common word, where the
scores hardly differ anyway) PostgreSQL gives them all the same score.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from factcheck.claims.models import Appearance, Claim
from factcheck.documents.models import Document
from factcheck.search import schema
from factcheck.search.folding import FOLD, fold
from factcheck.search.query import SearchQuery
from factcheck.sources.models import Source

# Where a claim matched, best first: its own words, one of its sources, a document it appears in.
TIER_CLAIM, TIER_SOURCE, TIER_DOCUMENT = 0, 1, 2
# PostgreSQL ranks by relevance only when at most this many records match (see PostgresqlEngine);
# the claim list ranks by best match only up to this many matches (claims.listing.sized).
RANK_AT_MOST = 5000


class Engine(Protocol):
    name: str

    def claims(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]: ...
    def sources(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]: ...
    def documents(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]: ...


class SqliteEngine:
    """FTS5 external-content tables (see schema.py); bm25() ranks."""

    name = "sqlite"

    def _match(
        self, indexed: schema.Indexed, query: SearchQuery, ranked: bool, *weights: float
    ) -> Select[Any]:
        fts = table(indexed.fts_table, column("rowid", Integer))
        whole = literal_column(indexed.fts_table)
        columns: list[ColumnElement[Any]] = [fts.c.rowid.label("id")]
        if ranked:
            columns.append(func.bm25(whole, *weights, type_=Float).label("score"))
        # Words folded as the indexed text is (folding.FOLD).
        return select(*columns).select_from(fts).where(whole.op("MATCH")(literal(query.fts5(fold))))

    def claims(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]:
        return self._match(schema.CLAIMS, query, ranked)

    def sources(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]:
        return self._match(schema.SOURCES, query, ranked)

    def documents(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]:
        # A match in the title counts ten times one in the text.
        return self._match(schema.DOCUMENTS, query, ranked, 10.0, 1.0)


class PostgresqlEngine:
    """GIN indexes on to_tsvector expressions, searched through the search_*_matching()
    functions (see schema.py); ts_rank ranks."""

    name = "postgresql"

    def _tsquery(self, query: SearchQuery) -> ColumnElement[Any]:
        return pg_tsquery(query)

    def _match(
        self, indexed: schema.Indexed, model: Any, query: SearchQuery, ranked: bool, vector: str
    ) -> Select[Any]:
        tsquery = self._tsquery(query)
        matched = getattr(func, schema.pg_function(indexed))(tsquery).table_valued(column("id", Integer))
        if not ranked:
            return select(matched.c.id.label("id"))
        # ts_rank is a float4; as float8, the value a cursor carries compares exactly.
        rank = cast(-func.ts_rank(literal_column(vector), tsquery), Float)
        # Past RANK_AT_MOST matches every text would be parsed again to rank it (about
        # 20 us a claim): then all score 0, and the caller's next sort key (newest) decides.
        score = case((func.count().over() <= RANK_AT_MOST, rank), else_=literal(0.0, Float))
        return select(model.id.label("id"), score.label("score")).join(matched, matched.c.id == model.id)

    def claims(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]:
        return self._match(schema.CLAIMS, Claim, query, ranked, schema.PG_VECTORS["claims"])

    def sources(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]:
        return self._match(schema.SOURCES, Source, query, ranked, schema.PG_VECTORS["sources"])

    def documents(self, query: SearchQuery, *, ranked: bool = True) -> Select[Any]:
        # Parsing whole documents again to rank them costs about 0.5 ms each: score the title.
        title = schema.pg_folded_vector("coalesce(documents.title, '')")
        return self._match(schema.DOCUMENTS, Document, query, ranked, title)


def pg_tsquery(query: SearchQuery, *, prefixes: bool = True) -> ColumnElement[Any]:
    """``to_tsquery()`` of SearchQuery.tsquery()'s text with each word folded in SQL as the indexed
    text is (schema.FOLD: "Chávez" and "CHAVEZ" find "chavez"); ``prefixes=False``: whole
    words only. Folded words hold no quote or backslash, so each stays one quoted lexeme."""
    if not query:
        raise ValueError("an empty search query matches nothing; skip the text filter instead")
    fold = getattr(func, FOLD)
    pieces: list[ColumnElement[Any]] = []

    def add(*parts: ColumnElement[Any] | str) -> None:
        pieces.extend(literal(part) if isinstance(part, str) else part for part in parts)

    for number, term in enumerate(query.terms):
        if number:
            add(" & ")
        if term.is_phrase:
            add("(")
        for position, word in enumerate(term.words):
            if position:
                add(" <-> ")
            add("'", fold(literal(word)), "'")
        if term.is_phrase:
            add(")")
        elif term.prefix and prefixes:
            add(":*")
    text = pieces[0]
    for piece in pieces[1:]:
        text = text.op("||")(piece)
    return func.to_tsquery(literal_column(f"'{schema.PG_CONFIG}'::regconfig"), text)


def engine_for(db: Session) -> Engine:
    dialect = db.get_bind().dialect.name
    return PostgresqlEngine() if dialect == "postgresql" else SqliteEngine()


def _rank(tier: int, score: ColumnElement[Any] | None) -> ColumnElement[float]:
    """One number per match, lower is better: the tier, plus the score squeezed into (0, 1].

    score <= 0, so score / (1 - score) is in (-1, 0] and keeps the order of the scores.
    """
    base = literal(float(tier + 1), Float)
    if score is None:
        return base.label("rank")
    return (base + score / (literal(1.0, Float) - score)).label("rank")


def claim_ids_matching(
    db: Session, query: SearchQuery, *, ranked: bool = True, distinct: bool = True
) -> Select[Any]:
    """The claims matching ``query`` by their own text, a source's, or a document's.

    Ranked: ``(claim_id, rank)``, one row per claim, ``rank`` lower is better:
    claims matching by their own words first, by relevance (rank in (0, 1]);
    then claims found through a source (rank 2.0); then through a document
    (3.0). Unranked: ``(claim_id,)``, cheaper, for filtering; with
    ``distinct=False`` a claim comes once per way it matched, which is enough
    inside ``IN (...)`` and saves de-duplicating every match of a common word
    (on SQLite a UNION sorts them all in temporary B-trees: 7 times the time).
    ``query`` must not be empty.
    """
    if not query:
        raise ValueError("an empty search query matches nothing; skip the text filter instead")
    engine = engine_for(db)
    direct = engine.claims(query, ranked=ranked).subquery("direct")
    by_source = engine.sources(query, ranked=False).subquery("by_source")
    by_document = engine.documents(query, ranked=False).subquery("by_document")
    own = select(direct.c.id.label("claim_id"))
    through_source = select(Source.claim_id).join(by_source, by_source.c.id == Source.id)
    through_document = select(Appearance.claim_id).join(
        by_document, by_document.c.id == Appearance.document_id
    )
    if not ranked:
        ids = (union if distinct else union_all)(own, through_source, through_document).subquery()
        return select(ids.c[0].label("claim_id"))
    scored = union_all(
        own.add_columns(_rank(TIER_CLAIM, direct.c.score)),
        through_source.add_columns(_rank(TIER_SOURCE, None)),
        through_document.add_columns(_rank(TIER_DOCUMENT, None)),
    ).subquery("matches")
    claim_id = scored.c[0]
    return select(claim_id.label("claim_id"), func.min(scored.c.rank).label("rank")).group_by(claim_id)


def source_ids_matching(db: Session, query: SearchQuery) -> Select[Any]:
    """``(id, score)`` of the sources whose title, publisher, quote or citation match; lower is better."""
    return engine_for(db).sources(query)


def document_ids_matching(db: Session, query: SearchQuery) -> Select[Any]:
    """``(id, score)`` of the documents whose title or text match; lower is better."""
    return engine_for(db).documents(query)
