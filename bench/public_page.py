"""Requests per second of a published verdict page under gunicorn, against a hello-world route.

Both apps are served the same way (gunicorn, the same worker class and count,
on 127.0.0.1) and loaded by ``wrk`` with the same connections and duration, one
after the other so they never compete for the CPU. The factcheck app runs on a
fresh SQLite (or PostgreSQL) database loaded with ``factcheck demo``; the page
measured is the demo's published verdict, ``/checks/<slug>``, as a reader's
browser asks for it (a plain GET, no cookies, no conditional headers), so the
figure is the full response, not a 304. It is measured with the micro-cache on
(the default, factcheck/public/microcache.py) and off (every request through
Flask, one query and the in-app page cache).

    .venv/bin/python bench/public_page.py                 # SQLite, 2 workers, 15 s per run
    .venv/bin/python bench/public_page.py --database postgresql --workers 4 --duration 30

Needs ``wrk`` (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)
DEFAULT_POSTGRESQL_URL = os.environ.get(
    "FACTCHECK_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(
    app: str, env: dict[str, str], workers: int, worker_class: str, port: int | None = None
) -> Iterator[str]:
    port = port or free_port()
    command = [
        os.path.join(VENV_BIN, "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed command
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()  # noqa: S310 - local address
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def wrk(url: str, duration: int, connections: int, script: list[str] | None = None) -> float:
    """Requests per second; ``script``: wrk's ``-s FILE`` (e.g. a Lua script spreading the paths)."""
    extra = script or []
    # Warm up (imports, caches, connection pools), then measure.
    subprocess.run(["wrk", "-t1", f"-c{connections}", "-d2s", *extra, url], check=True, capture_output=True)  # noqa: S603, S607
    result = subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *extra, url],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    if "Non-2xx" in result.stdout:
        raise SystemExit(f"{url} answered errors:\n{result.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if not match:
        raise SystemExit(result.stdout)
    return float(match.group(1))


@contextmanager
def demo_database(kind: str, postgresql_url: str) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as directory:
        env = dict(os.environ, FACTCHECK_INSTANCE_PATH=directory)
        dropper = None
        if kind == "sqlite":
            env["FACTCHECK_DATABASE_URL"] = "sqlite:///" + os.path.join(directory, "bench.sqlite")
        else:
            from sqlalchemy import create_engine, text
            from sqlalchemy.engine import make_url

            name = f"bench_{uuid.uuid4().hex[:12]}"
            admin = create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            env["FACTCHECK_DATABASE_URL"] = (
                make_url(postgresql_url).set(database=name).render_as_string(False)
            )

            def dropper() -> None:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()

        try:
            factcheck = os.path.join(VENV_BIN, "factcheck")
            subprocess.run([factcheck, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
            subprocess.run([factcheck, "demo"], env=env, check=True, capture_output=True)  # noqa: S603
            yield env
        finally:
            if dropper:
                dropper()


def published_path(env: dict[str, str]) -> str:
    from sqlalchemy import create_engine, select

    import factcheck.models  # noqa: F401
    from factcheck.claims.models import Claim

    engine = create_engine(env["FACTCHECK_DATABASE_URL"])
    with engine.connect() as connection:
        slug = connection.scalar(select(Claim.slug).where(Claim.slug.is_not(None)).limit(1))
    engine.dispose()
    if not slug:
        raise SystemExit("the demo has no published claim")
    return f"/checks/{slug}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL_URL)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    with demo_database(args.database, args.postgresql_url) as env:
        path = published_path(env)
        with gunicorn("factcheck.wsgi:app", env, args.workers, args.worker_class) as base:
            page = wrk(base + path, args.duration, args.connections)
        # The same page with the micro-cache off: every request goes through Flask, one
        # small query and the in-app page cache.
        uncached_env = dict(env, FACTCHECK_PUBLIC_MICROCACHE_SECONDS="0")
        with gunicorn("factcheck.wsgi:app", uncached_env, args.workers, args.worker_class) as base:
            through_app = wrk(base + path, args.duration, args.connections)
        with gunicorn("bench.hello_app:app", env, args.workers, args.worker_class) as base:
            hello = wrk(base + "/", args.duration, args.connections)

    print(
        f"gunicorn, {args.workers} {args.worker_class} workers, wrk {args.connections} connections, "
        f"{args.duration} s, {args.database}"
    )
    print("| route | requests/s |")
    print("|---|---|")
    print(f"| hello world (bare Flask) | {hello:,.0f} |")
    print(f"| verdict page {path} | {page:,.0f} |")
    print(f"| the same, micro-cache off | {through_app:,.0f} |")
    print(f"ratio verdict page / hello world: {page / hello:.2f} (goal >= 0.8)")
    print(f"ratio with the micro-cache off: {through_app / hello:.2f}")


if __name__ == "__main__":
    main()
