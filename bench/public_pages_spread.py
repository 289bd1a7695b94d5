"""Requests per second of verdict pages spread uniformly over every published check, against hello world.

The database is one made by ``bench/generate.py`` (``--published 1.0`` makes every claim a
published check). The bench renders the stored pages for the address it serves at
(``PUBLIC_URL``; ``factcheck pages rebuild``, timed), then loads the factcheck app and the
bare hello-world app (``bench/hello_app.py``) one after the other, the same way as
``public_page.py``: gunicorn on 127.0.0.1, ``wrk`` 2 threads. Each of the app's requests
asks for a published check chosen uniformly at random (a Lua script), as a reader's
browser does the first time: a plain GET, no cookie, no conditional header.

    .venv/bin/python -m bench.generate --claims 10000 --published 1.0 --database sqlite:////tmp/b10k.sqlite
    .venv/bin/python bench/public_pages_spread.py --database-url sqlite:////tmp/b10k.sqlite

Needs ``wrk`` (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from public_page import VENV_BIN, gunicorn, wrk

LUA = """
local paths = {}
for line in io.lines(os.getenv("FACTCHECK_BENCH_PATHS")) do paths[#paths + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""


def published_paths(url: str) -> list[str]:
    from sqlalchemy import create_engine, select

    import factcheck.models  # noqa: F401
    from factcheck.claims.models import Claim

    engine = create_engine(url)
    with engine.connect() as connection:
        slugs = list(connection.scalars(select(Claim.slug).where(Claim.slug.is_not(None))))
    engine.dispose()
    return [f"/checks/{slug}" for slug in slugs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a database made by bench/generate.py")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument(
        "--port", type=int, default=8123, help="where the app listens (the pages are rendered for it)"
    )
    parser.add_argument("--microcache", type=int, default=5, help="PUBLIC_MICROCACHE_SECONDS (5; 0: off)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    port = args.port
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as directory:
        env = dict(
            os.environ,
            FACTCHECK_INSTANCE_PATH=os.environ.get("FACTCHECK_INSTANCE_PATH", directory),
            FACTCHECK_DATABASE_URL=args.database_url,
            FACTCHECK_PUBLIC_URL=f"http://127.0.0.1:{port}",
            FACTCHECK_PUBLIC_MICROCACHE_SECONDS=str(args.microcache),
        )
        paths = published_paths(args.database_url)
        started = time.perf_counter()
        subprocess.run([os.path.join(VENV_BIN, "factcheck"), "pages", "rebuild"], env=env, check=True)  # noqa: S603
        rebuild = time.perf_counter() - started
        paths_file = os.path.join(directory, "paths.txt")
        with open(paths_file, "w", encoding="utf-8") as handle:
            handle.write("\n".join(paths) + "\n")
        script = os.path.join(directory, "spread.lua")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(LUA)
        env["FACTCHECK_BENCH_PATHS"] = paths_file
        os.environ["FACTCHECK_BENCH_PATHS"] = paths_file
        with gunicorn("factcheck.wsgi:app", env, args.workers, "sync", port) as base:
            spread = wrk(base + "/", args.duration, args.connections, ["-s", script])
        with gunicorn("bench.hello_app:app", env, args.workers, "sync") as base:
            hello = wrk(base + "/", args.duration, args.connections)

    dialect = args.database_url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"gunicorn, {args.workers} sync workers, wrk {args.connections} connections, {args.duration} s, "
        f"{dialect}, {len(paths):,} published checks, micro-cache {args.microcache} s"
    )
    print(f"rebuild (factcheck pages rebuild, outdated pages only): {rebuild:.1f} s")
    print(f"| hello world | {hello:,.0f} |")
    print(f"| verdict pages spread over {len(paths):,} checks | {spread:,.0f} |")
    print(f"ratio spread / hello world: {spread / hello:.2f} (goal >= 0.8)")


if __name__ == "__main__":
    main()
