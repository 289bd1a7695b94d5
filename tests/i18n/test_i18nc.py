"""The public site, publishing, verdicts, the team report and the dossier in Spanish and Arabic.

The part catalogues of this area (i18n-parts/i18nc.{es,ar}.po) are compiled into a temporary
translations folder the app reads. Desk pages choose their language from ``Accept-Language``;
public pages are rendered in a forced language (the public site's language is the
organisation's, not the reader's browser's), each language in an app of its own, since public
pages are cached whatever the language.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale
from openpyxl import load_workbook

from factcheck import db
from factcheck.accounts.models import Role
from factcheck.public import checks as public_checks
from factcheck.public import pages
from factcheck.public.checks import check_state, render_check
from factcheck.publishing.models import PublicationKind
from tests.claims.desk import page_text
from tests.public.conftest import CheckBuilder

PARTS = Path(__file__).resolve().parents[2] / "i18n-parts"


@pytest.fixture
def checks(db_session, make_user) -> CheckBuilder:
    """Claims as the desk leaves them: ``checks.publish()``, ``checks.revise(...)``, ``checks.draft()``."""
    return CheckBuilder(db_session, make_user)


@pytest.fixture
def translated_app(tmp_path: Path, make_app: Callable[..., Flask]) -> Flask:
    """An app whose catalogues are this area's parts, compiled now."""
    folder = tmp_path / "translations"
    for language in ("es", "ar"):
        with open(PARTS / f"i18nc.{language}.po", "rb") as source:
            catalog = read_po(source, locale=language)
        target = folder / language / "LC_MESSAGES"
        os.makedirs(target)
        with open(target / "messages.mo", "wb") as out:
            write_mo(out, catalog)
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(folder))


def text_of(html: str) -> str:
    class Body:
        def get_data(self, as_text: bool = True) -> str:
            return html

    return page_text(Body())


def sign_in(app: Flask, user_email: str) -> object:
    client = app.test_client()
    response = client.post("/login", data={"email": user_email, "password": "correct horse battery"})
    assert response.status_code == 302
    return client


# --- the public site ---------------------------------------------------------------------


PUBLIC_CHECK = {
    "es": [
        "Verificación",
        "La afirmación",
        "Dónde apareció",
        "Nuestro veredicto",
        "Fuentes",
        "Fuente primaria",
        "Refuta la afirmación",
        "Declaración oficial",
        "Historial de publicación",
        "Primera publicación",
        "Correcciones y actualizaciones",
        "Esta verificación se corrigió el",
        "Leer la nota de corrección",
        "Revisión 2: Corrección,",
        "Informar de un error en esta verificación",
        "Saltar al contenido",
        "Metodología",
    ],
    "ar": [
        "الادعاء",
        "أين ظهر",
        "حكمنا",
        "المصادر",
        "مصدر أولي",
        "يدحض الادعاء",
        "بيان رسمي",
        "سجل النشر",
        "أول نشر",
        "التصحيحات والتحديثات",
        "صُحّح هذا التحقق في",
        "اقرأ ملاحظة التصحيح",
        "المراجعة 2: تصحيح،",
        "الإبلاغ عن خطأ في هذا التحقق",
        "انتقل إلى المحتوى",
        "المنهجية",
    ],
}
PUBLIC_CHECK_ENGLISH = [
    "Where it appeared",
    "Our verdict",
    "Primary source",
    "Refutes the claim",
    "Official statement",
    "Publication history",
    "First published",
    "Corrections and updates",
    "This fact check was corrected",
    "Read the correction note",
    "Report an error in this fact check",
    "Skip to content",
    "Methodology",
]


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_verdict_page_comes_in_the_language_it_is_rendered_in(translated_app, checks, language):
    claim = checks.publish()
    checks.revise(claim, PublicationKind.CORRECTION, "The range was misquoted; fixed.")
    with translated_app.test_request_context(f"/checks/{claim.slug}"), force_locale(language):
        session = db.session()
        html = render_check(session, claim.slug, check_state(session, claim.slug))

    text = text_of(html)
    for expected in PUBLIC_CHECK[language]:
        assert expected in text, expected
    for english in PUBLIC_CHECK_ENGLISH:
        assert english not in text, text[max(0, text.find(english) - 80) : text.find(english) + 80]
    # The heading (the scale's definitions, the newsroom's words, may start "The claim ...").
    assert 'id="claim-heading">The claim<' not in html
    # What was published stays as written: the headline and the note are the newsroom's words.
    assert claim.verdict.headline in text
    assert "The range was misquoted; fixed." in text


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "es",
            [
                "Cómo verificamos las afirmaciones",
                "Nuestra escala de calificación",
                "Al menos 2 revisores califican la afirmación",
                "Una segunda persona lo aprueba",
            ],
            [
                "How we check claims",
                "Our rating scale",
                "reviewers rate the claim",
                "A second person approves it",
            ],
        ),
        (
            "ar",
            [
                "كيف نتحقق من الادعاءات",
                "مقياس التقييم لدينا",
                "يقيّم مراجعان (2) على الأقل الادعاء",
                "يوافق عليه شخص ثانٍ",
            ],
            [
                "How we check claims",
                "Our rating scale",
                "reviewers rate the claim",
                "A second person approves it",
            ],
        ),
    ],
)
def test_the_methodology_page_uses_the_plural_of_the_language(translated_app, language, expected, english):
    with translated_app.test_request_context("/methodology"), force_locale(language):
        response = pages.methodology()
        html = response.get_data(as_text=True)

    text = text_of(html)
    for sentence in expected:
        assert sentence in text, sentence
    for sentence in english:
        assert sentence not in text, sentence


