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

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from factcheck.claims.models import Appearance, Claim
from factcheck.documents.models import Document
from factcheck.search import entries, schema
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


def pg_tsquery(query: SearchQuery, *, prefixes: bool = True, weights: str = "") -> ColumnElement[Any]:
    """``to_tsquery()`` of SearchQuery.tsquery()'s text with each word folded in SQL as the indexed
    text is (schema.FOLD: "Chávez" and "CHAVEZ" find "chavez"); ``prefixes=False``: whole
    words only; ``weights``: only words of these weights match (entries.OWN_WEIGHT: a claim's
    own words). Folded words hold no quote or backslash, so each stays one quoted lexeme."""
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
            if weights and (term.is_phrase or not (term.prefix and prefixes)):
                add(f":{weights}")
        if term.is_phrase:
            add(")")
        elif term.prefix and prefixes:
            add(f":*{weights}")
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


_ENTRIES = table(entries.TABLE, column("claim_id", Integer), column("entry"))


def _entry_matches(
    db: Session, query: SearchQuery, *, ranked: bool, among: Sequence[int] | None = None
) -> Select[Any]:
    """``(claim_id,)`` of the claims whose entry (own words and sources' words, entries.py) matches;
    ranked: ``(claim_id, rank)``, the claims matching by their own words first, by relevance
    (rank in (0, 1]), then the others (2.0). ``among``: of these claims only."""
    if db.get_bind().dialect.name == "postgresql":
        tsquery = pg_tsquery(query)
        matched = select(_ENTRIES.c.claim_id).where(_ENTRIES.c.entry.op("@@")(tsquery))
        if among is not None:
            matched = matched.where(_ENTRIES.c.claim_id.in_(among))
        if not ranked:
            return matched
        own = pg_tsquery(query, weights=entries.OWN_WEIGHT)
        # Past RANK_AT_MOST matches all score the same, as PostgresqlEngine's: the next key decides.
        score = case(
            (func.count().over() <= RANK_AT_MOST, cast(-func.ts_rank(_ENTRIES.c.entry, own), Float)),
            else_=literal(0.0, Float),
        )
        rank = case(
            (_ENTRIES.c.entry.op("@@")(own), _rank(TIER_CLAIM, score)),
            else_=_rank(TIER_SOURCE, None),
        )
        return matched.add_columns(rank.label("rank"))
    fts = table(entries.TABLE, column("rowid", Integer))
    whole = literal_column(entries.TABLE)
    words = query.fts5(fold)
    matched = select(fts.c.rowid.label("claim_id")).where(whole.op("MATCH")(literal(words)))
    if among is not None:
        matched = matched.where(fts.c.rowid.in_(among))
    if not ranked:
        return matched
    # A column filter on the whole query: every word in the claim's own words. bm25 of those only.
    own_words = select(
        fts.c.rowid.label("claim_id"), _rank(TIER_CLAIM, func.bm25(whole, 1.0, 0.0, type_=Float))
    ).where(whole.op("MATCH")(literal(f"own : ({words})")))
    if among is not None:
        own_words = own_words.where(fts.c.rowid.in_(among))
    either = union_all(own_words, matched.add_columns(_rank(TIER_SOURCE, None))).subquery("entry_ranks")
    claim_id = either.c.claim_id
    return select(claim_id, func.min(either.c.rank).label("rank")).group_by(claim_id)


def _document_matches(db: Session, query: SearchQuery, among: Sequence[int] | None = None) -> Select[Any]:
    """``(claim_id,)`` of the claims appearing in a document that matches, once per appearance."""
    by_document = engine_for(db).documents(query, ranked=False).subquery("by_document")
    found = select(Appearance.claim_id).join(by_document, by_document.c.id == Appearance.document_id)
    return found if among is None else found.where(Appearance.claim_id.in_(among))


def claim_ids_matching(
    db: Session,
    query: SearchQuery,
    *,
    ranked: bool = True,
    distinct: bool = True,
    among: Sequence[int] | None = None,
) -> Select[Any]:
    """The claims matching ``query`` by their own text and their sources' (every word in one or
    the other: their search entry, entries.py), or by a document they appear in.

    Ranked: ``(claim_id, rank)``, one row per claim, ``rank`` lower is better:
    claims matching by their own words first, by relevance (rank in (0, 1]);
    then claims found through their sources (rank 2.0); then through a document
    (3.0). Reads every match: for a bounded number of them (RANK_AT_MOST).
    Unranked: ``(claim_id,)``, cheaper, for filtering; with ``distinct=False``
    a claim comes once per way it matched, which is enough inside ``IN (...)``
    and saves de-duplicating every match of a common word. ``query`` must not
    be empty. ``among``: of these claims only (where the claims of a page matched). To test
    claims one at a time, in an order, see :func:`claim_matches`.
    """
    if not query:
        raise ValueError("an empty search query matches nothing; skip the text filter instead")
    by_entry = _entry_matches(db, query, ranked=ranked, among=among)
    by_document = _document_matches(db, query, among)
    if not ranked:
        ids = (union if distinct else union_all)(by_entry, by_document).subquery()
        return select(ids.c[0].label("claim_id"))
    scored = union_all(by_entry, by_document.add_columns(_rank(TIER_DOCUMENT, None))).subquery("matches")
    claim_id = scored.c[0]
    return select(claim_id.label("claim_id"), func.min(scored.c.rank).label("rank")).group_by(claim_id)


def claim_matches(db: Session, query: SearchQuery) -> ColumnElement[bool]:
    """Whether the claim of the outer query (``claims``) matches ``query``, tested for that claim
    alone: for a common word, so that a list walks its own order and stops after a page instead
    of first reading every match (``Claim.id IN (claim_ids_matching(...))`` does that, and is the
    faster one for a rare word).

    PostgreSQL probes the claim's entry by its key; SQLite tests the claim id against the FTS5
    matches, which it lists once (cheap: rowids from the index), written ``id + 0`` so that the
    planner keeps walking the list's order instead of starting from them. Documents: whether one
    of the claim's appearances is in a matching document (listed once; few, as documents go)."""
    if not query:
        raise ValueError("an empty search query matches nothing; skip the text filter instead")
    documents = engine_for(db).documents(query, ranked=False)
    in_document = select(literal(1)).where(
        Appearance.claim_id == Claim.id, Appearance.document_id.in_(documents)
    )
    if db.get_bind().dialect.name == "postgresql":
        in_entry = select(literal(1)).where(
            _ENTRIES.c.claim_id == Claim.id, _ENTRIES.c.entry.op("@@")(pg_tsquery(query))
        )
        # The matching documents listed once (an InitPlan), not searched again for each claim.
        listed = func.array(documents.scalar_subquery())
        in_document = select(literal(1)).where(
            Appearance.claim_id == Claim.id, Appearance.document_id == func.any(listed)
        )
        # OFFSET 0 keeps the planner from turning EXISTS into a hashed IN (...), which would
        # read every match first: the probe by the claim's key is the point.
        return or_(exists(in_entry.offset(0)), exists(in_document.offset(0)))
    return or_((Claim.id + 0).in_(_entry_matches(db, query, ranked=False)), exists(in_document))


def source_ids_matching(db: Session, query: SearchQuery) -> Select[Any]:
    """``(id, score)`` of the sources whose title, publisher, quote or citation match; lower is better."""
    return engine_for(db).sources(query)


def document_ids_matching(db: Session, query: SearchQuery) -> Select[Any]:
    """``(id, score)`` of the documents whose title or text match; lower is better."""
    return engine_for(db).documents(query)
