"""``factcheck worker`` runs background jobs; ``factcheck run`` starts one in-process too."""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

import click
from flask import current_app
from flask.cli import ScriptInfo, run_command, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from factcheck.db import get_database
from factcheck.jobs import queue
from factcheck.jobs.runner import Worker, start_in_thread
from factcheck.public import stored


@click.command("worker")
@click.option("--once", is_flag=True, help="Run at most one due job, then exit.")
@click.option("--burst", is_flag=True, help="Run the jobs due now, then exit (for scripts and cron).")
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=None,
    help="Seconds between looks at an empty queue (default: JOBS_POLL_SECONDS, 1).",
)
@with_appcontext
def worker(once: bool, burst: bool, poll: float | None) -> None:
    """Run background jobs (webhook deliveries) until stopped with SIGTERM or Ctrl-C.

    Start as many as you like, on as many hosts: they share the queue, and a job
    runs in one worker at a time. A stop request lets the job in hand finish.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.logger.handlers or app.logger.level == logging.NOTSET:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runner = Worker(app, poll_seconds=poll)

    def stop(signum: int, _frame: Any) -> None:
        click.echo(f"{signal.Signals(signum).name}: stopping after the job in hand", err=True)
        runner.stop()
        # A second signal stops at once.
        signal.signal(signum, signal.SIG_DFL)

    try:
        with get_database(app).read_sessions() as session:
            queue.any_due(session)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(
            f"cannot read the job queue ({reason}); is the database upgraded (factcheck db upgrade)?"
        ) from None
    if not once:
        # After an upgrade (new templates), this worker renders the stored pages again.
        stored.ensure_current(app)
    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        if once:
            outcome = runner.run_one()
            ran = 0 if outcome is None else 1
            if outcome is not None:
                click.echo(f"job {outcome.job_id} ({outcome.kind}): {_ended(outcome.state, outcome.error)}")
        else:
            if not burst:
                click.echo(f"worker {runner.name} waiting for jobs (Ctrl-C or SIGTERM stops it)", err=True)
            ran = runner.run(burst=burst)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    click.echo(f"ran {ran} job{'s' if ran != 1 else ''}")


def _ended(state: Any, error: str | None) -> str:
    if state is None:
        return "its lease ran out before it finished; another worker has it"
    text = str(state.value if hasattr(state, "value") else state)
    return f"{text} ({error})" if error else text


def _run_with_worker(no_worker: bool, **kwargs: Any) -> Any:
    context = click.get_current_context()
    info = context.ensure_object(ScriptInfo)
    if not no_worker:
        app = info.load_app()
        reloading = kwargs.get("reload")
        if reloading is None:
            reloading = app.debug
        # With the reloader, the process that serves is a child; the parent only watches files.
        if not reloading or os.environ.get("WERKZEUG_RUN_MAIN") == "true":
            # After an upgrade (new templates), the worker renders the stored pages again.
            stored.ensure_current(app)
            start_in_thread(app)
            click.echo(" * Background worker running in this process (--no-worker to leave it out)")
    return context.invoke(run_command.callback, **kwargs)  # type: ignore[arg-type]


run = click.Command(
    "run",
    callback=_run_with_worker,
    params=[
        *run_command.params,
        click.Option(
            ["--no-worker"],
            is_flag=True,
            help="Do not run a background worker in this process (run `factcheck worker` instead).",
        ),
    ],
    help=(
        "Run a development server, with one background worker in the same process "
        "(so webhook deliveries go out without a second command)."
    ),
    short_help="Run a development server and a background worker.",
)
