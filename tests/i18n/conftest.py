"""Shared fixtures of the interface-language tests: catalogues written for a test, pages' languages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from flask import Flask
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import Claim
from factcheck.organisation.models import Organisation
from factcheck.web import catalogues

# The fixtures that publish checks, shared with the public site's tests.
from tests.public.conftest import check_builder, published_check, revise_check  # noqa: F401

HTML_TAG = re.compile(r"<html\b([^>]*)>")
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')

WriteCatalogue = Callable[[str, Mapping[str, str]], Path]


def html_attributes(response: Any) -> dict[str, str]:
    """The attributes of the page's ``<html>`` tag (lang, dir)."""
    match = HTML_TAG.search(response.get_data(as_text=True))
    assert match, "no <html> tag"
    return dict(ATTRIBUTE.findall(match.group(1)))


def language_of(response: Any) -> tuple[str, str]:
    attributes = html_attributes(response)
    return attributes.get("lang", ""), attributes.get("dir", "")


@pytest.fixture
def catalogue_source(tmp_path: Path) -> Path:
    """An empty folder of catalogues (``TRANSLATIONS_SOURCE``), as a checkout's factcheck/translations."""
    folder = tmp_path / "catalogues"
    folder.mkdir()
    return folder


@pytest.fixture
def write_catalogue(catalogue_source: Path) -> WriteCatalogue:
    """``write_catalogue("es", {"Sign in": "Iniciar sesión"})``: a language's messages.po, as a translator leaves it."""

    def write(language: str, messages: Mapping[str, str]) -> Path:
        catalogue = Catalog(locale=language, project="factcheck")
        for message, translation in messages.items():
            catalogue.add(message, translation)
        path = catalogue_source / language / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalogue)
        return path

    return write


@pytest.fixture
def fresh_compilations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process compiled already: the app compiles as on a fresh start."""
    monkeypatch.setattr(catalogues, "_known", {})


@pytest.fixture
def app_with_catalogues(
    make_app: Callable[..., Flask], catalogue_source: Path, fresh_compilations: None
) -> Callable[..., Flask]:
    """An app reading the catalogues written with ``write_catalogue`` (compiled when it is created)."""

    def build(**overrides: Any) -> Flask:
        return make_app(TRANSLATIONS_SOURCE=str(catalogue_source), **overrides)

    return build


@pytest.fixture
def set_public_language(db_session: Session) -> Callable[[str], None]:
    """Save the organisation's public language as an admin's form would."""

    def save(language: str) -> None:
        row = db_session.get(Organisation, 1)
        if row is None:
            row = Organisation(id=1, name="Treaty Watch", url="https://treatywatch.example.org/")
            db_session.add(row)
        row.public_language = language
        db_session.commit()

    return save


@pytest.fixture
def claim(db_session: Session, make_user: Callable[..., User]) -> Claim:
    capturer = make_user(Role.REVIEWER, name="Claire Capturer")
    claim = Claim(
        text="Russia's 9M729 missile has a range of 480 km.",
        claimant="Russian Ministry of Defence",
        claimed_on=date(2019, 1, 23),
        created_by_id=capturer.id,
    )
    db_session.add(claim)
    db_session.commit()
    return claim
