"""``factcheck audit``: check the audit history's hash chain."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from factcheck.audit.verification import verify_and_record
from factcheck.db import get_database


@click.group()
def audit() -> None:
    """The audit history."""


@audit.command("verify")
@with_appcontext
def verify() -> None:
    """Recompute the hash chain; exit 1 naming the first bad changeset if it does not hold."""
    engine = get_database(current_app).engine
    with engine.begin() as connection:
        result = verify_and_record(connection)
    if not result.ok:
        raise click.ClickException(
            f"audit chain broken at changeset {result.first_bad_seq}: {result.problem} "
            f"({result.checked} changesets before it check out)"
        )
    click.echo(
        f"audit chain ok: {result.checked} changesets checked in {result.seconds:.2f} s "
        f"({result.rate:,.0f}/s); head {result.head_seq} {result.head_hash or '-'}"
    )
