"""The claim desk in Spanish and Arabic: the claim list, a claim's page, documents, search, the
bulk action's refusals and the readers' submissions queue, with the catalogues of i18n-parts/i18nb.*.po
compiled into a folder of their own (the shipped catalogues are merged from these parts)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import ClaimState
from factcheck.submissions import operations as submissions
from tests.claims.desk import add_source, make_claim
from tests.documents.helpers import make_document

PARTS = Path(__file__).resolve().parents[2] / "i18n-parts"
SPANISH = {"Accept-Language": "es"}
ARABIC = {"Accept-Language": "ar"}


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    """This branch's part catalogues, compiled as <language>/LC_MESSAGES/messages.mo."""
    folder = tmp_path / "translations"
    for language in ("es", "ar"):
        with (PARTS / f"i18nb.{language}.po").open("rb") as source:
            catalogue = read_po(source, locale=language)
        target = folder / language / "LC_MESSAGES" / "messages.mo"
        target.parent.mkdir(parents=True)
        with target.open("wb") as handle:
            write_mo(handle, catalogue)
    return folder


@pytest.fixture
def app(make_app: Callable[..., Flask], translations: Path) -> Flask:
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(translations))


@pytest.fixture
def editor(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.EDITOR)


def text_of(response: Any) -> str:
    """The visible words of the page's main content (the layout's header belongs to another
    part of the catalogues): tags dropped, entities decoded, spaces collapsed."""
    body = response.get_data(as_text=True)
    main = re.search(r"<main\b.*?</main>", body, flags=re.S)
    assert main, "no <main>"
    body = main.group(0)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_without_a_language_asked_for_the_desk_stays_english(client: FlaskClient, editor: User) -> None:
    page = text_of(client.get("/claims/"))
    assert "All claims" in page and "Search claims, sources and documents" in page
    assert "Todas las afirmaciones" not in page


def test_the_claim_list_in_spanish_and_arabic(client: FlaskClient, editor: User, db_session: Session) -> None:
    make_claim(db_session, editor, ClaimState.RESEARCHING, text="The river rose two metres.")

    spanish = client.get("/claims/", headers=SPANISH)
    assert spanish.status_code == 200
    page = text_of(spanish)
    for words in ("Todas las afirmaciones", "Mi trabajo", "Todos los estados"):
        assert words in page
    # Accessible names too.
    assert 'aria-label="Filtrar por estado"' in spanish.get_data(as_text=True)
    # The table's headings, a state's name and the bulk form's actions.
    for words in ("Autor de la afirmación", "Asignada a", "En investigación", "Etiquetar con", "Filtrar"):
        assert words in page
    for english in ("All claims", "My work", "Filter by state", "All states", "Researching", "Tag with"):
        assert english not in page
    assert "The river rose two metres." in page  # what people wrote is never translated

    arabic = text_of(client.get("/claims/", headers=ARABIC))
    assert "كل الادعاءات" in arabic and "قيد البحث" in arabic and "كل الحالات" in arabic
    assert "All claims" not in arabic and "Researching" not in arabic


def test_a_claim_page_in_spanish_says_why_a_move_is_blocked(
    client: FlaskClient, editor: User, db_session: Session
) -> None:
    claim = make_claim(db_session, editor, ClaimState.IN_REVIEW)
    add_source(db_session, claim, editor)

    page = text_of(client.get(f"/claims/{claim.id}", headers=SPANISH))
    for words in (
        "Flujo de trabajo",
        "Fuentes (1)",
        "Añadir una fuente",
        "Todavía no hay veredicto.",
        "En revisión",
    ):
        assert words in page
    # The workflow's rule, from Python, in the page's language; the plural of the count.
    assert "Marcar como listo" in page
    assert "Necesita 2 calificaciones, tiene 0" in page
    assert "el veredicto necesita" in page or "necesita un veredicto con etiqueta y titular" in page
    for english in ("Workflow", "Add a source", "No verdict yet.", "Mark ready", "needs 2 ratings"):
        assert english not in page

    arabic = text_of(client.get(f"/claims/{claim.id}", headers=ARABIC))
    assert "سير العمل" in arabic and "المصادر (1)" in arabic and "قيد المراجعة" in arabic
    assert "يحتاج إلى تقييمين (2)، ولديه 0" in arabic  # Arabic's dual
    assert "Workflow" not in arabic


def test_a_flash_message_and_a_refused_bulk_action_come_in_spanish(
    client: FlaskClient, editor: User, db_session: Session
) -> None:
    claim = make_claim(db_session, editor)

    added = client.post(f"/claims/{claim.id}/tags", data={"name": "clima"}, headers=SPANISH)
    assert added.status_code == 302
    page = text_of(client.get(added.headers["Location"], headers=SPANISH))
    assert "Se etiquetó con «clima»." in page and "Tagged" not in page

    refused = client.post("/claims/bulk", data={"action": "tag", "claim_ids": [claim.id]}, headers=SPANISH)
    assert refused.status_code == 422
    page = text_of(refused)
    assert "No se cambió nada" in page and "Escriba una etiqueta." in page
    assert "Nothing was changed" not in page and "Type a tag." not in page


def test_documents_and_search_in_spanish(client: FlaskClient, editor: User, db_session: Session) -> None:
    document = make_document(
        db_session, editor, "The minister said the river rose two metres.", title="Speech"
    )

    listing = text_of(client.get("/documents/", headers=SPANISH))
    assert "Añadir un documento" in listing and "Documentos archivados" in listing
    assert "Add a document" not in listing

    shown = text_of(client.get(f"/documents/{document.id}", headers=SPANISH))
    assert "Afirmaciones registradas en este documento" in shown and "Corregir el documento" in shown
    assert "Claims captured in this document" not in shown

    response = client.get("/search/?q=river", headers=SPANISH)
    assert "<title>Búsqueda: river" in response.get_data(as_text=True)
    found = text_of(response)
    assert "Documentos (1)" in found and "Ninguna fuente coincide." in found
    assert "No sources match." not in found


def test_the_submissions_queue_in_arabic(client: FlaskClient, editor: User, db_session: Session) -> None:
    submissions.suggest(db_session, submissions.ReaderValues(text="The mayor said the bridge is closed."))
    db_session.commit()

    page = text_of(client.get("/desk/submissions", headers=ARABIC))
    assert "مساهمات القرّاء" in page and "اقتراح" in page and "مفتوح" in page
    assert "Reader submissions" not in page and "Suggestion" not in page
