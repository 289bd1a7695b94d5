"""``factcheck translations``: the translator's commands (docs/i18n.md).

``extract`` and ``update`` run pybabel with this project's options (babel.cfg, the
lazy keywords), so nobody has to remember them; ``compile`` writes the compiled
catalogues where the app reads them, for images built ahead (the app compiles them
itself when it starts otherwise).
"""

from __future__ import annotations

import os

import click
from babel.messages.frontend import CommandLineInterface
from flask import current_app
from flask.cli import with_appcontext

from factcheck.web import catalogues

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEMPLATE = os.path.join(catalogues.SOURCE, "messages.pot")
# The ends of sentences and the Arabic plural forms need room: no line wrapping in the catalogues.
WIDTH = "--no-wrap"


def _pybabel(*arguments: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *arguments])


@click.group("translations")
def translations() -> None:
    """The interface's message catalogues (factcheck/translations)."""


@translations.command("extract")
def extract() -> None:
    """Collect every message of the code and templates into factcheck/translations/messages.pot."""
    os.makedirs(catalogues.SOURCE, exist_ok=True)
    # From the project's folder: the catalogues name files by their path in the repository.
    os.chdir(PROJECT_ROOT)
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        WIDTH,
        "--sort-by-file",
        "--project",
        "factcheck",
        "-o",
        TEMPLATE,
        ".",
    )
    click.echo(f"wrote {os.path.relpath(TEMPLATE, PROJECT_ROOT)}")


@translations.command("update")
def update() -> None:
    """Bring every language's messages.po up to date with messages.pot (new messages empty, changed ones fuzzy)."""
    _pybabel("update", "-i", TEMPLATE, "-d", catalogues.SOURCE, WIDTH)


@translations.command("init")
@click.argument("language")
def init(language: str) -> None:
    """Start the catalogue of a new language (then add it to LANGUAGES in factcheck/web/i18n.py)."""
    _pybabel("init", "-i", TEMPLATE, "-d", catalogues.SOURCE, "-l", language, WIDTH)


@translations.command("compile")
@with_appcontext
def compile_() -> None:
    """Compile the catalogues where the app reads them (it does so itself when they changed)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    source = app.config.get("TRANSLATIONS_SOURCE") or catalogues.SOURCE
    folder = catalogues.translation_directory(source, app.instance_path)
    languages = ", ".join(catalogues.catalogues(source)) or "none"
    click.echo(f"compiled ({languages}) in {folder}")
