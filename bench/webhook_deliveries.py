"""Webhook deliveries per second: the real worker sending signed deliveries to a local receiver.

For each database and each worker count: a fresh migrated database, one endpoint on a
receiver at 127.0.0.1 (a threading HTTP server that answers 200 at once), ``--deliveries``
deliveries enqueued in one transaction (``events.deliver_to``, as an event would), then
``--workers`` workers (threads, each with an app and engine of its own, as separate
processes would have) run them in burst mode. Reports deliveries per second (wall time
from the first claim to the last one finished), checks that every delivery arrived once,
signed, and that every job succeeded.

    .venv/bin/python bench/webhook_deliveries.py --database both --deliveries 500 --workers 1,2
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _databases import BENCH_AUDIT_KEY, DEFAULT_POSTGRESQL_URL, fresh_database, selected
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck import create_app
from factcheck.audit.changesets import Actor, set_actor
from factcheck.db import get_database
from factcheck.jobs.models import Job, JobState
from factcheck.jobs.runner import Worker
from factcheck.webhooks.events import deliver_to
from factcheck.webhooks.models import WebhookEndpoint, WebhookSecret
from factcheck.webhooks.signing import generate_secret, hint


def receiver() -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes; with Nagle the second waits for a delayed ACK (40 ms).
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(self.headers.get("webhook-id", ""))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


def run(dialect: str, postgresql_url: str, deliveries: int, workers: int) -> float:
    server, seen = receiver()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    with fresh_database(dialect, postgresql_url) as engine, tempfile.TemporaryDirectory() as instance:
        config = {
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "AUDIT_KEY": BENCH_AUDIT_KEY,
            "SECRET_KEY": "benchmark-secret-key-that-is-long-enough",
            "INSTANCE_PATH": instance,
            "AUDIT_CHECKPOINT_EVERY": 0,
            "OUTGOING_ALLOW_PRIVATE_ADDRESSES": True,
        }
        apps = [create_app(config) for _ in range(workers)]
        with Session(bind=engine) as session:
            set_actor(session, Actor.system("benchmark", "bench"))
            secret = generate_secret()
            endpoint = WebhookEndpoint(url=url, events=["claim.published"], secret_hint=hint(secret))
            endpoint.secret = WebhookSecret(secret=secret)
            session.add(endpoint)
            session.flush()
            for number in range(deliveries):
                deliver_to(
                    session, endpoint, "claim.published", {"claim_id": number, "snapshot": {"x": "y" * 800}}
                )
            session.commit()

        start = threading.Barrier(workers + 1)
        threads = [
            threading.Thread(target=lambda app=app: (start.wait(), Worker(app).run(burst=True)))
            for app in apps
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began

        with Session(bind=engine) as session:
            done = session.scalar(
                select(func.count()).select_from(Job).where(Job.state == JobState.SUCCEEDED)
            )
        for app in apps:
            get_database(app).engine.dispose()
    server.shutdown()
    assert done == deliveries, f"{done} of {deliveries} jobs succeeded"
    assert len(seen) == deliveries and len(set(seen)) == deliveries, "a delivery arrived twice or not at all"
    return deliveries / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL_URL)
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated")
    args = parser.parse_args()
    for dialect in selected(args.database):
        for workers in [int(n) for n in args.workers.split(",")]:
            rate = run(dialect, args.postgresql_url, args.deliveries, workers)
            print(
                f"{dialect:10} workers={workers}  {args.deliveries} deliveries  {rate:8.1f} deliveries/s",
                flush=True,
            )


if __name__ == "__main__":
    main()
