"""``factcheck sources check-links``: are the pages cited still there, and unchanged?"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from factcheck.archive.fetching import FetchSettings
from factcheck.sources import archiving
from factcheck.sources.models import LinkStatus

CHECK_COMMAND = "sources check-links"


@click.group()
def sources() -> None:
    """Sources of claims."""


@sources.command("check-links")
@with_appcontext
def check_links() -> None:
    """Fetch every source's address again; flag those gone (4xx/5xx, no such host) or changed
    since archived. Prints one line per flagged source and a summary; exits 1 if any is flagged."""
    from factcheck.cli import command_session

    with command_session(CHECK_COMMAND) as session:
        results = archiving.check_links(session, FetchSettings.from_config(current_app.config))
    flagged = [r for r in results if r.status in (LinkStatus.GONE, LinkStatus.CHANGED)]
    for result in flagged:
        assert result.status is not None
        click.echo(
            f"Source {result.source_id}: {result.status.label.lower()}: {result.url} ({result.problem})"
        )
    click.echo(f"{len(results)} checked, {len(flagged)} gone or changed.")
    if flagged:
        raise SystemExit(1)
