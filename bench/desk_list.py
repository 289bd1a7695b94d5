"""Claim list and search response times on a desk with 100,000+ claims.

What it measures
    Builds a data set (default 100,000 claims) on SQLite (a file in a
    temporary directory) and PostgreSQL (a database created and dropped
    here), both by the real migrations, then times requests through the
    Flask test client, signed in as an editor, so each figure is the whole
    request: session and login check, the queries, the template.

    Data set (``--claims`` N; seeded, so the same on both databases):
      * N claims, 12 to 28 words from a 280-word vocabulary with a few very
        common words ("government" in about a quarter of the claims) and one
        rare one ("hovercraft", in 12 claims, 4 sources and 2 documents);
        500 claimants; states spread like a working desk; captured over three
        years; 30 % with a review-by date;
      * about 2 sources per claim (title, publisher, a quote for half of
        them, a citation for a fifth);
      * N / 50 documents of 400 to 1,300 words; 30 % of the claims appear in one;
      * assignments (60 % of the claims, 1 or 2 of 24 people), tags
        (0 to 3 of 60 tags per claim, "economy" on about 15 %), verdicts with
        a label for the ready and published claims.
    Rows go in with bulk Core inserts, 5,000 claims (and their rows) per
    transaction, each inside an audit changeset
    (``connection_changeset(..., Actor.system("bench data", "bench"))``): the
    audit triggers record every row and the full-text triggers (SQLite) and
    GIN indexes (PostgreSQL) index them as they arrive, as in production.
    Then ANALYZE (PostgreSQL: VACUUM ANALYZE, which autovacuum would do).
    The build time reported includes all of that.

    Requests (each run ``--runs`` times after one untimed warm-up; median and
    95th percentile reported):
      * first page: ``/claims/`` (newest first, 50 claims, state counts);
      * deep page: the page reached by following "Next page" ``--deep`` times
        (default 200, i.e. claims 10,001-10,050), timed on its own;
      * state filter: ``/claims/?state=in_review``;
      * tag filter: ``/claims/?tag=<economy>`` and a rare tag;
      * full-text search in the list, best match first, for the common word
        and the rare word; the common word sorted newest first too;
      * my work: ``/claims/mine`` for the signed-in editor;
      * the search page ``/search/?q=...`` (claims, sources, documents) for
        both words.

How to run (from the repository root)
    .venv/bin/python bench/desk_list.py
    .venv/bin/python bench/desk_list.py --database sqlite --claims 20000 --runs 10
    .venv/bin/python bench/desk_list.py --database postgresql \\
        --postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/desk_list.py --explain   # + query plans of the list queries
    .venv/bin/python bench/desk_list.py --existing sqlite:////tmp/desk.sqlite \\
        --existing postgresql+psycopg://postgres@127.0.0.1:5432/desk   # databases built before
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from _databases import (
    DEFAULT_POSTGRESQL_URL,
    after_bulk_load,
    configure_audit_key,
    describe,
    fresh_database,
    selected,
)
from flask import Flask
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

import factcheck.models  # noqa: F401 - registers every mapper
from factcheck import create_app
from factcheck.accounts import passwords
from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, connection_changeset, set_actor
from factcheck.claims.models import Appearance, Assignment, Claim, ClaimState, Tag, claim_tags
from factcheck.db import get_database, make_engine
from factcheck.documents.models import Document
from factcheck.ratings.models import RatingLabel
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.verdicts.models import Verdict

PASSWORD = "bench password, long enough"  # noqa: S105 - a throwaway database
BATCH = 5_000
COMMON_WORD = "government"
RARE_WORD = "hovercraft"
COMMON_TAG = "economy"
RARE_TAG = "tag-59"
NEXT_LINK = re.compile(r'<a class="button" href="([^"]+)" rel="next">')

_VOCABULARY = """
the a of to and in is that for on with as was by at from has have had not are be this it said
will would more than its their over after about into up out new also but who which one two
three percent million billion year years last first people country state national public
minister president party law tax budget health school police election vote votes voters
report data rate rates number numbers record increase decrease rise fall fell rose cut cuts
spending debt deficit jobs job unemployment wages wage price prices inflation energy oil gas
electricity climate emissions carbon water food farmers crime prison court judge border
migrants immigration refugees asylum army defence missile missiles treaty nuclear war peace
troops attack security police officers hospital hospitals doctors nurses patients waiting
lists vaccine vaccines virus cases deaths covid pandemic schools teachers pupils students
university fees housing homes rent rents mortgage interest bank banks pension pensions
benefits welfare poverty children families women men workers union strike transport trains
roads cars bus railway airport flights trade exports imports tariffs growth economy market
markets companies business investment billionaire income wealth taxes corporate social media
online internet fake news campaign poll polls survey majority minority region city cities
rural urban capital europe european union nato russia china america american british french
german ukraine parliament congress senate council mayor governor official officials agency
agency commission committee inquiry investigation study research scientists experts evidence
claim claims false true misleading figures statistics compared since under during between
while because only every most many some any least highest lowest biggest largest smallest
double doubled half tripled fewer less longer shorter never always ever again already still
"""
WORDS = _VOCABULARY.split()
# Made-up names for claimants; 500 of them.
_FIRST = "Anna Ben Carla David Elena Frank Grace Hugo Irene Jonas Kira Luis Maria Nils Olga Pavel Rosa Sam Tara Viktor"
_LAST = "Adler Borg Costa Dahl Engel Fischer Garcia Horvat Ivanova Jensen Kowalski Larsen Moreau Novak Olsen Petrov Quinn Rossi Silva Tanaka Ueda Varga Weber Young Zhou"
FIRST, LAST = _FIRST.split(), _LAST.split()
ORGS = ["Ministry of Finance", "Ministry of Health", "Opposition party", "Trade union", "Central bank"]


@dataclass
class Dataset:
    claims: int = 0
    sources: int = 0
    documents: int = 0
    appearances: int = 0
    assignments: int = 0
    tag_links: int = 0
    verdicts: int = 0
    seconds: float = 0.0
    editor_email: str = ""
    tag_ids: dict[str, int] = field(default_factory=dict)


# The editor the benchmark signs in as.
EDITOR_EMAIL = "bench-editor@example.org"


class Text:
    """Seeded random sentences from WORDS, with the common word's frequency controlled."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # Zipf-like weights: the first words are by far the most frequent.
        self.weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(WORDS))]

    def words(self, low: int, high: int) -> list[str]:
        return self.rng.choices(WORDS, self.weights, k=self.rng.randint(low, high))

    def sentence(self, low: int, high: int, *, common: float = 0.0) -> str:
        words = self.words(low, high)
        if self.rng.random() < common:
            words.insert(self.rng.randrange(len(words)), COMMON_WORD)
        words[0] = words[0].capitalize()
        return " ".join(words) + "."


