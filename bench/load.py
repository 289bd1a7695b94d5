"""A bounded mixed load on gunicorn and PostgreSQL, with the database restarted in the middle.

Readers, reviewers and editors (threads, each with its own HTTP session) use the
app for ``--seconds`` against gunicorn with ``--workers`` sync workers, all on
127.0.0.1. Halfway through, the PostgreSQL server is stopped and started again.
At the end the script reports:

- requests per second by kind, and every status code seen;
- 5xx answers: only 503 is allowed, and only while the database is down (from
  the stop until it accepts connections again, plus ``GRACE_SECONDS`` for the
  requests that were already waiting); any other is *unexpected*;
- writes (reviewers' comments, editors' sources, each with a unique marker):
  those the app acknowledged (a redirect after the form) against those present
  in the database afterwards, which must be the same;
- ``factcheck audit verify`` on the database afterwards, which must pass.

The PostgreSQL server is the script's own: a throwaway cluster made with
``initdb`` (from /usr/lib/postgresql/*/bin) in a temporary directory, on a free
port of 127.0.0.1, run as the ``postgres`` system user when the script runs as
root, and removed at the end. The shared server on 5432 is never touched.

    .venv/bin/python bench/load.py                        # 60 s, 4 workers
    .venv/bin/python bench/load.py --seconds 10 --workers 2 --readers 2 --reviewers 1 --editors 1

Exits 1 when an unexpected 5xx was seen, a write is missing or verification fails.
The requests go straight to the local gunicorn (``requests``): this is a client of
the app, not the app's own outgoing traffic (factcheck/web/outgoing.py).
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from public_page import VENV_BIN, free_port

# A 503 may still come back this long after the database accepts connections again:
# requests that started during the outage finish with it.
GRACE_SECONDS = 2.0
# Not secrets: the cluster and its database are removed at the end of the run.
SECRET_KEY = "factcheck-load-benchmark-secret-key-not-for-production"  # noqa: S105 - throwaway
AUDIT_KEY = "factcheck-load-benchmark-audit-key-not-for-production-use"
DEMO = {
    "reviewer": ("anna@example.org", "demo-reviewer-password"),
    "editor": ("editor@example.org", "demo-editor-password"),
}
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# --- a throwaway PostgreSQL cluster ------------------------------------------------


def _postgresql_bin() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("initdb not found in /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return os.path.dirname(found[-1])


class Cluster:
    """A PostgreSQL cluster of this run only, in ``directory``, listening on 127.0.0.1:``port``."""

    def __init__(self, directory: str) -> None:
        self.bin = _postgresql_bin()
        self.directory = directory
        self.data = os.path.join(directory, "data")
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        # PostgreSQL refuses to run as root: as root, run it as the postgres system user.
        self.user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.user else []
        subprocess.run(  # noqa: S603 - fixed programs from the PostgreSQL installation
            [*prefix, *command], check=True, capture_output=True, text=True
        )

    def init(self) -> None:
        if self.user:
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        self._run(
            os.path.join(self.bin, "initdb"), "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-o", options, "-w", "-l",
                  os.path.join(self.directory, "server.log"), "start")  # fmt: skip

    def stop(self) -> None:
        self._run(os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop")

    def ready(self) -> bool:
        probe = [os.path.join(self.bin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(probe, check=False).returncode == 0  # noqa: S603


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    directory = tempfile.mkdtemp(prefix="factcheck-load-")
    cluster = Cluster(directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            if os.path.exists(os.path.join(cluster.data, "postmaster.pid")):
                cluster.stop()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def demo_app(cluster: Cluster) -> Iterator[dict[str, str]]:
    """The environment of an app on the cluster's database, migrated and loaded with ``factcheck demo``."""
    with tempfile.TemporaryDirectory(prefix="factcheck-load-instance-") as instance:
        env = dict(
            os.environ,
            FACTCHECK_INSTANCE_PATH=instance,
            FACTCHECK_DATABASE_URL=cluster.url,
            FACTCHECK_SECRET_KEY=SECRET_KEY,
            FACTCHECK_AUDIT_KEY=AUDIT_KEY,
            # Every client signs in from 127.0.0.1; the throttle is for strangers' guesses.
            FACTCHECK_LOGIN_THROTTLE="1000 per minute",
        )
        factcheck = os.path.join(VENV_BIN, "factcheck")
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run([factcheck, *command], env=env, check=True, capture_output=True)  # noqa: S603
        yield env


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: str) -> Iterator[str]:
    """gunicorn with ``workers`` sync workers on a free port of 127.0.0.1; its log (the app's
    warnings about the database outage among them) goes to the file ``log``."""
    port = free_port()
    command = [os.path.join(VENV_BIN, "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with open(log, "ab") as output:
        process = subprocess.Popen(  # noqa: S603 - the venv's own gunicorn
            [*command, "factcheck.wsgi:app"], env=env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # One session, closed: a probe that times out leaves no socket open.
        with requests.Session() as probe:
            for _ in range(300):
                try:
                    probe.get(base + "/healthz", timeout=1).close()
                    break
                except requests.RequestException:
                    time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


# --- the people --------------------------------------------------------------------


@dataclass
class Tally:
    """What every client saw; threads add to it under the lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    # (kind, status, sent at, answered at) of every 5xx.
    server_errors: list[tuple[str, int, float, float]] = field(default_factory=list)
    connection_errors: int = 0
    acknowledged: set[str] = field(default_factory=set)

    def record(self, kind: str, status: int, started: float) -> None:
        with self.lock:
            self.requests[kind] += 1
            self.statuses[status] += 1
            if status >= 500:
                self.server_errors.append((kind, status, started, time.monotonic()))


class Person:
    def __init__(self, base: str, tally: Tally, run: str, name: str) -> None:
        self.base, self.tally, self.run, self.name = base, tally, run, name
        self.http = requests.Session()
        self.count = 0

    def get(self, kind: str, path: str) -> requests.Response | None:
        return self._send(kind, "GET", path)

    def _send(self, kind: str, method: str, path: str, **kwargs: object) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.http.request(
                method, self.base + path, allow_redirects=False, timeout=30, **kwargs
            )
        except requests.RequestException:
            with self.tally.lock:
                self.tally.connection_errors += 1
            return None
        self.tally.record(kind, response.status_code, started)
        return response

    def sign_in(self, email: str, password: str) -> None:
        form = self.get("sign-in", "/login")
        token = TOKEN.search(form.text) if form is not None else None
        response = self._send(
            "sign-in",
            "POST",
            "/login",
            data={"email": email, "password": password, "csrf_token": token.group(1) if token else ""},
        )
        if response is None or response.status_code != 302:
            raise RuntimeError(f"{self.name} could not sign in as {email}")

    def write(self, kind: str, form_path: str, values: Callable[[str], dict[str, str]]) -> None:
        """Open the form, send it with a new marker; a redirect acknowledges the write."""
        form = self.get(kind + " form", form_path)
        token = TOKEN.search(form.text) if form is not None and form.status_code == 200 else None
        if token is None:
            return
        self.count += 1
        marker = f"load-{self.run}-{self.name}-{self.count}"
        response = self._send(kind, "POST", form_path, data={"csrf_token": token.group(1), **values(marker)})
        if response is not None and response.status_code == 302:
            with self.tally.lock:
                self.tally.acknowledged.add(marker)


def reader(person: Person, targets: dict[str, object], stop: threading.Event) -> None:
    pages = ["/checks/", "/checks/?q=missile", str(targets["check"]), "/methodology"]
    while not stop.is_set():
        person.get("reader page", random.choice(pages))


def reviewer(person: Person, targets: dict[str, object], stop: threading.Event) -> None:
    claims: list[int] = targets["claims"]  # type: ignore[assignment]
    while not stop.is_set():
        claim = random.choice(claims)
        person.get("reviewer page", random.choice(["/claims/", f"/claims/{claim}", "/claims/mine"]))
        if random.random() < 0.3:
            person.write(
                "comment",
                f"/claims/{claim}/comments/new",
                lambda marker: {"body": f"{marker}: the NATO statement of 4 December 2018 agrees."},
            )


def editor(person: Person, targets: dict[str, object], stop: threading.Event) -> None:
    claims: list[int] = targets["claims"]  # type: ignore[assignment]
    while not stop.is_set():
        claim = random.choice(claims)
        person.get("editor page", random.choice(["/desk/submissions", f"/claims/{claim}", "/audit/"]))
        if random.random() < 0.2:
            person.write(
                "source",
                f"/claims/{claim}/sources/new",
                lambda marker: {
                    "title": marker,
                    "url": "https://www.nato.int/cps/en/natohq/official_texts_161122.htm",
                    "publisher": "NATO Foreign Ministers",
                    "kind": "official_statement",
                    "stance": "supports",
                },
            )


def _act(
    role: Callable[[Person, dict[str, object], threading.Event], None],
    person: Person,
    targets: dict[str, object],
    stop: threading.Event,
) -> None:
    try:
        role(person, targets, stop)
    finally:
        person.http.close()


# --- the run -------------------------------------------------------------------------


@dataclass
class Result:
    seconds: float
    requests: Counter[str]
    statuses: Counter[int]
    outage_seconds: float
    unexpected_5xx: list[tuple[str, int, float]]
    allowed_503: int
    connection_errors: int
    acknowledged: int
    present: int
    missing: list[str]
    unacknowledged: list[str]
    verify_ok: bool
    verify_output: str
    log: str

    @property
    def ok(self) -> bool:
        return (
            not self.unexpected_5xx
            and not self.missing
            and not self.unacknowledged
            and not self.connection_errors
            and self.verify_ok
        )

    def describe(self) -> str:
        lines = [f"{sum(self.requests.values())} requests in {self.seconds:.1f} s"]
        lines += [
            f"  {kind:<16} {count:>7}  {count / self.seconds:8.1f}/s"
            for kind, count in sorted(self.requests.items())
        ]
        lines.append("statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items())))
        lines.append(f"database outage: {self.outage_seconds:.2f} s (stop until it accepts connections)")
        lines.append(f"503 during the outage: {self.allowed_503}; unexpected 5xx: {len(self.unexpected_5xx)}")
        lines += [
            f"  unexpected: {kind} {status} at +{at:.2f} s" for kind, status, at in self.unexpected_5xx[:20]
        ]
        lines.append(f"connection errors (gunicorn unreachable): {self.connection_errors}")
        lines.append(f"writes acknowledged: {self.acknowledged}; present afterwards: {self.present}")
        if self.missing:
            lines.append(f"  acknowledged but missing: {self.missing[:20]}")
        if self.unacknowledged:
            lines.append(f"  present but not acknowledged: {self.unacknowledged[:20]}")
        lines.append(f"factcheck audit verify: {'ok' if self.verify_ok else 'FAILED'}")
        lines.append(f"gunicorn's log: {self.log}")
        if not self.verify_ok:
            lines.append(self.verify_output)
        return "\n".join(lines)


def _targets(url: str) -> dict[str, object]:
    from sqlalchemy import create_engine, select

    import factcheck.models  # noqa: F401
    from factcheck.claims.models import Claim, ClaimState

    engine = create_engine(url)
    with engine.connect() as connection:
        slug = connection.scalar(select(Claim.slug).where(Claim.slug.is_not(None)).limit(1))
        claims = connection.scalars(select(Claim.id).where(Claim.state != ClaimState.DISMISSED)).all()
    engine.dispose()
    return {"check": f"/checks/{slug}", "claims": list(claims)}


def _written(url: str, run: str) -> set[str]:
    from sqlalchemy import create_engine, select

    import factcheck.models  # noqa: F401
    from factcheck.discussion.models import Comment
    from factcheck.sources.models import Source

    prefix = f"load-{run}-"
    engine = create_engine(url)
    with engine.connect() as connection:
        bodies = connection.scalars(select(Comment.body).where(Comment.body.startswith(prefix))).all()
        titles = connection.scalars(select(Source.title).where(Source.title.startswith(prefix))).all()
    engine.dispose()
    return {body.split(":", 1)[0] for body in bodies} | set(titles)


def run(seconds: float, workers: int, readers: int, reviewers: int, editors: int, outage: float) -> Result:
    run_id = uuid.uuid4().hex[:8]
    log = os.path.join(tempfile.gettempdir(), f"factcheck-load-{run_id}-gunicorn.log")
    say("a throwaway PostgreSQL cluster")
    with throwaway_cluster() as cluster, demo_app(cluster) as env:
        say(f"migrated and loaded with the demo; gunicorn with {workers} workers")
        url = env["FACTCHECK_DATABASE_URL"]
        targets = _targets(url)
        tally = Tally()
        stop = threading.Event()
        with gunicorn(env, workers, log) as base:
            say(f"load for {seconds:g} s; the database restarts at {seconds / 2:g} s")
            people = [(reader, f"reader{i}") for i in range(readers)]
            people += [(reviewer, f"reviewer{i}") for i in range(reviewers)]
            people += [(editor, f"editor{i}") for i in range(editors)]
            threads = []
            for role, name in people:
                person = Person(base, tally, run_id, name)
                # Before the clock starts, so that no sign-in meets the outage on a slow machine.
                if role is not reader:
                    person.sign_in(*DEMO[role.__name__])
                threads.append(threading.Thread(target=_act, args=(role, person, targets, stop)))
            began = time.monotonic()
            for thread in threads:
                thread.start()
            time.sleep(seconds / 2)
            down_at = time.monotonic()
            cluster.stop()
            time.sleep(outage)
            cluster.start()
            while not cluster.ready():
                time.sleep(0.05)
            up_at = time.monotonic()
            time.sleep(max(0.0, began + seconds - time.monotonic()))
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            elapsed = time.monotonic() - began
        say("factcheck audit verify")
        verify = subprocess.run(  # noqa: S603 - the venv's own command
            [os.path.join(VENV_BIN, "factcheck"), "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        present = _written(url, run_id)
    # A 503 is allowed for a request that was still running when the database stopped.
    allowed = [
        e for e in tally.server_errors if e[1] == 503 and e[3] >= down_at and e[2] <= up_at + GRACE_SECONDS
    ]
    unexpected = [
        (kind, status, sent - began)
        for kind, status, sent, _ in tally.server_errors
        if (kind, status, sent, _) not in allowed
    ]
    return Result(
        seconds=elapsed,
        requests=tally.requests,
        statuses=tally.statuses,
        outage_seconds=up_at - down_at,
        unexpected_5xx=unexpected,
        allowed_503=len(allowed),
        connection_errors=tally.connection_errors,
        acknowledged=len(tally.acknowledged),
        present=len(present),
        missing=sorted(tally.acknowledged - present),
        unacknowledged=sorted(present - tally.acknowledged),
        verify_ok=verify.returncode == 0,
        verify_output=(verify.stdout + verify.stderr).strip(),
        log=log,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--reviewers", type=int, default=2)
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--outage", type=float, default=3.0, help="seconds the database stays down")
    args = parser.parse_args()
    result = run(args.seconds, args.workers, args.readers, args.reviewers, args.editors, args.outage)
    print(result.describe())
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
