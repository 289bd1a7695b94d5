"""JSON API response times: create a claim, read one, list a page.

What it measures
    A fresh, migrated database (SQLite file or a PostgreSQL database created and
    dropped here), an editor with a write token, one document. Then, through the
    Flask test client with ``Authorization: Bearer`` (so each figure is the whole
    request: token check, validation, the operation, the audit changeset, JSON):
      * create: ``POST /api/v1/claims`` with a quote from the document (``--claims``
        of them, each timed; they are the data the reads then run on);
      * read: ``GET /api/v1/claims/{id}`` of random claims (``--runs``);
      * list: ``GET /api/v1/claims?limit=50`` (newest first), the first page and the
        page after following ``next`` 5 times, and a search ``?q=tariffs`` (``--runs`` each).
    Median (p50) and 95th percentile (p95) in milliseconds.

How to run (from the repository root)
    .venv/bin/python bench/api_latency.py
    .venv/bin/python bench/api_latency.py --database sqlite --claims 1000 --runs 200
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from _databases import BENCH_AUDIT_KEY, DEFAULT_POSTGRESQL_URL, describe, fresh_database, selected
from sqlalchemy.orm import Session

from factcheck import create_app
from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role, TokenScope
from factcheck.api import tokens
from factcheck.audit.changesets import Actor, set_actor

ARTICLE = " ".join(
    f"Paragraph {n}: the minister said tariffs on steel rose by {n} percent last year, "
    f"while exports fell by {n % 7} percent."
    for n in range(1, 200)
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(call: Callable[[], Any], expected: int) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    assert response.status_code == expected, (response.status_code, response.data[:300])
    return elapsed


def run(dialect: str, postgresql_url: str, claims: int, runs: int, seed: int) -> None:
    rng = random.Random(seed)
    with fresh_database(dialect, postgresql_url) as engine, tempfile.TemporaryDirectory() as instance:
        url = engine.url.render_as_string(hide_password=False)
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench-secret-key-long-enough-for-the-app-to-start",
                "AUDIT_KEY": BENCH_AUDIT_KEY,
                "AUDIT_CHECKPOINT_EVERY": 0,
                "INSTANCE_PATH": instance,
                "API_RATE_LIMIT": "1000000 per minute",
            }
        )
        with Session(engine) as session:
            set_actor(session, Actor.system("bench setup", "bench"))
            editor = accounts.create_user(
                session,
                email="bench-editor@example.org",
                name="Bench Editor",
                password="x" * 12,
                role=Role.EDITOR,
            )
            token = tokens.issue_token(session, editor, name="bench", scope=TokenScope.WRITE).token
            session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        document = client.post("/api/v1/documents", headers=headers, json={"text": ARTICLE}).get_json()

        create: list[float] = []
        ids: list[int] = []
        for n in range(claims):
            paragraph = rng.randrange(1, 200)
            quote = f"tariffs on steel rose by {paragraph} percent"
            body = {
                "text": f"Steel tariffs rose by {paragraph} percent (claim {n}).",
                "claimant": "The minister",
                "appearance": {"document_id": document["id"], "quote": quote},
            }
            started = time.perf_counter()
            response = client.post("/api/v1/claims", headers=headers, json=body)
            create.append(time.perf_counter() - started)
            assert response.status_code == 201, response.data[:300]
            ids.append(response.get_json()["id"])

        read = [
            timed(lambda: client.get(f"/api/v1/claims/{rng.choice(ids)}", headers=headers), 200)
            for _ in range(runs)
        ]
        first_page = [
            timed(lambda: client.get("/api/v1/claims?limit=50", headers=headers), 200) for _ in range(runs)
        ]
        deep = "/api/v1/claims?limit=50"
        for _ in range(5):
            deep = client.get(deep, headers=headers).get_json()["next"] or deep
        deep_page = [timed(lambda: client.get(deep, headers=headers), 200) for _ in range(runs)]
        search = [
            timed(lambda: client.get("/api/v1/claims?q=tariffs&limit=50", headers=headers), 200)
            for _ in range(runs)
        ]

        print(f"\n{describe(engine)}: {claims} claims, {runs} runs per read")
        print(f"{'request':<40} {'p50 ms':>8} {'p95 ms':>8}")
        for name, samples in [
            ("create POST /claims", create),
            ("read GET /claims/{id}", read),
            ("list GET /claims (first page of 50)", first_page),
            ("list GET /claims (6th page, via next)", deep_page),
            ("list GET /claims?q=tariffs", search),
        ]:
            p50, p95 = percentiles(samples)
            print(f"{name:<40} {p50:>8.1f} {p95:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL_URL)
    parser.add_argument("--claims", type=int, default=500)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=12)
    arguments = parser.parse_args()
    for dialect in selected(arguments.database):
        run(dialect, arguments.postgresql_url, arguments.claims, arguments.runs, arguments.seed)


if __name__ == "__main__":
    main()