def _people(session: Session) -> tuple[list[int], str]:
    """24 people: the signed-in editor and the desk (one password hash for all: Argon2 is slow on purpose)."""
    password_hash = passwords.hash_password(PASSWORD)
    editor_email = EDITOR_EMAIL
    users = []
    for n in range(24):
        role = Role.EDITOR if n < 4 else Role.REVIEWER
        email = editor_email if n == 0 else f"bench-{role.value}-{n}@example.org"
        users.append(
            User(email=email, name=f"Bench {role.label} {n:02d}", password_hash=password_hash, role=role)
        )
    session.add_all(users)
    session.flush()
    return [user.id for user in users], editor_email


def build(engine: Engine, claims: int, seed: int) -> Dataset:
    started = time.perf_counter()
    rng = random.Random(seed)
    words = Text(rng)
    data = Dataset()
    actor = Actor.system("bench data", "bench")

    with Session(engine) as session:
        set_actor(session, actor)
        user_ids, data.editor_email = _people(session)
        tags = [Tag(name=COMMON_TAG), *(Tag(name=f"tag-{n}") for n in range(1, 60))]
        session.add_all(tags)
        session.flush()
        data.tag_ids = {tag.name: tag.id for tag in tags}
        label_ids = list(session.scalars(select(RatingLabel.id).order_by(RatingLabel.position)))
        session.commit()
    tag_ids = list(data.tag_ids.values())
    common_tag = data.tag_ids[COMMON_TAG]
    rare_tag = data.tag_ids[RARE_TAG]

    claimants = [f"{first} {last}" for first in FIRST for last in LAST][:495] + ORGS
    states = [
        (ClaimState.NEW, 30),
        (ClaimState.RESEARCHING, 20),
        (ClaimState.IN_REVIEW, 15),
        (ClaimState.READY, 10),
        (ClaimState.PUBLISHED, 20),
        (ClaimState.DISMISSED, 5),
    ]
    state_values, state_weights = zip(*states, strict=True)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 24 * 3600
    documents = max(claims // 50, 10)
    rare_claims = set(rng.sample(range(1, claims + 1), min(12, claims)))
    rare_sources = set(rng.sample(sorted(rare_claims), min(4, len(rare_claims))))
    rare_documents = {1, 2}

    # Documents first: claims appear in them.
    with engine.begin() as connection, connection_changeset(connection, actor):
        rows = []
        for doc_id in range(1, documents + 1):
            paragraphs = [words.sentence(15, 30, common=0.3) for _ in range(rng.randint(25, 45))]
            if doc_id in rare_documents:
                paragraphs.insert(3, f"A {RARE_WORD} was mentioned once.")
            body = " ".join(paragraphs)
            rows.append(
                {
                    "id": doc_id,
                    "title": words.sentence(4, 9),
                    "url": f"https://news.example.org/{doc_id}",
                    "outlet": rng.choice(["Daily Planet", "Morning Post", "Evening Star", "Radio One"]),
                    "text": body,
                    "text_sha256": f"{doc_id:064x}",
                    "language": "en",
                    "created_at": start,
                    "updated_at": start,
                }
            )
        connection.execute(insert(Document.__table__), rows)
        data.documents = documents

    source_id = appearance_id = assignment_id = verdict_id = 0
    for first_id in range(1, claims + 1, BATCH):
        batch = range(first_id, min(first_id + BATCH, claims + 1))
        claim_rows, tag_rows, assignment_rows, source_rows, appearance_rows, verdict_rows = (
            [],
            [],
            [],
            [],
            [],
            [],
        )
        for claim_id in batch:
            created = start + timedelta(seconds=rng.randrange(span))
            state = rng.choices(state_values, state_weights)[0]
            text_ = words.sentence(12, 28, common=0.25)
            if claim_id in rare_claims:
                text_ = text_[:-1] + f" {RARE_WORD}."
            claim_rows.append(
                {
                    "id": claim_id,
                    "text": text_,
                    "claimant": rng.choice(claimants),
                    "claimed_on": created.date() - timedelta(days=rng.randrange(10)),
                    "state": state,
                    "review_by": created.date() + timedelta(days=rng.randrange(3, 60))
                    if rng.random() < 0.3
                    else None,
                    "created_by_id": rng.choice(user_ids),
                    "version": 1,
                    "created_at": created,
                    "updated_at": created + timedelta(seconds=rng.randrange(30 * 24 * 3600)),
                }
            )
            chosen = set()
            if rng.random() < 0.15:
                chosen.add(common_tag)
            if claim_id % 1000 == 0:
                chosen.add(rare_tag)
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                chosen.add(rng.choice(tag_ids[1:-1]))
            tag_rows += [{"claim_id": claim_id, "tag_id": tag_id} for tag_id in chosen]
            if rng.random() < 0.6:
                for user_id in rng.sample(user_ids, rng.choice((1, 1, 2))):
                    assignment_id += 1
                    assignment_rows.append(
                        {"id": assignment_id, "claim_id": claim_id, "user_id": user_id, "created_at": created}
                    )
            for n in range(rng.choice((1, 2, 2, 3))):
                source_id += 1
                title = words.sentence(3, 8)
                if n == 0 and claim_id in rare_sources:
                    title = title[:-1] + f" {RARE_WORD} report."
                source_rows.append(
                    {
                        "id": source_id,
                        "claim_id": claim_id,
                        "url": f"https://sources.example.org/{source_id}",
                        "citation": words.sentence(8, 16) if rng.random() < 0.2 else None,
                        "title": title,
                        "publisher": rng.choice([*ORGS, "Statistics office", "Reuters", "AP"]),
                        "kind": rng.choice(list(SourceKind)),
                        "stance": rng.choice(list(Stance)),
                        "quote": words.sentence(10, 30, common=0.2) if rng.random() < 0.5 else None,
                        "is_primary": rng.random() < 0.3,
                        "created_by_id": rng.choice(user_ids),
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            appearance_id += 1
            in_document = rng.random() < 0.3
            appearance_rows.append(
                {
                    "id": appearance_id,
                    "claim_id": claim_id,
                    "document_id": rng.randint(1, documents) if in_document else None,
                    "url": None if in_document else f"https://social.example.org/post/{claim_id}",
                    "quote_exact": text_[:80],
                    "anchor_status": "anchored",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            if state in (ClaimState.READY, ClaimState.PUBLISHED):
                verdict_id += 1
                verdict_rows.append(
                    {
                        "id": verdict_id,
                        "claim_id": claim_id,
                        "label_id": rng.choice(label_ids),
                        "headline": words.sentence(5, 10),
                        "summary": words.sentence(20, 40),
                        "explanation": words.sentence(40, 80),
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
        with engine.begin() as connection, connection_changeset(connection, actor):
            connection.execute(insert(Claim.__table__), claim_rows)
            for table, rows in (
                (claim_tags, tag_rows),
                (Assignment.__table__, assignment_rows),
                (Source.__table__, source_rows),
                (Appearance.__table__, appearance_rows),
                (Verdict.__table__, verdict_rows),
            ):
                if rows:
                    connection.execute(insert(table), rows)
        data.claims += len(claim_rows)
        data.tag_links += len(tag_rows)
        data.assignments += len(assignment_rows)
        data.sources += len(source_rows)
        data.appearances += len(appearance_rows)
        data.verdicts += len(verdict_rows)
        print(f"  {data.claims:>7} claims", end="\r", flush=True)

    after_bulk_load(engine, ("documents", "claims", "sources", "appearances", "assignments", "verdicts"))
    data.seconds = time.perf_counter() - started
    print()
    return data


# --- timing ----------------------------------------------------------------------------------


@dataclass
class Timing:
    name: str
    url: str
    seconds: list[float]
    rows: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def make_app(engine: Engine, instance: str) -> Flask:
    url = engine.url.render_as_string(hide_password=False)
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-to-pass",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": instance,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _get(client: Any, url: str) -> str:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return response.get_data(as_text=True)


def _listed(page: str) -> int:
    return len(re.findall(r'<td><a href="/claims/\d+"', page)) or len(re.findall(r"<li>\s*<a href=", page))


def deep_page_url(client: Any, pages: int) -> str:
    url = "/claims/"
    for _ in range(pages):
        found = NEXT_LINK.search(_get(client, url))
        if not found:
            raise RuntimeError(f"fewer than {pages} pages")
        url = found.group(1).replace("&amp;", "&")
    return url


def measure(app: Flask, data: Dataset, runs: int, deep: int) -> list[Timing]:
    client = app.test_client()
    response = client.post("/login", data={"email": data.editor_email, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError("could not sign in")
    scenarios = [
        ("first page (newest)", "/claims/"),
        (f"deep page ({deep} pages in)", deep_page_url(client, deep)),
        ("filter: state in review", "/claims/?state=in_review"),
        (f"filter: tag '{COMMON_TAG}' (~15 %)", f"/claims/?tag={data.tag_ids[COMMON_TAG]}"),
        (f"filter: tag '{RARE_TAG}' (0.1 %)", f"/claims/?tag={data.tag_ids[RARE_TAG]}"),
        (f"search '{COMMON_WORD}', best match", f"/claims/?q={COMMON_WORD}"),
        (f"search '{COMMON_WORD}', newest", f"/claims/?q={COMMON_WORD}&sort=newest"),
        (f"search '{RARE_WORD}', best match", f"/claims/?q={RARE_WORD}"),
        ("my work", "/claims/mine"),
        (f"search page '{COMMON_WORD}'", f"/search/?q={COMMON_WORD}"),
        (f"search page '{RARE_WORD}'", f"/search/?q={RARE_WORD}"),
    ]
    timings = []
    for name, url in scenarios:
        page = _get(client, url)  # warm-up
        seconds = []
        for _ in range(runs):
            began = time.perf_counter()
            _get(client, url)
            seconds.append(time.perf_counter() - began)
        timings.append(Timing(name, url, seconds, _listed(page)))
    return timings


def explain(engine: Engine) -> None:
    """Query plans of the claim list's main query for a few filters (for tuning)."""
    from factcheck.claims.listing import ClaimFilter, claim_query, sized
    from factcheck.search.query import parse

    with Session(engine) as session:
        for label, claim_filter, sort in [
            ("first page", ClaimFilter(), "newest"),
            ("state", ClaimFilter(state=ClaimState.IN_REVIEW), "newest"),
            ("search best match", ClaimFilter(text=parse(COMMON_WORD)), "relevance"),
            ("search newest", ClaimFilter(text=parse(COMMON_WORD)), "newest"),
        ]:
            # As the list does: a common word is tested claim by claim (listing.sized).
            query, order = claim_query(session, sized(session, claim_filter), sort)
            statement = query.order_by(*order.order_by()).limit(51)
            sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
            prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
            print(f"--- {label} ---")
            for row in session.execute(text(prefix + sql.replace(":", "\\:"))):
                print("   ", " ".join(str(value) for value in row))


# --- the benchmark ----------------------------------------------------------------------------


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.__tablename__: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in (Claim, Source, Document, Appearance, Assignment, Verdict, User)
        }


@dataclass
class Result:
    dialect: str
    server: str
    data: Dataset
    timings: list[Timing]


def existing(engine: Engine) -> Dataset:
    """The data set already in a database this script (or a generator writing the same shapes)
    built: its sizes, the editor to sign in as, the tags to filter by."""
    found = counts(engine)
    with Session(engine) as session:
        tag_ids = {name: tag_id for name, tag_id in session.execute(select(Tag.name, Tag.id))}
        links = session.scalar(select(func.count()).select_from(claim_tags)) or 0
    return Dataset(
        claims=found["claims"],
        sources=found["sources"],
        documents=found["documents"],
        appearances=found["appearances"],
        assignments=found["assignments"],
        tag_links=links,
        verdicts=found["verdicts"],
        editor_email=EDITOR_EMAIL,
        tag_ids=tag_ids,
    )


def run_existing(url: str, args: argparse.Namespace) -> Result:
    configure_audit_key()
    engine = make_engine(url)
    try:
        data = existing(engine)
        print(f"{engine.dialect.name}: {data.claims} claims already there", flush=True)
        if args.explain:
            explain(engine)
        with tempfile.TemporaryDirectory(prefix="factcheck-bench-instance-") as instance:
            app = make_app(engine, instance)
            try:
                timings = measure(app, data, args.runs, args.deep)
            finally:
                get_database(app).engine.dispose()
        return Result(engine.dialect.name, describe(engine), data, timings)
    finally:
        engine.dispose()


def run(dialect: str, args: argparse.Namespace) -> Result:
    with fresh_database(dialect, args.postgresql_url) as engine:
        print(f"{dialect}: building {args.claims} claims ...", flush=True)
        data = build(engine, args.claims, args.seed)
        print(f"{dialect}: built in {data.seconds:.1f} s: {counts(engine)}", flush=True)
        if args.explain:
            explain(engine)
        with tempfile.TemporaryDirectory(prefix="factcheck-bench-instance-") as instance:
            app = make_app(engine, instance)
            try:
                timings = measure(app, data, args.runs, args.deep)
            finally:
                get_database(app).engine.dispose()
        return Result(dialect, describe(engine), data, timings)


def print_table(results: list[Result], runs: int) -> None:
    print()
    print(f"Claim list and search through the Flask test client: median / p95 of {runs} runs, ms")
    header = f"{'request':<36}" + "".join(f"{result.dialect:>22}" for result in results)
    print(header)
    print("-" * len(header))
    for position, timing in enumerate(results[0].timings):
        cells = "".join(
            f"{result.timings[position].median_ms:>12.1f} / {result.timings[position].p95_ms:>7.1f}"
            for result in results
        )
        print(f"{timing.name:<36}{cells}")
    print()
    for result in results:
        data = result.data
        print(
            f"{result.dialect}: {data.claims} claims, {data.sources} sources, {data.documents} documents, "
            f"{data.appearances} appearances, {data.assignments} assignments, {data.tag_links} tag links, "
            f"{data.verdicts} verdicts; built in {data.seconds:.1f} s ({result.server})"
        )
    print()


def iterate_dialects(choice: str) -> Iterator[str]:
    yield from selected(choice)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the data set")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per request")
    parser.add_argument("--deep", type=int, default=200, help="pages to follow for the deep page")
    parser.add_argument("--seed", type=int, default=4, help="random seed of the data set")
    parser.add_argument(
        "--postgresql-url", default=DEFAULT_POSTGRESQL_URL, help="server to create the database on"
    )
    parser.add_argument("--explain", action="store_true", help="print query plans of the list queries")
    parser.add_argument(
        "--existing",
        action="append",
        metavar="URL",
        help="time a database built before (by this script or the data generator) instead of building one; repeatable",
    )
    args = parser.parse_args(argv)
    if args.existing:
        print_table([run_existing(url, args) for url in args.existing], args.runs)
        return
    if args.claims < 1000 or args.runs < 1 or args.deep < 1:
        parser.error("need at least 1,000 claims, 1 run and 1 deep page")
    if args.deep * 50 >= args.claims:
        parser.error("--deep pages of 50 must stay within the claims")

    results = [run(dialect, args) for dialect in iterate_dialects(args.database)]
    print_table(results, args.runs)


if __name__ == "__main__":
    main()
