"""Generate a realistic newsroom data set of any size, for benchmarks and for trying pages at scale.

    .venv/bin/python -m bench.generate --claims 100000 --database sqlite:///instance/big.sqlite
    .venv/bin/python -m bench.generate --claims 1000000 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/big --published 0.1 --seed 1

The database is migrated first (``factcheck db upgrade``) and may already hold data:
generated rows are added after it. Every row goes through the real, audited tables with
their triggers on, in one audit changeset per batch of claims (``--batch``, 5,000), so
``FACTCHECK_DATABASE_URL=... factcheck audit verify`` passes afterwards. The audit key is the
app's, from the same configuration as ``factcheck`` (``FACTCHECK_AUDIT_KEY``, or in
development the instance folder's key), so run both from the same folder and environment.

What is made, per claim (seeded, so the same arguments give the same data): a state
(``--published`` of them published, default 10 %; the rest new, researching, in review, ready
or dismissed), a claimant from a pool where a few speak often, 0 to 3 of 40 tags, 1 or 2
appearances (30 % a quote in a generated article, with its text selectors; the rest a web
address, some only a venue), 1 to 4 sources with stances and quotes, ratings, a verdict
from "in review" on, a workflow transition, an assignment while being worked on; published
claims have a slug and a publication (a tenth a correction too) with its snapshot.
The words come from ``bench/vocabulary.py`` (a Zipf distribution seeded from the demo article).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.orm import Session

import factcheck.models  # noqa: F401 - registers every mapper
from bench.vocabulary import Vocabulary
from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, connection_changeset, set_actor
from factcheck.claims.anchoring import selector_at
from factcheck.claims.models import (
    Appearance,
    Assignment,
    Claim,
    ClaimantKind,
    ClaimState,
    ClaimTransition,
    Tag,
    claim_tags,
)
from factcheck.documents.models import Document
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.slugs import readable_slug
from factcheck.publishing.snapshot import SNAPSHOT_VERSION, label_snapshot, scale_bounds, search_text
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.verdicts.models import Verdict

BATCH = 5_000
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 24 * 3600
# The states of the claims that are not published, and how common each is.
UNPUBLISHED_STATES = {
    ClaimState.NEW: 30,
    ClaimState.RESEARCHING: 25,
    ClaimState.IN_REVIEW: 12,
    ClaimState.READY: 8,
    ClaimState.DISMISSED: 25,
}
# The state a claim reached its state from (its last workflow step).
PREVIOUS_STATE = {
    ClaimState.RESEARCHING: ClaimState.NEW,
    ClaimState.IN_REVIEW: ClaimState.RESEARCHING,
    ClaimState.READY: ClaimState.IN_REVIEW,
    ClaimState.PUBLISHED: ClaimState.READY,
    ClaimState.DISMISSED: ClaimState.NEW,
}
# Tables given explicit ids here: their PostgreSQL sequences are moved on afterwards.
ID_TABLES = (Document, Claim, Appearance, Source, Rating, Verdict, Publication, ClaimTransition, Assignment)
VENUES = ("a campaign mailer", "a TV ad", "a radio interview", "a town hall meeting", "a press conference")
OUTLETS = ("The Daily Ledger", "Morning Courier", "City Herald", "The Evening Post", "Regional Times")
PUBLISHERS = ("Statistics office", "Ministry of Finance", "Central bank", "University study", "Court records")
DISMISSALS = ("Opinion, not a checkable fact.", "Already checked.", "Satire.", "Not in our remit.")
# Never checked: the generated accounts cannot sign in until an admin resets their password.
UNUSABLE_PASSWORD_HASH = "!generated"  # noqa: S105


@dataclass
class Counts:
    """Rows made, per kind, and the seconds taken."""

    rows: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, kind: str, number: int) -> None:
        self.rows[kind] = self.rows.get(kind, 0) + number


@dataclass
class _Context:
    """What every batch draws from: people, tags, labels, claimants, and the next free ids."""

    editors: list[int]
    reviewers: list[int]
    tags: dict[int, str]
    labels: list[RatingLabel]
    bounds: tuple[int | None, int | None]
    claimants: list[tuple[str, ClaimantKind]]
    claimant_weights: list[float]
    next_id: dict[str, int]

    def new_id(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table]


class _Batch:
    """The rows of one batch of claims, per table, inserted in one audited transaction."""

    def __init__(self) -> None:
        self.rows: dict[Table, list[dict[str, Any]]] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def count(self, table: Table) -> int:
        return len(self.rows.get(table, []))


def _accounts(session: Session) -> tuple[list[int], list[int]]:
    """The generated desk: 4 editors and 16 reviewers (made once, found again on later runs)."""
    wanted = [(f"generated-editor-{n:02d}@example.org", f"Editor {n:02d}", Role.EDITOR) for n in range(4)]
    wanted += [
        (f"generated-reviewer-{n:02d}@example.org", f"Reviewer {n:02d}", Role.REVIEWER) for n in range(16)
    ]
    existing = {user.email: user for user in session.scalars(select(User))}
    for email, name, role in wanted:
        if email not in existing:
            existing[email] = User(email=email, name=name, password_hash=UNUSABLE_PASSWORD_HASH, role=role)
            session.add(existing[email])
    session.flush()
    ids = [existing[email].id for email, _, _ in wanted]
    return ids[:4], ids[4:]


def _tags(session: Session, vocabulary: Vocabulary) -> dict[int, str]:
    names = sorted({word for word in vocabulary.words[60:400] if len(word) > 4})[:40]
    existing = {tag.name: tag for tag in session.scalars(select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name not in existing:
            existing[name] = Tag(name=name)
            session.add(existing[name])
    session.flush()
    return {tag.id: tag.name for tag in existing.values()}


def _claimants(rng: random.Random, vocabulary: Vocabulary, claims: int) -> list[tuple[str, ClaimantKind]]:
    """About one claimant per 20 claims; made-up names and organisations."""
    pool = []
    for n in range(max(claims // 20, 20)):
        first, last = (word.capitalize() for word in vocabulary.draw(2))
        if rng.random() < 0.7:
            pool.append((f"{first} {last}"[:200], ClaimantKind.PERSON))
        else:
            suffix = rng.choice(("Party", "Institute", "Ministry", "Association", "Council"))
            pool.append((f"{last} {suffix} {n}", ClaimantKind.ORGANISATION))
    return pool


def _prepare(
    engine: Engine, rng: random.Random, vocabulary: Vocabulary, claims: int, actor: Actor
) -> _Context:
    with Session(engine) as session:
        set_actor(session, actor)
        editors, reviewers = _accounts(session)
        tags = _tags(session, vocabulary)
        session.commit()
        labels = list(
            session.scalars(
                select(RatingLabel).where(RatingLabel.is_active.is_(True)).order_by(RatingLabel.position)
            )
        )
        bounds = scale_bounds(session)
        next_id = {
            model.__tablename__: session.scalar(select(func.coalesce(func.max(model.id), 0)))
            for model in ID_TABLES
        }
        session.expunge_all()
    claimants = _claimants(rng, vocabulary, claims)
    # A few claimants make most claims, as on a real desk.
    weights = [1 / rank for rank in range(1, len(claimants) + 1)]
    return _Context(editors, reviewers, tags, labels, bounds, claimants, weights, next_id)


def _document(
    batch: _Batch, context: _Context, vocabulary: Vocabulary, created: datetime
) -> tuple[int, str, str, str]:
    """An article of 6 to 14 paragraphs; returns its id, title, address and text."""
    rng = vocabulary.rng
    document_id = context.new_id("documents")
    text = vocabulary.paragraphs(rng.randint(6, 14), (3, 6))
    title = vocabulary.title()[:500]
    url = f"https://news.example.org/{created:%Y/%m}/{document_id}"
    batch.add(
        Document.__table__,
        {
            "id": document_id,
            "title": title,
            "url": url,
            "outlet": rng.choice(OUTLETS),
            "author": " ".join(word.capitalize() for word in vocabulary.draw(2)),
            "published_on": created.date(),
            "language": "en",
            "text": text,
            "text_sha256": f"{document_id:064x}",
            "created_by_id": rng.choice(context.editors),
            "created_at": created,
            "updated_at": created,
        },
    )
    return document_id, title, url, text


def _quote_in(text: str, rng: random.Random) -> tuple[int, int]:
    """The span of one sentence of ``text``."""
    start = rng.randrange(len(text) // 2)
    start = text.find(". ", start)
    start = 0 if start < 0 else start + 2
    end = text.find(".", start)
    return start, (len(text) if end < 0 else end + 1)


def _claim(
    batch: _Batch,
    context: _Context,
    vocabulary: Vocabulary,
    claim_id: int,
    state: ClaimState,
    documents: list[tuple[int, str, str, str]],
) -> None:
    rng = vocabulary.rng
    created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    claimed_on = created.date() - timedelta(days=rng.randrange(10))
    claimant, claimant_kind = rng.choices(context.claimants, context.claimant_weights)[0]
    author = rng.choice(context.editors)

    # Appearances: a quote in an article (its wording is the claim's), a web address, or a venue.
    appearances: list[dict[str, Any]] = []
    text = ""
    for number in range(rng.choice((1, 1, 1, 2))):
        row: dict[str, Any] = {
            "id": context.new_id("appearances"),
            "claim_id": claim_id,
            # Every row names every column: one executemany per table.
            "document_id": None,
            "url": None,
            "venue": None,
            "quote_prefix": None,
            "quote_suffix": None,
            "position_start": None,
            "position_end": None,
            "appeared_on": claimed_on,
            "anchor_status": "anchored",
            "created_by_id": author,
            "created_at": created,
            "updated_at": created,
        }
        title = url = None
        if documents and rng.random() < 0.3:
            document_id, title, url, document_text = rng.choice(documents)
            selector = selector_at(document_text, *_quote_in(document_text, rng))
            row |= {
                "document_id": document_id,
                "quote_exact": selector.exact,
                "quote_prefix": selector.prefix,
                "quote_suffix": selector.suffix,
                "position_start": selector.start,
                "position_end": selector.end,
            }
            if number == 0:
                text = selector.exact
        elif rng.random() < 0.9:
            row["url"] = url = f"https://social.example.org/{claimant.split()[0].lower()}/status/{row['id']}"
        else:
            row["venue"] = rng.choice(VENUES)
            title = row["venue"]
        text = text or vocabulary.sentence(10, 28, rare=True)
        row["quote_exact"] = row.get("quote_exact") or text
        batch.add(Appearance.__table__, row)
        appearances.append(
            {
                "document_id": row.get("document_id"),
                "document_title": title,
                "url": url,
                "quote": row["quote_exact"],
                "appeared_on": claimed_on.isoformat(),
            }
        )

    published = state == ClaimState.PUBLISHED
    slug = f"{readable_slug(text, 70) or 'check'}-{claim_id}" if published else None
    batch.add(
        Claim.__table__,
        {
            "id": claim_id,
            "text": text,
            "claimant": claimant,
            "claimant_kind": claimant_kind,
            "claimed_on": claimed_on,
            "language": "en",
            "state": state,
            "dismissed_reason": rng.choice(DISMISSALS) if state == ClaimState.DISMISSED else None,
            "slug": slug,
            "created_by_id": author,
            "version": 1,
            "created_at": created,
            "updated_at": created,
        },
    )
    tag_ids = rng.sample(list(context.tags), rng.choice((0, 1, 1, 2, 3)))
    for tag_id in tag_ids:
        batch.add(claim_tags, {"claim_id": claim_id, "tag_id": tag_id})
    if state in PREVIOUS_STATE:
        batch.add(
            ClaimTransition.__table__,
            {
                "id": context.new_id("claim_transitions"),
                "claim_id": claim_id,
                "from_state": PREVIOUS_STATE[state],
                "to_state": state,
                "actor_id": author,
                "created_at": created + timedelta(days=1),
            },
        )
    if state in (ClaimState.RESEARCHING, ClaimState.IN_REVIEW):
        batch.add(
            Assignment.__table__,
            {
                "id": context.new_id("assignments"),
                "claim_id": claim_id,
                "user_id": rng.choice(context.reviewers),
                "assigned_by_id": author,
                "created_at": created,
            },
        )
    if state in (ClaimState.NEW, ClaimState.DISMISSED):
        return

    sources = []
    for _ in range(rng.choice((1, 2, 2, 3, 4))):
        source = {
            "title": vocabulary.title()[:500],
            "url": f"https://sources.example.org/{context.next_id['sources'] + 1}",
            "citation": None,
            "publisher": rng.choice(PUBLISHERS),
            "published_on": None,
            "kind": rng.choice(list(SourceKind)).value,
            "stance": rng.choice(list(Stance)).value,
            "quote": vocabulary.sentence(10, 30),
            "is_primary": rng.random() < 0.3,
        }
        batch.add(
            Source.__table__,
            {
                **source,
                "id": context.new_id("sources"),
                "claim_id": claim_id,
                "created_by_id": author,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            },
        )
        sources.append(source)

    if state == ClaimState.RESEARCHING:
        return
    rated = state in (ClaimState.READY, ClaimState.PUBLISHED)
    for reviewer_id in rng.sample(context.reviewers, rng.choice((2, 3)) if rated else rng.choice((0, 1, 2))):
        batch.add(
            Rating.__table__,
            {
                "id": context.new_id("ratings"),
                "claim_id": claim_id,
                "reviewer_id": reviewer_id,
                "label_id": rng.choice(context.labels).id,
                "reasoning": vocabulary.sentence(10, 25),
                "created_at": created,
                "updated_at": created,
            },
        )
    label = rng.choice(context.labels)
    headline = vocabulary.title()[:300]
    summary = vocabulary.sentence(20, 40)
    explanation = vocabulary.paragraphs(rng.randint(2, 4))
    batch.add(
        Verdict.__table__,
        {
            "id": context.new_id("verdicts"),
            "claim_id": claim_id,
            "label_id": label.id,
            "headline": headline,
            "summary": summary,
            "explanation": explanation,
            "author_id": author,
            "updated_by_id": author,
            "version": 1,
            "created_at": created,
            "updated_at": created,
        },
    )
    if not published:
        return

    at = created + timedelta(days=rng.randint(2, 30), seconds=rng.randrange(86_400))
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "claim": text,
        "claimant": claimant,
        "claimant_kind": claimant_kind.value,
        "claimed_on": claimed_on.isoformat(),
        "appearances": appearances,
        "label": label_snapshot(label, context.bounds),
        "headline": headline,
        "summary": summary,
        "explanation": explanation,
        "sources": sources,
        "tags": sorted(context.tags[tag_id] for tag_id in tag_ids),
        "published_at": at.isoformat(),
        "first_published_at": at.isoformat(),
    }
    revisions: list[tuple[PublicationKind, str | None, datetime]] = [(PublicationKind.PUBLICATION, None, at)]
    if rng.random() < 0.1:
        note = "We corrected a figure in the explanation."
        revisions.append((PublicationKind.CORRECTION, note, at + timedelta(days=rng.randint(1, 60))))
    for revision, (kind, note, when) in enumerate(revisions, start=1):
        frozen = {**snapshot, "published_at": when.isoformat()}
        batch.add(
            Publication.__table__,
            {
                "id": context.new_id("publications"),
                "claim_id": claim_id,
                "revision": revision,
                "kind": kind,
                "note": note,
                "label_name": label.name,
                "headline": headline,
                "snapshot": frozen,
                "published_at": when,
                "published_by_id": author,
                "search_text": search_text(frozen),
            },
        )


def _states(rng: random.Random, count: int, published: float) -> list[ClaimState]:
    others, weights = list(UNPUBLISHED_STATES), list(UNPUBLISHED_STATES.values())
    return [
        ClaimState.PUBLISHED if rng.random() < published else rng.choices(others, weights)[0]
        for _ in range(count)
    ]


def generate(
    engine: Engine,
    claims: int,
    *,
    published: float = 0.1,
    seed: int = 1,
    batch_size: int = BATCH,
    progress: Callable[[int, float], None] | None = None,
) -> Counts:
    """Add ``claims`` generated claims and everything around them to the (migrated) database."""
    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    # Inserting publications needs a reason, as in production.
    actor = Actor(name="bench.generate", origin="bench", reason="Generated benchmark data.")
    counts = Counts()
    began = time.perf_counter()
    context = _prepare(engine, rng, vocabulary, claims, actor)
    with engine.connect() as connection:
        label_rows = connection.execute(select(RatingLabel.id)).all()
    if not label_rows:
        raise RuntimeError("the database has no rating labels: is it migrated?")

    first_claim = context.next_id["claims"] + 1
    for first in range(first_claim, first_claim + claims, batch_size):
        size = min(batch_size, first_claim + claims - first)
        batch = _Batch()
        created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        # About 30 claims are quoted from each article.
        documents = []
        for _ in range(max(size // 100, 1)):
            documents.append(_document(batch, context, vocabulary, created))
        states = _states(rng, size, published)
        for claim_id, state in zip(range(first, first + size), states, strict=True):
            _claim(batch, context, vocabulary, claim_id, state, documents)
            counts.states[state.value] = counts.states.get(state.value, 0) + 1
        context.next_id["claims"] = first + size - 1
        with engine.begin() as connection, connection_changeset(connection, actor):
            # Parents before children.
            for table in (
                Document.__table__,
                Claim.__table__,
                claim_tags,
                Appearance.__table__,
                ClaimTransition.__table__,
                Assignment.__table__,
                Source.__table__,
                Rating.__table__,
                Verdict.__table__,
                Publication.__table__,
            ):
                if batch.rows.get(table):
                    connection.execute(insert(table), batch.rows[table])
        for table, rows in batch.rows.items():
            counts.add(table.name, len(rows))
        if progress:
            progress(first + size - first_claim, time.perf_counter() - began)
    _after_bulk_load(engine)
    counts.seconds = time.perf_counter() - began
    return counts


def _after_bulk_load(engine: Engine) -> None:
    """Move PostgreSQL's sequences past the ids given here, and gather the planner's statistics."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for model in ID_TABLES:
                table = model.__tablename__
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table names
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _print_progress(done: int, seconds: float) -> None:
    print(f"  {done:>9,} claims  {seconds:7.1f} s  {done / seconds:7,.0f} claims/s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, required=True, help="how many claims to add")
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of the database (migrated first)")
    parser.add_argument("--published", type=float, default=0.1, help="share of claims published (0.1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=BATCH, help="claims per transaction and changeset")
    args = parser.parse_args(argv)
    if not 0 <= args.published <= 1:
        parser.error("--published is a fraction between 0 and 1")

    from factcheck import create_app, migrate
    from factcheck.db import get_database

    # The app installs the audit key of this configuration, the one `factcheck audit verify` uses.
    app = create_app({"DATABASE_URL": args.database})
    engine = get_database(app).engine
    try:
        migrate.upgrade(engine)
        counts = generate(
            engine,
            args.claims,
            published=args.published,
            seed=args.seed,
            batch_size=args.batch,
            progress=_print_progress,
        )
    finally:
        engine.dispose()
    print(f"{engine.dialect.name}: {args.claims:,} claims in {counts.seconds:.1f} s")
    print("  rows: " + ", ".join(f"{table} {number:,}" for table, number in sorted(counts.rows.items())))
    print("  states: " + ", ".join(f"{state} {number:,}" for state, number in sorted(counts.states.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
