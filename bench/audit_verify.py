"""Speed of the audit history's verification: changesets checked per second.

What it measures
    Builds an audit history of ``--changesets`` changesets (default 100,000) in
    a fresh database, then times two verifications of all of it, on SQLite (a
    file in a temporary directory) and on PostgreSQL (a fresh database, created
    and dropped here). Both are built by the real migrations.

    * chain-only: ``factcheck.audit.chain.verify()``, every keyed link
      recomputed (HMAC-SHA-256 with the audit key);
    * full: ``factcheck.audit.verification.verify()``, what ``factcheck audit
      verify`` runs: the guards (every audit trigger present and unchanged),
      the chain, the checkpoints (one, made at the end of the build), and the
      replay of every change compared with the live rows.

    The history is real: every changeset is opened and sealed by
    ``factcheck.audit.changesets.connection_changeset`` (the code migrations and
    tools use), its changes are written by the real audit triggers, and it is
    hashed onto the chain by the real sealing code. To build it quickly it goes
    through one connection, ``--batch`` changesets per transaction (several
    changesets in one transaction are allowed: the demo loader does the same),
    with prebuilt Core statements instead of ORM sessions.

    The changesets mirror bench/audit_overhead.py's request-sized workload,
    alternating
      * a claim created with 1 appearance and 2 sources (4 changes),
      * that claim's text and one source's stance changed (2 changes),
    so 3 changes per changeset on average (about 1.3 KB of change JSON);
    ``--mix small`` makes every changeset a one-field edit of a claim instead
    (1 change, about 0.2 KB), to show how the rate depends on the content.
    Actors, request ids and an occasional reason vary. The history also holds
    changeset 1, written by the migration that installs the audit history.

    Reported: build time and rate, then for each kind the best of ``--repeat``
    runs (default 3; the two kinds alternate, so both see the same background
    load) as changesets/s, with the median in brackets (goal: at least 100,000
    changesets/s, replay included), and the replay's share of the full run:
    (full - chain-only) / full, best runs (the guards and the checkpoint, a few
    milliseconds, are in that difference too). Every run must find the
    history intact: the chain-only run checks every changeset, the full run has
    no finding at all.

How to run (from the repository root)
    .venv/bin/python bench/audit_verify.py
    .venv/bin/python bench/audit_verify.py --database sqlite --changesets 200000
    .venv/bin/python bench/audit_verify.py --mix small
    .venv/bin/python bench/audit_verify.py --database postgresql \\
        --postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/audit_verify.py --profile   # cProfile of one run of each kind
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date

from _databases import DEFAULT_POSTGRESQL_URL, describe, fresh_database, selected
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, update

import factcheck.models  # noqa: F401 - registers every mapper
from factcheck.audit import chain, checkpoints, verification
from factcheck.audit.changesets import Actor, connection_changeset

try:
    from factcheck.audit import parallel
except ImportError:  # --compare-with code from before parallel verification
    parallel = None  # type: ignore[assignment]
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Appearance, Claim
from factcheck.db import SQLITE_BEGIN, utcnow
from factcheck.sources.models import Source, SourceKind, Stance

claims = Claim.__table__
appearances = Appearance.__table__
sources = Source.__table__

# Prebuilt statements: compiled once, then only their parameters change.
INSERT_CLAIM = insert(claims).returning(claims.c.id)
INSERT_APPEARANCE = insert(appearances)
INSERT_SOURCE = insert(sources).returning(sources.c.id, sort_by_parameter_order=True)
UPDATE_CLAIM = (
    update(claims)
    .where(claims.c.id == bindparam("claim_id"))
    .values(text=bindparam("new_text"), version=claims.c.version + 1)
)
UPDATE_SOURCE = (
    update(sources)
    .where(sources.c.id == bindparam("source_id"))
    .values(stance=bindparam("new_stance"), version=sources.c.version + 1)
)

ACTORS = [
    Actor(name=f"Checker {i}", user_id=i, role=("checker", "editor", "admin")[i % 3], origin="web")
    for i in range(1, 21)
]


def create(connection: Connection, n: int) -> tuple[int, int]:
    """A claim with 1 appearance and 2 sources: 4 changes. Returns (claim id, a source id)."""
    now = utcnow()
    claim_id = connection.execute(
        INSERT_CLAIM,
        {
            "text": f"Claim {n}: unemployment fell by {n % 97} percent in the last quarter.",
            "claimant": f"Politician {n % 50}",
            "claimed_on": date(2026, 1 + n % 12, 1 + n % 28),
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one()
    connection.execute(
        INSERT_APPEARANCE,
        {
            "claim_id": claim_id,
            "url": f"https://news.example.org/story/{n}",
            "quote_exact": f"unemployment fell by {n % 97} percent",
            "created_at": now,
            "updated_at": now,
        },
    )
    source_ids = connection.execute(
        INSERT_SOURCE,
        [
            {
                "claim_id": claim_id,
                "title": f"Labour statistics, quarter {n % 4 + 1}",
                "url": f"https://stats.example.org/labour/{n}",
                "citation": None,
                "publisher": "National statistics office",
                "kind": SourceKind.DATA_SET,
                "stance": Stance.CONTEXT,
                "created_at": now,
                "updated_at": now,
            },
            {
                "claim_id": claim_id,
                "title": f"Interview with economist {n % 30}",
                "url": None,
                "citation": f"Phone interview, reference {n}",
                "publisher": None,
                "kind": SourceKind.EXPERT,
                "stance": Stance.CONTEXT,
                "created_at": now,
                "updated_at": now,
            },
        ],
    ).scalars()
    return claim_id, list(source_ids)[n % 2]


def change(connection: Connection, n: int, claim_id: int, source_id: int) -> None:
    """The claim's text and a source's stance changed: 2 changes."""
    connection.execute(
        UPDATE_CLAIM,
        {"claim_id": claim_id, "new_text": f"Claim {n} (reworded): unemployment fell this quarter."},
    )
    connection.execute(
        UPDATE_SOURCE,
        {"source_id": source_id, "new_stance": Stance.SUPPORTS if n % 3 else Stance.REFUTES},
    )


def actor_for(n: int) -> Actor:
    actor = ACTORS[n % len(ACTORS)]
    return Actor(
        name=actor.name,
        user_id=actor.user_id,
        role=actor.role,
        origin=actor.origin,
        request_id=f"{n:032x}",
        reason="Corrected after a reader's note" if n % 50 == 0 else None,
    )


def count(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        changesets = connection.scalar(select(func.count()).select_from(AuditChangeset)) or 0
        changes = connection.scalar(select(func.count()).select_from(AuditChange)) or 0
    return changesets, changes


def build(engine: Engine, changesets: int, batch: int, mix: str = "request") -> float:
    """Append ``changesets`` changesets through the real open/seal path; return the seconds taken."""
    started = time.perf_counter()
    made = 0
    report_every = max(changesets // 10, 1)
    while made < changesets:
        with engine.begin() as connection:
            for _ in range(min(batch, changesets - made)):
                n = made
                with connection_changeset(connection, actor_for(n)):
                    if mix == "small":
                        # One field of one claim per changeset (1 change), after a first claim.
                        if n == 0:
                            pending = create(connection, n)
                        else:
                            connection.execute(
                                UPDATE_CLAIM, {"claim_id": pending[0], "new_text": f"Text {n}"}
                            )
                    elif n % 2 == 0:
                        pending = create(connection, n)
                    else:
                        change(connection, n, *pending)
                made += 1
                if made % report_every == 0:
                    rate = made / (time.perf_counter() - started)
                    print(f"  built {made:>9,} changesets ({rate:,.0f}/s)", flush=True)
    return time.perf_counter() - started


# split: the full verification by --workers processes (factcheck/audit/parallel.py), in a
# transaction as `factcheck audit verify` opens it (SQLite: BEGIN IMMEDIATE).
KINDS = ("chain", "full", "split")
# The same two, run by the code in --compare-with's directory.
OTHER_KINDS = ("chain*", "full*")
BENCH_DIRECTORY = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Result:
    dialect: str
    server: str
    changesets: int
    changes: int
    build_seconds: float
    built: int
    # kind ("chain" or "full"; "chain*", "full*": the other code) -> seconds of each run
    seconds: dict[str, list[float]] = field(default_factory=dict)
    # kind -> CPU seconds of each run, the worker processes' included
    cpu: dict[str, list[float]] = field(default_factory=dict)

    def best(self, kind: str) -> float:
        return min(self.seconds[kind])

    def median(self, kind: str) -> float:
        return statistics.median(self.seconds[kind])

    def replay_share(self, other: bool = False) -> float:
        """(full - chain-only) / full, best runs: the replay (and the guards and checkpoints)."""
        mark = "*" if other else ""
        return 1 - self.best("chain" + mark) / self.best("full" + mark)


def run_verify(
    engine: Engine, kind: str, expected: int, profile: cProfile.Profile | None = None, workers: int = 1
) -> tuple[float, float]:
    """One verification of the whole history, timed around the call: (seconds, CPU seconds of
    this process and its workers); raises unless it is intact."""
    if kind == "split":
        # As the command opens it: SQLite's write lock, PostgreSQL's one snapshot.
        reader = engine.execution_options(isolation_level="REPEATABLE READ")
        if engine.dialect.name == "sqlite":
            reader = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    else:
        # A read-only transaction, as the admin page's reader sessions use (plain BEGIN on SQLite).
        reader = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
    with reader.connect() as connection:
        if profile:
            profile.enable()
        started, cpu = time.perf_counter(), _cpu_seconds()
        if kind == "chain":
            result = chain.verify(connection)
            problem = result.problem
        elif kind == "split":
            report = verification.verify(connection, workers=workers)
            result, problem = report.chain, report.summary()
            if report.workers != workers:
                raise RuntimeError(f"split verify ran in {report.workers} process(es), not {workers}")
        else:
            report = verification.verify(connection)
            result, problem = report.chain, report.summary()
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        if profile:
            profile.disable()
        connection.rollback()
    if problem or not result.ok or result.checked != expected:
        raise RuntimeError(f"{kind} verify: checked {result.checked} of {expected}; problem: {problem}")
    return seconds, cpu


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def verify_with(directory: str, engine: Engine, kind: str, expected: int) -> tuple[float, float]:
    """run_verify() in a fresh Python that imports ``factcheck`` from ``directory`` (another
    version of the code), on the same database; returns its seconds."""
    url = engine.url.render_as_string(hide_password=False)
    script = (
        "import sys, _databases, audit_verify; from factcheck.db import make_engine; "
        "_databases.configure_audit_key(); engine = make_engine(sys.argv[1]); "
        "print(*audit_verify.run_verify(engine, sys.argv[2], int(sys.argv[3])))"
    )
    # The current directory comes first on sys.path: run in ``directory``, not in this checkout.
    done = subprocess.run(  # noqa: S603 - this Python, this script
        [sys.executable, "-c", script, url, kind, str(expected)],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([directory, BENCH_DIRECTORY])},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{kind} verify with the code in {directory} failed:\n{done.stderr}")
    seconds, cpu = done.stdout.split()[-2:]
    return float(seconds), float(cpu)


def make_checkpoint(engine: Engine) -> None:
    """Sign the head, as ``factcheck audit checkpoint`` does, so the full run checks one."""
    with engine.begin() as connection:
        if checkpoints.make(connection) is None:
            raise RuntimeError("no changeset to make a checkpoint of")


def benchmark(engine: Engine, dialect: str, args: argparse.Namespace) -> Result:
    before, _ = count(engine)
    build_seconds = build(engine, args.changesets, args.batch, args.mix)
    total, changes = count(engine)
    if total != before + args.changesets:
        raise RuntimeError(f"built {total - before} changesets, expected {args.changesets}")
    make_checkpoint(engine)
    result = Result(dialect, describe(engine), total, changes, build_seconds, args.changesets)
    kinds = (*KINDS, *OTHER_KINDS) if args.compare_with else KINDS
    for run in range(args.repeat):
        # chain, full, full, chain, ...: no kind always goes first.
        for kind in kinds if run % 2 == 0 else kinds[::-1]:
            if kind in OTHER_KINDS:
                seconds, cpu = verify_with(args.compare_with, engine, kind.rstrip("*"), total)
            else:
                seconds, cpu = run_verify(engine, kind, total, workers=args.workers)
            result.seconds.setdefault(kind, []).append(seconds)
            result.cpu.setdefault(kind, []).append(cpu)
            print(
                f"  {kind:<6} verify: {total:,} changesets in {seconds:.3f} s ({total / seconds:,.0f}/s), "
                f"CPU {cpu:.3f} s; load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    if args.profile:
        for kind in KINDS:
            profiler = cProfile.Profile()
            run_verify(engine, kind, total, profiler, workers=args.workers)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
            print(f"\n--- cProfile of one {kind} verify on {dialect} (internal time) ---\n{out.getvalue()}")
    return result


def print_table(results: list[Result], repeat: int, mix: str, workers: int, other: str | None = None) -> None:
    print()
    print(f"Audit history verification, --mix {mix}: best of {repeat} runs of each kind (median in brackets)")
    print(f"split: the full verification by {workers} processes; load average {os.getloadavg()}")
    if other:
        print(f"chain*, full*: the code in {other}, on the same history, alternating with this code")
    header = (
        f"{'database':<11}{'changesets':>11}{'changes':>10}{'build s':>9}{'built/s':>9}  "
        f"{'kind':<6}{'best s':>8}{'changesets/s':>23}{'changes/s':>11}{'CPU s':>7}  goal >= 100k/s"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        for kind in r.seconds:
            best, median = r.changesets / r.best(kind), r.changesets / r.median(kind)
            verdict = ("met" if best >= 100_000 else "NOT met") if kind.startswith(("full", "split")) else ""
            if kind == "chain":
                built = f"{r.dialect:<11}{r.changesets:>11,}{r.changes:>10,}{r.build_seconds:>9.1f}"
                built += f"{r.built / r.build_seconds:>9,.0f}"
            else:
                built = " " * 50
            print(
                f"{built}  {kind:<6}{r.best(kind):>8.3f}{best:>13,.0f} [{median:>7,.0f}]"
                f"{r.changes / r.best(kind):>11,.0f}{min(r.cpu[kind]):>7.2f}  {verdict}"
            )
        share = f"{r.replay_share():.0%}" + (f" ({r.replay_share(other=True):.0%} with *)" if other else "")
        print(f"{'':<11}replay share of the full run: {share}; {r.server}")
        for kind in r.seconds:
            runs = ", ".join(f"{s:.3f}" for s in r.seconds[kind])
            print(f"{'':<11}{kind} runs (s): {runs}")
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--changesets", type=int, default=100_000, help="changesets to build (default 100000)"
    )
    parser.add_argument("--batch", type=int, default=1000, help="changesets per build transaction")
    parser.add_argument(
        "--mix",
        choices=("request", "small"),
        default="request",
        help="request: alternately create a claim with 1 appearance and 2 sources / change 2 fields "
        "(3 changes per changeset); small: change one field of a claim (1 change per changeset)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind; the best is reported")
    parser.add_argument(
        "--postgresql-url", default=DEFAULT_POSTGRESQL_URL, help="server to create the database on"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one run of each kind"
    )
    parser.add_argument(
        "--compare-with",
        metavar="DIRECTORY",
        help="also time the factcheck package in DIRECTORY (another commit, e.g. from git archive) "
        "on the same history, alternating with this code (kinds chain*, full*)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=parallel.default_workers(),
        help="processes of the split kind (default: one per CPU, at most 8)",
    )
    args = parser.parse_args(argv)
    if args.changesets < 2 or args.batch < 1 or args.repeat < 1 or args.workers < 2:
        parser.error("need at least 2 changesets, a batch of 1, 1 repeat and 2 workers")
    parallel.MIN_CHANGES = 1  # split small histories too, to time them

    results = []
    for dialect in selected(args.database):
        print(f"{dialect}: building {args.changesets:,} changesets ...", flush=True)
        with fresh_database(dialect, args.postgresql_url) as engine:
            results.append(benchmark(engine, dialect, args))
    print_table(results, args.repeat, args.mix, args.workers, args.compare_with)


if __name__ == "__main__":
    main()
