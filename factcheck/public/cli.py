"""``factcheck pages rebuild``: render the stored verdict pages again (factcheck/public/stored.py)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from factcheck.public import stored


@click.group("pages")
def pages() -> None:
    """The stored public verdict pages."""


@pages.command("rebuild")
@click.option("--all", "everything", is_flag=True, help="Render every page, not only the outdated ones.")
@with_appcontext
def pages_rebuild(everything: bool) -> None:
    """Render the verdict pages that are missing or out of date (new templates, settings,
    configuration), a batch per transaction; readers get the app's page meanwhile.

    Runs by itself after an upgrade (the worker's pages.rebuild job); set PUBLIC_URL so the
    pages are rendered for the address readers use.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rendered = stored.rebuild(app, everything=everything)
    click.echo(f"rendered {rendered} page{'s' if rendered != 1 else ''}")
