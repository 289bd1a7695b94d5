"""The catalogues: compiled by the app itself (never committed), edits picked up, every worker safe."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from factcheck.web import catalogues
from factcheck.web.i18n import LANGUAGES
from tests.i18n.conftest import WriteCatalogue

REPOSITORY = Path(__file__).resolve().parents[2]
SHIPPED = REPOSITORY / "factcheck" / "translations"
ARABIC_PLURALS = (
    "nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n % 100 >= 3 && n % 100 <= 10 ? 3 : "
    "n % 100 >= 11 && n % 100 <= 99 ? 4 : 5);"
)


def sign_in_page(client: FlaskClient, language: str) -> str:
    """The sign-in page in ``language`` (its switcher has a translated legend)."""
    return client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)


def test_a_fresh_checkout_compiles_its_catalogues_on_start(
    app_with_catalogues: Callable[..., Flask], write_catalogue: WriteCatalogue, tmp_path: Path
) -> None:
    write_catalogue("es", {"Interface language": "Idioma de la interfaz"})
    write_catalogue("ar", {"Interface language": "لغة الواجهة"})
    assert not list(tmp_path.rglob("*.mo"))
    client = app_with_catalogues().test_client()
    assert "Idioma de la interfaz" in sign_in_page(client, "es")
    assert "لغة الواجهة" in sign_in_page(client, "ar")
    compiled = list((tmp_path / "instance" / "translations").rglob("*.mo"))
    assert sorted(path.parent.parent.name for path in compiled) == ["ar", "es"]


def test_an_edited_catalogue_is_picked_up_on_the_next_start(
    app_with_catalogues: Callable[..., Flask], write_catalogue: WriteCatalogue
) -> None:
    path = write_catalogue("es", {"Interface language": "Idioma de la interfaz"})
    before = os.stat(path)
    assert "Idioma de la interfaz" in sign_in_page(app_with_catalogues().test_client(), "es")
    write_catalogue("es", {"Interface language": "Idioma de la aplicación"})
    # The same modification time (a coarse clock, a checkout): the text decides, not the time.
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    page = sign_in_page(app_with_catalogues().test_client(), "es")
    assert "Idioma de la aplicación" in page and "Idioma de la interfaz" not in page


def test_fuzzy_translations_are_not_used(
    app_with_catalogues: Callable[..., Flask], write_catalogue: WriteCatalogue
) -> None:
    path = write_catalogue("es", {"Interface language": "Idioma de la interfaz"})
    text = path.read_text(encoding="utf-8").replace(
        'msgid "Interface language"', '#, fuzzy\nmsgid "Interface language"'
    )
    path.write_text(text, encoding="utf-8")
    page = sign_in_page(app_with_catalogues().test_client(), "es")
    assert "Idioma de la interfaz" not in page and "Interface language" in page


def test_workers_starting_together_compile_once_and_read_whole_files(
    write_catalogue: WriteCatalogue, catalogue_source: Path, tmp_path: Path
) -> None:
    write_catalogue("es", {"Interface language": "Idioma de la interfaz"})
    root = tmp_path / "shared-instance" / "translations"
    folders: list[str] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            folders.append(catalogues.compiled(str(catalogue_source), str(root)))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=start) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors and len(set(folders)) == 1
    # One compiled folder, no leftovers of the others' attempts.
    assert [path.name for path in root.iterdir()] == [Path(folders[0]).name]
    with open(Path(folders[0]) / "es" / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        assert handle.read(4) == b"\xde\x12\x04\x95"  # a whole .mo file (its magic number)


def test_an_instance_folder_that_cannot_be_written_still_gets_translations(
    app_with_catalogues: Callable[..., Flask], write_catalogue: WriteCatalogue, tmp_path: Path
) -> None:
    write_catalogue("es", {"Interface language": "Idioma de la interfaz"})
    blocked = tmp_path / "instance" / "translations"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the folder should be")
    assert "Idioma de la interfaz" in sign_in_page(app_with_catalogues().test_client(), "es")


def test_the_compile_command_prepares_an_image_ahead(
    app_with_catalogues: Callable[..., Flask], write_catalogue: WriteCatalogue
) -> None:
    write_catalogue("es", {"Interface language": "Idioma de la interfaz"})
    app = app_with_catalogues()
    runner: FlaskCliRunner = app.test_cli_runner()
    result = runner.invoke(args=["translations", "compile"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("compiled (es) in ")
    folder = result.output.strip().rsplit(" in ", 1)[1]
    assert os.path.isfile(os.path.join(folder, "es", "LC_MESSAGES", "messages.mo"))


def test_the_shipped_catalogues_are_text_and_complete_in_their_header() -> None:
    for language in LANGUAGES[1:]:
        path = SHIPPED / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        assert not catalogue.fuzzy, language
        assert all(message.string for message in catalogue if message.id), language
    with (SHIPPED / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        assert read_po(handle).plural_forms == ARABIC_PLURALS
    # Compiled catalogues are built, never committed.
    assert "*.mo" in (REPOSITORY / ".gitignore").read_text().splitlines()
