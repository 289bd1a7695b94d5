"""Claims export throughput and peak memory on 100,000 claims, per format.

What it measures
    Builds a data set (default 100,000 claims) on SQLite (a file in a
    temporary directory) and/or PostgreSQL (a database created and dropped
    here), both by the real migrations, then runs the real command
    ``factcheck export claims --format F --output FILE`` once per format, each
    in a fresh Python process, so every process starts from the same memory:

      * rows/s: claims written per second, timed around the command inside the
        child (app start-up and imports excluded);
      * memory: the process's resident set just before the export (the app
        loaded, nothing exported: VmRSS), and its high-water mark during the
        export (VmHWM of /proc/self/status, reset through /proc/self/clear_refs
        just before; elsewhere ``resource.getrusage(RUSAGE_SELF).ru_maxrss``,
        which includes start-up). The difference is what the export itself held
        at its worst;
      * the same export filtered to about a tenth of the claims (``--to``, the
        first ~110 days of the three captured years; CSV and XLSX by default):
        if memory is flat, its peak is the full export's.

    Data set (``--claims`` N; seeded): N claims over three years; 12 reviewers
    and 2 editors; 30 tags (0 to 3 per claim); 1 or 2 appearances per claim
    (30 % in one of N/100 documents, the rest a URL); 1 to 3 sources; 0 to 3
    ratings (ready and published claims 2 or 3); a verdict with a label for
    claims in review (half), ready and published; every published claim (20 %)
    has a publication with a full snapshot (claim, appearances, label,
    headline, summary, explanation, sources, tags: about 2 KB of JSON), and a
    tenth of them a correction too. Rows go in with bulk Core inserts, 5,000
    claims (and their rows) per transaction, inside an audit changeset with a
    reason (``connection_changeset``, so the audit triggers record every row,
    as in production), then ANALYZE (PostgreSQL: VACUUM ANALYZE).

How to run (from the repository root)
    .venv/bin/python bench/export_throughput.py                       # SQLite, 100,000 claims
    .venv/bin/python bench/export_throughput.py --database both
    .venv/bin/python bench/export_throughput.py --claims 20000 --formats csv,xlsx
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from _databases import DEFAULT_POSTGRESQL_URL, after_bulk_load, describe, fresh_database, selected
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

BATCH = 5_000
FORMATS = ("csv", "xlsx", "json", "ndjson", "claimreview")
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 24 * 3600
# The filtered export: claims captured in the first ~110 days (about a tenth of three years).
SUBSET_TO = (START + timedelta(days=110)).date()
WORDS = [
    "the",
    "government",
    "said",
    "minister",
    "budget",
    "tax",
    "health",
    "school",
    "police",
    "election",
    "report",
    "data",
    "rate",
    "number",
    "increase",
    "spending",
    "debt",
    "jobs",
    "wages",
    "prices",
    "inflation",
    "energy",
    "climate",
    "water",
    "crime",
    "border",
    "missile",
    "treaty",
    "nuclear",
    "security",
    "hospital",
    "vaccine",
    "housing",
    "pension",
    "trade",
    "growth",
    "economy",
    "market",
    "income",
    "percent",
    "million",
    "billion",
    "year",
    "people",
    "country",
    "national",
    "public",
    "record",
    "rise",
    "fall",
    "cut",
    "doubled",
    "half",
]
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$bench$bench"  # noqa: S105 - never checked


# --- the data set ----------------------------------------------------------------------------


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def build(engine: Engine, claims: int, seed: int) -> dict[str, int]:
    """Bulk-insert the data set; returns row counts."""
    import factcheck.models  # noqa: F401 - registers every mapper
    from factcheck.accounts.models import Role, User
    from factcheck.audit.changesets import Actor, connection_changeset, set_actor
    from factcheck.claims.models import Appearance, Claim, ClaimState, Tag, claim_tags
    from factcheck.documents.models import Document
    from factcheck.publishing.models import Publication
    from factcheck.ratings.models import Rating, RatingLabel
    from factcheck.sources.models import Source, SourceKind, Stance
    from factcheck.verdicts.models import Verdict

    rng = random.Random(seed)
    # Inserting publications needs a reason, as in production.
    actor = Actor(name="bench data", origin="bench", reason="Benchmark data.")
    with Session(engine) as session:
        set_actor(session, actor)
        people = [
            User(
                email=f"bench-{n}@example.org",
                name=f"{'Editor' if n < 2 else 'Reviewer'} {n:02d}",
                password_hash=PASSWORD_HASH,
                role=Role.EDITOR if n < 2 else Role.REVIEWER,
            )
            for n in range(14)
        ]
        tags = [Tag(name=f"topic-{n}") for n in range(30)]
        session.add_all([*people, *tags])
        session.commit()
        user_ids = [user.id for user in people]
        reviewer_ids = user_ids[2:]
        tag_ids = [tag.id for tag in tags]
        tag_names = {tag.id: tag.name for tag in tags}
        labels = list(session.scalars(select(RatingLabel).where(RatingLabel.value.is_not(None))))
        label_info = {label.id: (label.key, label.name, label.value, label.definition) for label in labels}
    label_ids = list(label_info)

    documents = max(claims // 100, 10)
    with engine.begin() as connection, connection_changeset(connection, actor):
        connection.execute(
            insert(Document.__table__),
            [
                {
                    "id": n,
                    "title": sentence(rng, 4, 9),
                    "url": f"https://news.example.org/{n}" if n % 3 else None,
                    "text": " ".join(sentence(rng, 15, 30) for _ in range(20)),
                    "text_sha256": f"{n:064x}",
                    "created_at": START,
                    "updated_at": START,
                }
                for n in range(1, documents + 1)
            ],
        )
    document_titles: dict[int, str] = {}
    with engine.connect() as connection:
        for doc_id, title in connection.execute(select(Document.id, Document.title)):
            document_titles[doc_id] = title

    states = [ClaimState.NEW, ClaimState.RESEARCHING, ClaimState.IN_REVIEW, ClaimState.READY]
    states += [ClaimState.PUBLISHED, ClaimState.DISMISSED]
    weights = [30, 20, 15, 10, 20, 5]
    counts = dict.fromkeys(("claims", "appearances", "sources", "ratings", "verdicts", "publications"), 0)
    ids = dict.fromkeys(("appearance", "source", "rating", "verdict", "publication"), 0)

    for first in range(1, claims + 1, BATCH):
        rows: dict[Any, list[dict[str, Any]]] = {
            table: []
            for table in (
                Claim.__table__,
                claim_tags,
                Appearance.__table__,
                Source.__table__,
                Rating.__table__,
                Verdict.__table__,
                Publication.__table__,
            )
        }
        for claim_id in range(first, min(first + BATCH, claims + 1)):
            created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
            state = rng.choices(states, weights)[0]
            text = sentence(rng, 12, 28)
            claimant = f"Claimant {rng.randrange(500)}"
            claimed_on = created.date() - timedelta(days=rng.randrange(10))
            published = state == ClaimState.PUBLISHED
            rows[Claim.__table__].append(
                {
                    "id": claim_id,
                    "text": text,
                    "claimant": claimant,
                    "claimed_on": claimed_on,
                    "state": state,
                    "slug": f"claim-{claim_id}" if published else None,
                    "created_by_id": rng.choice(user_ids),
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            chosen_tags = rng.sample(tag_ids, rng.choice((0, 1, 1, 2, 3)))
            rows[claim_tags] += [{"claim_id": claim_id, "tag_id": tag_id} for tag_id in chosen_tags]
            appearances = []
            for _ in range(rng.choice((1, 1, 2))):
                ids["appearance"] += 1
                document_id = rng.randint(1, documents) if rng.random() < 0.3 else None
                url = None if document_id else f"https://social.example.org/post/{ids['appearance']}"
                rows[Appearance.__table__].append(
                    {
                        "id": ids["appearance"],
                        "claim_id": claim_id,
                        "document_id": document_id,
                        "url": url,
                        "quote_exact": text[:80],
                        "anchor_status": "anchored",
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                appearances.append(
                    {
                        "document_id": document_id,
                        "document_title": document_titles.get(document_id) if document_id else None,
                        "url": url,
                        "quote": text[:80],
                        "appeared_on": claimed_on.isoformat(),
                    }
                )
            sources = []
            for _ in range(rng.choice((1, 2, 2, 3))):
                ids["source"] += 1
                source = {
                    "title": sentence(rng, 3, 8),
                    "url": f"https://sources.example.org/{ids['source']}",
                    "publisher": "Statistics office",
                    "kind": rng.choice(list(SourceKind)).value,
                    "stance": rng.choice(list(Stance)).value,
                    "quote": sentence(rng, 10, 30),
                }
                rows[Source.__table__].append(
                    {
                        **source,
                        "id": ids["source"],
                        "claim_id": claim_id,
                        "is_primary": rng.random() < 0.3,
                        "created_by_id": rng.choice(user_ids),
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                sources.append({**source, "citation": None, "published_on": None, "is_primary": False})
            rated = state in (ClaimState.READY, ClaimState.PUBLISHED)
            for reviewer_id in rng.sample(
                reviewer_ids, rng.choice((2, 3)) if rated else rng.choice((0, 0, 1))
            ):
                ids["rating"] += 1
                rows[Rating.__table__].append(
                    {
                        "id": ids["rating"],
                        "claim_id": claim_id,
                        "reviewer_id": reviewer_id,
                        "label_id": rng.choice(label_ids),
                        "reasoning": sentence(rng, 10, 20),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            if rated or (state == ClaimState.IN_REVIEW and rng.random() < 0.5):
                ids["verdict"] += 1
                label_id = rng.choice(label_ids)
                headline, summary = sentence(rng, 5, 10), sentence(rng, 20, 40)
                explanation = " ".join(sentence(rng, 15, 30) for _ in range(6))
                rows[Verdict.__table__].append(
                    {
                        "id": ids["verdict"],
                        "claim_id": claim_id,
                        "label_id": label_id,
                        "headline": headline,
                        "summary": summary,
                        "explanation": explanation,
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                if published:
                    key, name, value, definition = label_info[label_id]
                    at = created + timedelta(days=rng.randint(1, 20))
                    snapshot = {
                        "version": 1,
                        "claim": text,
                        "claimant": claimant,
                        "claimed_on": claimed_on.isoformat(),
                        "appearances": appearances,
                        "label": {
                            "key": key,
                            "name": name,
                            "value": value,
                            "definition": definition,
                            "worst": 1,
                            "best": 5,
                        },
                        "headline": headline,
                        "summary": summary,
                        "explanation": explanation,
                        "sources": sources,
                        "tags": [tag_names[tag_id] for tag_id in chosen_tags],
                        "published_at": at.isoformat(),
                        "first_published_at": at.isoformat(),
                    }
                    revisions = [("publication", None, at)]
                    if rng.random() < 0.1:
                        revisions.append(("correction", "We corrected a figure.", at + timedelta(days=3)))
                    for revision, (kind, note, when) in enumerate(revisions, start=1):
                        ids["publication"] += 1
                        rows[Publication.__table__].append(
                            {
                                "id": ids["publication"],
                                "claim_id": claim_id,
                                "revision": revision,
                                "kind": kind,
                                "note": note,
                                "label_name": name,
                                "headline": headline,
                                "snapshot": {**snapshot, "published_at": when.isoformat()},
                                "published_at": when,
                                "search_text": "",
                            }
                        )
        with engine.begin() as connection, connection_changeset(connection, actor):
            for table, table_rows in rows.items():
                if table_rows:
                    connection.execute(insert(table), table_rows)
        counts["claims"] += len(rows[Claim.__table__])
        counts["appearances"] += len(rows[Appearance.__table__])
        counts["sources"] += len(rows[Source.__table__])
        counts["ratings"] += len(rows[Rating.__table__])
        counts["verdicts"] += len(rows[Verdict.__table__])
        counts["publications"] += len(rows[Publication.__table__])
        print(f"  {counts['claims']:>7} claims", end="\r", flush=True)
    print()
    after_bulk_load(
        engine, ("documents", "claims", "sources", "appearances", "ratings", "verdicts", "publications")
    )
    return counts


# --- one export, in a child process --------------------------------------------------------


def _status_mb(field: str) -> float | None:
    """A memory figure of /proc/self/status (Linux), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the process's RSS high-water mark (Linux >= 4.0), so the peak is the export's alone."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def rss_mb() -> float:
    return _status_mb("VmRSS") or 0.0


