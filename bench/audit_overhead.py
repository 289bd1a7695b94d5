"""Cost of the audit history on writes: audited vs. unaudited transactions per second.

What it measures
    The same request-sized write transactions, through the app's own session
    factory (``factcheck.db.Database.write_sessions``), with the audit history
    on and with it switched off, on SQLite (files in a temporary directory) and
    on PostgreSQL (databases created and dropped here). Every database is built
    by the real migrations.

    Workload: ``--transactions`` N transactions per mode, alternating
      * "create": a claim with 1 appearance and 2 sources (4 rows inserted),
      * "update": a new session loads that claim, changes its text and the
        stance of one of its sources (2 rows updated),
    each in its own session and committed on its own, like one web request.

    "on"  = a database as migrated: the audit triggers write ``audit_changes``
            for every row, and the changeset events of
            ``factcheck.audit.changesets`` open a changeset at the first write and
            seal it before commit (read its changes back, link it onto the
            chain with the audit key: HMAC-SHA-256, insert; on PostgreSQL
            through the server-side functions ``fc_audit_open`` and
            ``fc_audit_seal``). The benchmark's audit key is installed by
            ``_databases.fresh_database``, as ``create_app`` does in the app.
    "off" = a second database, same schema, with the audit triggers dropped
            (``triggers.remove``) and the changeset bookkeeping switched off.
            Those events are registered on the ``Session`` class itself, so every
            session (subclasses included) gets them and no session factory can opt
            out; the clean switch is to ``event.remove()`` exactly those listeners
            (found by asking SQLAlchemy which ``Session`` listeners
            changesets.py defines) around each off-block and ``event.listen()``
            them again afterwards (see ``audit_events_off``).

    Two databases rather than one toggled back and forth: no DDL between runs
    (which would make the next statements re-plan), and each database only
    grows with its own mode's rows. The modes alternate in blocks of
    ``--block`` transactions (on, off, off, on, ...) so that both see the same
    background load; one run = N transactions per mode, summed over its blocks.
    After an untimed warm-up (``--warmup`` per mode) the run is repeated
    ``--repeat`` times (default 3): the table shows the best (fastest) run of
    each mode, and the median in brackets. Sanity checks: the on-database must
    gain exactly one changeset per transaction and 3 changes per transaction,
    the off-database none, and the on-database's history must verify at the
    end (``verification.verify``: triggers, chain and replay, no finding).

    Reported: transactions/s, application rows written/s (audit rows not
    counted: the same 3 rows per transaction in both modes), the ratio on/off
    of the throughput, and the overhead = extra time per transaction,
    ``t_on / t_off - 1`` (goal: at most 30 %), all from the best runs; then
    the overhead of each run on its own (on against off of the same run,
    whose blocks alternated under the same load), with their best and median:
    on this shared machine that pairing varies less than best against best.

How to run (from the repository root)
    .venv/bin/python bench/audit_overhead.py
    .venv/bin/python bench/audit_overhead.py --database sqlite --transactions 5000
    .venv/bin/python bench/audit_overhead.py --database postgresql \\
        --postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/audit_overhead.py --profile   # + cProfile of N audited transactions
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from _databases import DEFAULT_POSTGRESQL_URL, describe, fresh_database, selected
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, SessionEvents, sessionmaker

import factcheck.models  # noqa: F401 - registers every mapper
from factcheck.audit import changesets, triggers, verification
from factcheck.audit.changesets import Actor, set_actor
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Appearance, Claim
from factcheck.db import Database
from factcheck.sources.models import Source, SourceKind, Stance

# Application rows written per transaction pair: 4 inserts ("create") + 2 updates ("update").
ROWS_PER_PAIR = 6


# --- switching the audit history off ---------------------------------------------------


def _audit_session_listeners() -> list[tuple[str, Callable[..., Any]]]:
    """(event name, function) of every Session-class listener defined in factcheck.audit.changesets.

    Found by asking SQLAlchemy rather than from a hard-coded list, so a listener
    added to changesets.py later is switched off too.
    """
    names = [name for name in dir(SessionEvents) if not name.startswith("_")]
    found = []
    for function in vars(changesets).values():
        if not callable(function) or getattr(function, "__module__", None) != changesets.__name__:
            continue
        for name in names:
            try:
                if event.contains(Session, name, function):
                    found.append((name, function))
            except Exception:  # noqa: S112 - not an event SQLAlchemy can look up
                continue
    return found


@contextmanager
def audit_events_off() -> Iterator[int]:
    """Remove the changeset listeners from ``Session`` for the duration; put them back after."""
    listeners = _audit_session_listeners()
    if not listeners:
        raise RuntimeError("found no audit listeners on Session; has factcheck.audit.changesets changed?")
    for name, function in listeners:
        event.remove(Session, name, function)
    try:
        yield len(listeners)
    finally:
        for name, function in listeners:
            event.listen(Session, name, function)


def set_triggers(engine: Engine, on: bool) -> None:
    with engine.begin() as connection:
        if on:
            triggers.sync(connection)
        else:
            triggers.remove(connection)
        count = len(triggers.existing_triggers(connection))
    if (on and count == 0) or (not on and count):
        raise RuntimeError(f"audit triggers {'missing' if on else 'still present'}: {count}")


# --- the workload ----------------------------------------------------------------------

ACTOR = Actor(name="Bench Checker", user_id=1, role="checker", origin="web")


def create_claim(sessions: sessionmaker[Session], n: int) -> int:
    with sessions() as session:
        set_actor(session, ACTOR)
        claim = Claim(
            text=f"Claim {n}: unemployment fell by {n % 97} percent in the last quarter.",
            claimant=f"Politician {n % 50}",
        )
        claim.appearances.append(
            Appearance(
                url=f"https://news.example.org/story/{n}",
                quote_exact=f"unemployment fell by {n % 97} percent",
            )
        )
        claim.sources.extend(
            [
                Source(
                    title=f"Labour statistics, quarter {n % 4 + 1}",
                    url=f"https://stats.example.org/labour/{n}",
                    publisher="National statistics office",
                    kind=SourceKind.DATA_SET,
                    stance=Stance.CONTEXT,
                ),
                Source(
                    title=f"Interview with economist {n % 30}",
                    citation=f"Phone interview, reference {n}",
                    kind=SourceKind.EXPERT,
                    stance=Stance.CONTEXT,
                ),
            ]
        )
        session.add(claim)
        session.commit()
        return claim.id


def update_claim(sessions: sessionmaker[Session], claim_id: int, n: int) -> None:
    with sessions() as session:
        set_actor(session, ACTOR)
        claim = session.get(Claim, claim_id)
        assert claim is not None
        claim.text = f"Claim {n} (reworded): unemployment fell by {n % 97} percent this quarter."
        # Always a real change (sources are created with the stance CONTEXT).
        claim.sources[n % 2].stance = Stance.SUPPORTS if n % 3 else Stance.REFUTES
        session.commit()


def run_workload(sessions: sessionmaker[Session], pairs: int, start: int) -> float:
    """Run ``pairs`` create+update pairs; return the elapsed seconds."""
    started = time.perf_counter()
    for n in range(start, start + pairs):
        claim_id = create_claim(sessions, n)
        update_claim(sessions, claim_id, n)
    return time.perf_counter() - started


def changeset_count(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        changesets_ = connection.scalar(select(func.count()).select_from(AuditChangeset))
        changes = connection.scalar(select(func.count()).select_from(AuditChange))
    return changesets_ or 0, changes or 0


# --- the benchmark -----------------------------------------------------------------------


@dataclass
class Mode:
    name: str
    seconds: list[float]

    def best(self) -> float:
        return min(self.seconds)

    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Result:
    dialect: str
    server: str
    transactions: int
    on: Mode
    off: Mode

    @property
    def ratio(self) -> float:
        """Audited throughput as a fraction of unaudited throughput (best runs)."""
        return self.off.best() / self.on.best()

    @property
    def overhead(self) -> float:
        """Extra time per transaction with the audit history on, in percent (best runs)."""
        return (self.on.best() / self.off.best() - 1) * 100

    def paired_overheads(self) -> list[float]:
        """The overhead of each run, on against off of the same run (their blocks alternate,
        so both saw the same background load): steadier than best against best."""
        return [(on / off - 1) * 100 for on, off in zip(self.on.seconds, self.off.seconds, strict=True)]


class Target:
    """One database, run in one mode."""

    def __init__(self, engine: Engine, on: bool) -> None:
        self.engine = engine
        self.on = on
        self.sessions = Database(engine).write_sessions
        self.next_n = 0
        self.pairs_run = 0
        set_triggers(engine, on)
        self.baseline = changeset_count(engine)

    def run(self, pairs: int) -> float:
        start, self.next_n = self.next_n, self.next_n + pairs
        self.pairs_run += pairs
        if self.on:
            return run_workload(self.sessions, pairs, start)
        with audit_events_off():
            return run_workload(self.sessions, pairs, start)

    def check(self) -> None:
        changesets_, changes = changeset_count(self.engine)
        expected = self.baseline
        if self.on:
            expected = (expected[0] + 2 * self.pairs_run, expected[1] + ROWS_PER_PAIR * self.pairs_run)
        if (changesets_, changes) != expected:
            mode = "on" if self.on else "off"
            raise RuntimeError(f"{mode}: changesets/changes {(changesets_, changes)}, expected {expected}")
        if self.on:
            with self.engine.connect() as connection:
                report = verification.verify(connection)
            if not report.ok or report.chain.checked != changesets_:
                raise RuntimeError(f"the history does not verify after the benchmark: {report.summary()}")


def benchmark(on_engine: Engine, off_engine: Engine, dialect: str, args: argparse.Namespace) -> Result:
    on, off = Target(on_engine, True), Target(off_engine, False)
    pairs = args.transactions // 2
    block = max(args.block // 2, 1)
    on.run(max(args.warmup // 2, 1))
    off.run(max(args.warmup // 2, 1))
    on_mode, off_mode = Mode("on", []), Mode("off", [])
    for _ in range(args.repeat):
        seconds = {True: 0.0, False: 0.0}
        done = 0
        while done < pairs:
            size = min(block, pairs - done)
            # on, off, off, on, on, off, ...: neither mode always goes first.
            order = (on, off) if (done // block) % 2 == 0 else (off, on)
            for target in order:
                seconds[target.on] += target.run(size)
            done += size
        on_mode.seconds.append(seconds[True])
        off_mode.seconds.append(seconds[False])
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        on.run(pairs)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        print(f"\n--- cProfile of {pairs * 2} audited transactions on {dialect} (cumulative) ---")
        print(out.getvalue())
    on.check()
    off.check()
    return Result(dialect, describe(on_engine), pairs * 2, on_mode, off_mode)


def print_table(results: list[Result], repeat: int) -> None:
    print()
    print(f"Audit overhead: best of {repeat} runs (median in brackets); rows = application rows")
    header = f"{'database':<11}{'mode':<5}{'txns':>7}{'seconds':>9}{'txn/s':>17}{'rows/s':>19}"
    print(header)
    print("-" * len(header))
    for result in results:
        rows = result.transactions // 2 * ROWS_PER_PAIR
        for mode in (result.off, result.on):
            best, median = result.transactions / mode.best(), result.transactions / mode.median()
            print(
                f"{result.dialect:<11}{mode.name:<5}{result.transactions:>7}{mode.best():>9.2f}"
                f"{best:>9.0f} [{median:>5.0f}]"
                f"{rows / mode.best():>10.0f} [{rows / mode.median():>6.0f}]"
            )
        verdict = "met" if result.overhead <= 30 else "NOT met"
        print(
            f"{result.dialect:<11}on/off throughput ratio {result.ratio:.2f}, "
            f"overhead {result.overhead:+.1f} % per transaction (goal <= 30 %: {verdict})"
        )
        paired = result.paired_overheads()
        runs = ", ".join(f"{overhead:+.1f}" for overhead in paired)
        print(
            f"{'':<11}each run, on against off of the same run: {runs} %; "
            f"best {min(paired):+.1f} %, median {statistics.median(paired):+.1f} %"
        )
        print(f"{'':<11}({result.server})")
    print()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--transactions", type=int, default=2000, help="transactions per timed run (half create, half update)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per mode; the best is reported")
    parser.add_argument("--block", type=int, default=100, help="transactions per block; the modes alternate")
    parser.add_argument("--warmup", type=int, default=200, help="untimed transactions per mode first")
    parser.add_argument(
        "--postgresql-url", default=DEFAULT_POSTGRESQL_URL, help="server to create the database on"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of N audited transactions"
    )
    args = parser.parse_args(argv)
    if args.transactions < 2 or args.repeat < 1 or args.block < 2:
        parser.error("need at least 2 transactions, 1 repeat and blocks of 2")

    results = []
    for dialect in selected(args.database):
        print(f"{dialect}: {args.transactions} transactions x {args.repeat} runs per mode ...", flush=True)
        with (
            fresh_database(dialect, args.postgresql_url) as on_engine,
            fresh_database(dialect, args.postgresql_url) as off_engine,
        ):
            results.append(benchmark(on_engine, off_engine, dialect, args))
    print_table(results, args.repeat)


if __name__ == "__main__":
    main()