def test_the_index_counts_fact_checks_in_spanish(translated_app, checks):
    checks.publish()
    with translated_app.test_request_context("/checks/?q=missile"), force_locale("es"):
        html = public_checks.checks().get_data(as_text=True)

    text = text_of(html)
    assert "Se encontró 1 verificación." in text
    assert "fact check found" not in text and "Any verdict" not in text
    assert "Cualquier veredicto" in text


# --- the desk: verdicts, publishing, the report, the dossier ------------------------------


def test_the_verdict_form_and_its_messages_come_in_spanish(translated_app, checks, make_user):
    claim = checks.draft()
    editor = make_user(Role.EDITOR)
    client = sign_in(translated_app, editor.email)
    headers = {"Accept-Language": "es"}

    page = client.get(f"/claims/{claim.id}/verdict", headers=headers)
    assert page.status_code == 200
    text = page_text(page)
    for expected in ("Editar el veredicto", "Titular", "Guardar el veredicto", "En qué se basa el veredicto"):
        assert expected in text, expected
    for english in ("Edit the verdict", "Save the verdict", "What the verdict rests on"):
        assert english not in text, english

    refused = client.post(
        f"/claims/{claim.id}/verdict",
        data={"headline": "", "label_id": "", "version": str(claim.verdict.version), "action": "save"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "Escriba un titular." in page_text(refused)


def test_the_publish_page_comes_in_arabic(translated_app, checks, make_user):
    claim = checks.draft()
    editor = make_user(Role.EDITOR)
    client = sign_in(translated_app, editor.email)

    page = client.get(f"/claims/{claim.id}/publish", headers={"Accept-Language": "ar"})

    assert page.status_code == 200
    text = page_text(page)
    for expected in ("انشر الحكم", "ما سيراه القرّاء", "انشر الآن", "المصادر (2)"):
        assert expected in text, expected
    for english in ("Publish the verdict", "What readers will see", "Publish now", "Sources (2)"):
        assert english not in text, english


def test_the_team_report_and_its_workbook_come_in_arabic(translated_app, make_user):
    editor = make_user(Role.EDITOR)
    client = sign_in(translated_app, editor.email)
    headers = {"Accept-Language": "ar"}
    query = "from=2024-03-01&to=2024-03-31"

    page = client.get(f"/reports/team?{query}", headers=headers)
    assert page.status_code == 200
    text = page_text(page)
    for expected in (
        "بالأرقام",
        "الادعاءات المسجّلة",
        "الاتفاق بين المراجعين",
        "لم يُنشر أي ادعاء أول مرة في هذه الفترة.",
        "تنزيل PDF",
    ):
        assert expected in text, expected
    for english in ("In numbers", "Claims captured", "Agreement between reviewers", "Download PDF"):
        assert english not in text, english
    # The charts' accessible names are translated too.
    assert "الادعاءات المسجّلة والأحكام المنشورة أسبوعيًا" in page.get_data(as_text=True)

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/team.xlsx?{query}", headers=headers).data))
    assert workbook.sheetnames[0] == "الملخص"
    summary = workbook[workbook.sheetnames[0]]
    assert [summary.cell(1, 1).value, summary.cell(1, 2).value] == ["الرقم", "القيمة"]
    assert summary.cell(2, 1).value == "الفترة من"


def test_the_dossier_comes_in_spanish(translated_app, checks, make_user):
    claim = checks.publish()
    editor = make_user(Role.EDITOR)
    client = sign_in(translated_app, editor.email)

    page = client.get(f"/claims/{claim.id}/dossier", headers={"Accept-Language": "es"})

    assert page.status_code == 200
    text = page_text(page)
    for expected in (
        f"Expediente de la afirmación n.º {claim.id}",
        "Fuentes (2)",
        "Revisiones publicadas (1)",
        "Revisión 1: Publicación",
        "Descargar PDF",
    ):
        assert expected in text, expected
    for english in ("Dossier of claim", "Publication revisions", "Download PDF"):
        assert english not in text, english


def test_the_revision_form_names_its_kinds_in_spanish(translated_app, checks, make_user):
    claim = checks.publish()
    editor = make_user(Role.EDITOR)
    client = sign_in(translated_app, editor.email)

    page = client.get(f"/claims/{claim.id}/revise", headers={"Accept-Language": "es"})

    assert page.status_code == 200
    text = page_text(page)
    for expected in (
        "Publicar una corrección, actualización o retirada",
        "Tipo de revisión",
        "Corrección",
        "Actualización",
        "Retirada",
        "Nos equivocamos: el veredicto, un dato o una fuente eran erróneos.",
        "Publicar la revisión",
    ):
        assert expected in text, expected
    for english in ("Kind of revision", "Correction", "We were wrong", "Publish the revision"):
        assert english not in text, english

    refused = client.post(
        f"/claims/{claim.id}/revise",
        data={"kind": "correction", "note": "Short"},
        headers={"Accept-Language": "es"},
    )
    assert refused.status_code == 422
    assert "La nota es demasiado corta" in page_text(refused)