def peak_rss_mb() -> float:
    """The RSS high-water mark: VmHWM (since the last reset), else getrusage's ru_maxrss."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (
        1024 * 1024 if sys.platform == "darwin" else 1024
    )


def child(url: str, format_key: str, output: str, subset: bool) -> None:
    """Run ``factcheck export claims`` in this process; print one JSON line with the figures."""
    import click

    from factcheck import create_app
    from factcheck.exports.cli import export

    with tempfile.TemporaryDirectory(prefix="factcheck-bench-instance-") as instance:
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-to-pass",
                "INSTANCE_PATH": instance,
                "PUBLIC_URL": "https://factcheck.example.org",
            }
        )
        args = ["claims", "--format", format_key, "--output", output]
        if subset:
            args += ["--to", SUBSET_TO.isoformat()]
        with app.app_context():
            before = rss_mb()
            reset_peak()
            began = time.perf_counter()
            context = export.make_context("export", args, obj=None)
            with context:
                try:
                    export.invoke(context)
                except click.ClickException as exc:
                    raise SystemExit(f"export failed: {exc.format_message()}") from None
            seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "before_mb": before, "peak_mb": peak_rss_mb()}))


@dataclass
class Measure:
    format: str
    subset: bool
    rows: int
    seconds: float
    before_mb: float
    peak_mb: float
    size_mb: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure(url: str, format_key: str, subset: bool, directory: str) -> Measure:
    output = os.path.join(directory, f"claims.{format_key}")
    command = [sys.executable, os.path.abspath(__file__), "--child", url, format_key, output]
    if subset:
        command.append("--subset")
    finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own script
    if finished.returncode != 0:
        raise RuntimeError(f"{format_key}: {finished.stderr.strip() or finished.stdout.strip()}")
    figures = json.loads(finished.stdout.strip().splitlines()[-1])
    summary = finished.stdout.strip().splitlines()[-2]  # "Exported N claims to FILE"
    rows = int(summary.split()[1])
    size = os.path.getsize(output) / (1024 * 1024)
    os.remove(output)
    return Measure(
        format_key, subset, rows, figures["seconds"], figures["before_mb"], figures["peak_mb"], size
    )


# --- the benchmark ------------------------------------------------------------------------


def run(dialect: str, args: argparse.Namespace) -> None:
    with fresh_database(dialect, args.postgresql_url) as engine:
        print(f"{dialect}: building {args.claims:,} claims ...", flush=True)
        began = time.perf_counter()
        counts = build(engine, args.claims, args.seed)
        built = time.perf_counter() - began
        print(f"{dialect}: built in {built:.1f} s: {counts}", flush=True)
        url = engine.url.render_as_string(hide_password=False)
        results = []
        with tempfile.TemporaryDirectory(prefix="factcheck-bench-export-") as directory:
            for format_key in args.formats:
                for subset in (False, True) if format_key in args.subset_formats else (False,):
                    result = measure(url, format_key, subset, directory)
                    results.append(result)
                    print(
                        f"  {format_key:<12} {'subset' if subset else 'all':<6} {result.rows:>7} rows "
                        f"{result.seconds:7.1f} s  peak {result.peak_mb:6.1f} MB",
                        flush=True,
                    )
        print()
        print(f"{dialect} ({describe(engine)}), {counts['claims']:,} claims; export of all of them, and of")
        print(f"the ~10 % captured until {SUBSET_TO} (memory should not depend on the count):")
        print()
        print(
            "| format | claims | seconds | claims/s | file MB | RSS before MB | peak RSS during MB | peak - before MB |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for r in results:
            print(
                f"| {r.format}{' (subset)' if r.subset else ''} | {r.rows:,} | {r.seconds:.1f} | {r.rate:,.0f} "
                f"| {r.size_mb:.1f} | {r.before_mb:.0f} | {r.peak_mb:.0f} | {r.peak_mb - r.before_mb:.0f} |"
            )
        print()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        url, format_key, output = argv[1:4]
        child(url, format_key, output, subset="--subset" in argv)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the data set")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats to measure")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the data set")
    parser.add_argument(
        "--subset-formats",
        default="csv,xlsx",
        help="formats also exported filtered to ~10 %% of the claims (memory should not change)",
    )
    parser.add_argument(
        "--postgresql-url", default=DEFAULT_POSTGRESQL_URL, help="server to create the database on"
    )
    args = parser.parse_args(argv)
    args.formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    args.subset_formats = [name.strip() for name in args.subset_formats.split(",") if name.strip()]
    unknown = set(args.formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    if args.claims < 1000:
        parser.error("need at least 1,000 claims")
    for dialect in selected(args.database):
        run(dialect, args)


if __name__ == "__main__":
    main()
