"""``factcheck audit``: verify the history, make checkpoints, show the keys."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from factcheck.audit import checkpoints, keys, parallel
from factcheck.audit.verification import verify_and_record
from factcheck.db import get_database


class SetupError(click.ClickException):
    """Verification could not run (a key or a copy of the checkpoints); not a finding. Exit 2."""

    exit_code = 2


@click.group()
def audit() -> None:
    """The audit history."""


@audit.command("verify")
@click.option(
    "--checkpoints",
    "copies",
    multiple=True,
    metavar="FILE|URL",
    help="A copy of the checkpoints kept elsewhere (a file, or the site's /transparency/checkpoints.json); repeatable.",
)
@click.option("--no-replay", is_flag=True, help="Skip comparing the live data with its history (faster).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that share the check of a large history (default: one per CPU, at most 8).",
)
@with_appcontext
def verify(copies: tuple[str, ...], no_replay: bool, workers: int | None) -> None:
    """Check the history: triggers, keyed chain, checkpoints and the data against its history.

    Exits 1 naming each problem found, 2 if it cannot check (a wrong key, an unreadable copy).
    """
    engine = get_database(current_app).engine
    if engine.dialect.name == "postgresql":
        # One snapshot for the whole check: a write committed while it reads must not look like
        # a row the history cannot explain. (SQLite's write transaction already is one.)
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    try:
        with engine.begin() as connection:
            report = verify_and_record(
                connection, copies=copies, replay=not no_replay, workers=workers or parallel.default_workers()
            )
    except (keys.AuditKeyError, checkpoints.CheckpointSourceError) as exc:
        raise SetupError(str(exc)) from None
    except DBAPIError as exc:
        raise SetupError(
            f"cannot read the audit history ({str(exc.orig).strip()}); is the database upgraded "
            "(factcheck db upgrade)?"
        ) from None
    result = report.chain
    if not report.ok:
        for finding in report.findings:
            click.echo(f"TAMPERING {finding}", err=True)
        raise click.ClickException(
            f"audit history does not verify: {len(report.findings)} problem(s) "
            f"({result.checked} changesets checked)"
        )
    newest = report.newest_checkpoint
    click.echo(
        f"audit history ok: {result.checked} changesets ({result.changes} changes) checked"
        + (f" by {report.workers} processes" if report.workers > 1 else "")
        + f" in {report.seconds:.2f} s ({report.rate:,.0f}/s); head {result.head_seq} {result.head_hash or '-'}; "
        f"{report.checkpoints} checkpoints agree"
        + (f", the newest at changeset {newest.seq}" if newest else "")
        + ("" if no_replay else "; the data matches its history")
    )
    if result.legacy:
        which = (
            "changeset 1 predates" if result.legacy == 1 else f"the first {result.legacy} changesets predate"
        )
        click.echo(f"note: {which} the audit key (unkeyed links, covered by the keyed ones after them)")


@audit.command("checkpoint")
@with_appcontext
def checkpoint() -> None:
    """Sign the chain head now: into the database, the checkpoint directory and the public page."""
    engine = get_database(current_app).engine
    with engine.begin() as connection:
        statement = checkpoints.make(connection, checkpoints.COMMAND)
        stored = checkpoints.from_database(connection)
    if statement is None:
        raise click.ClickException("the audit history is empty: nothing to checkpoint yet")
    directory = checkpoints.policy().directory
    # Also copies any the database has and the directory lacks (a process that stopped
    # between committing a checkpoint and writing its file).
    keyring = keys.active()
    for found in stored:
        if found.signed_by(keyring):
            checkpoints.write_file(found, directory)
    click.echo(
        f"checkpoint: changeset {statement.seq} {statement.head} signed with key {statement.key_id}"
        + (f"; written to {directory}" if directory else "")
    )


@audit.command("keys")
@with_appcontext
def show_keys() -> None:
    """The audit keys' ids and public keys (never the secrets); the current one last."""
    for entry in keys.active().public_keys():
        click.echo(f"{entry['key_id']}  {entry['algorithm']}  {entry['public_key']}")
