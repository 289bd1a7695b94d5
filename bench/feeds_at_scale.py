"""The public ClaimReview feed and the sitemap on a large database: time to first byte, total, memory.

What it measures
    Whole requests through the Flask test client (no micro-cache: every request
    goes through Flask and the database) on a database filled by
    ``python -m bench.generate``:

      * ``/claimreview.json`` (every published claim's ClaimReview, streamed);
      * ``/sitemap.xml`` (a ``urlset``, or past 50,000 URLs the sitemap index)
        and, when it is an index, its first and last page ``/sitemaps/<n>.xml``;
      * the same requests again with the ``ETag`` they gave (``If-None-Match``): 304.

    For each: time to the first chunk of the body, total time to read it all,
    its size, and the peak of Python memory allocated while it ran (tracemalloc,
    measured in a separate run, since tracing slows Python down). Each timing is
    the best of ``--runs`` (3), the median in brackets.

How to run (from the repository root)
    .venv/bin/python -m bench.generate --claims 100000 --database sqlite:////tmp/big.sqlite
    .venv/bin/python bench/feeds_at_scale.py --database sqlite:////tmp/big.sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass

from flask.testing import FlaskClient

from factcheck import create_app
from factcheck.db import get_database


@dataclass
class Measure:
    first_byte: float
    total: float
    size: int
    status: int
    etag: str | None


def fetch(client: FlaskClient, path: str, etag: str | None = None) -> Measure:
    headers = {"If-None-Match": etag} if etag else {}
    began = time.perf_counter()
    response = client.get(path, headers=headers, buffered=False)
    first_byte = None
    size = 0
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - began
        size += len(chunk)
    total = time.perf_counter() - began
    response.close()
    return Measure(
        first_byte if first_byte is not None else total,
        total,
        size,
        response.status_code,
        response.headers.get("ETag"),
    )


def peak_memory(client: FlaskClient, path: str) -> float:
    """MB of Python memory allocated at the worst moment of the request."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fetch(client, path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 1e6


def summary(values: list[float]) -> str:
    return f"{min(values) * 1000:9.1f} [{statistics.median(values) * 1000:.1f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="a database filled by bench.generate")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="factcheck-feeds-") as instance:
        app = create_app(
            {
                "DATABASE_URL": args.database,
                "INSTANCE_PATH": instance,
                "PUBLIC_URL": "https://factcheck.example.org",
                "PUBLIC_MICROCACHE_SECONDS": 0,
                # Every request renders: the in-process page cache would answer repeats.
                "PUBLIC_LIST_CACHE_SIZE": 0,
            }
        )
        client = app.test_client()
        index = client.get("/sitemap.xml").get_data(as_text=True)
        paths = ["/claimreview.json", "/sitemap.xml"]
        pages = index.count("<sitemap>")
        if pages:
            paths += ["/sitemaps/1.xml", f"/sitemaps/{pages}.xml"]
        engine = get_database(app).engine
        print(f"{engine.dialect.name}, {os.path.basename(args.database)}; sitemap pages: {pages or 1}")
        print(
            f"{'request':<24} {'status':>6} {'MB':>8} {'first byte ms':>20} {'total ms':>20} {'peak MB':>8}"
        )
        for path in paths:
            runs = [fetch(client, path) for _ in range(args.runs)]
            memory = peak_memory(client, path)
            print(
                f"{path:<24} {runs[0].status:>6} {runs[0].size / 1e6:8.2f} "
                f"{summary([run.first_byte for run in runs]):>20} {summary([run.total for run in runs]):>20} "
                f"{memory:8.1f}"
            )
            again = [fetch(client, path, runs[0].etag) for _ in range(args.runs)]
            print(
                f"{'  ... If-None-Match':<24} {again[0].status:>6} {again[0].size / 1e6:8.2f} "
                f"{summary([run.first_byte for run in again]):>20} {summary([run.total for run in again]):>20}"
            )
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
