"""The desk's own pages in Spanish and Arabic: sign-in, home, notifications, account, admin pages,
errors and exports, with this area's part catalogues (i18n-parts/i18na.*.po) compiled for the test."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from factcheck.accounts.models import Role
from factcheck.claims.models import Assignment, ClaimState
from factcheck.notifications.messages import localised
from factcheck.notifications.models import Notification
from tests.claims.desk import make_claim
from tests.conftest import AuthActions

PARTS = Path(__file__).resolve().parents[2] / "i18n-parts"
CLAIM_TEXT = "NATO gave Russia 60 days."


@pytest.fixture(scope="module")
def translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The part catalogues compiled into a translations directory of their own."""
    directory = tmp_path_factory.mktemp("i18na-translations")
    for language in ("es", "ar"):
        with open(PARTS / f"i18na.{language}.po", "rb") as source:
            catalogue = read_po(source, locale=language)
        target = directory / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "messages.mo", "wb") as compiled:
            write_mo(compiled, catalogue)
    return directory


@pytest.fixture
def app(make_app, translations):
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(translations))


def visible_text(response) -> str:
    """What a person reads: the page without its tags, spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def signed_in(app, user, language: str):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert AuthActions(client).login(user.email).status_code == 302
    return client


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "es",
            ["Iniciar sesión", "Correo electrónico", "Contraseña", "Saltar al contenido"],
            ["Sign in", "Password"],
        ),
        (
            "ar",
            ["تسجيل الدخول", "البريد الإلكتروني", "كلمة المرور", "انتقل إلى المحتوى"],
            ["Sign in", "Password"],
        ),
    ],
)
def test_the_sign_in_page_comes_in_the_browsers_language(client, language, expected, english):
    response = client.get("/login", headers={"Accept-Language": language})

    assert response.status_code == 200
    text = visible_text(response)
    for words in expected:
        assert words in text
    for words in english:
        assert words not in text


def test_a_failed_sign_in_says_why_in_spanish(client, make_user):
    user = make_user(Role.REVIEWER)

    response = client.post(
        "/login",
        data={"email": user.email, "password": "not the password"},
        headers={"Accept-Language": "es"},
    )

    assert response.status_code == 422
    text = visible_text(response)
    assert "Corrige el error indicado abajo." in text
    assert "Correo o contraseña incorrectos, o la cuenta está desactivada." in text
    assert "Wrong email or password" not in text


def test_signing_in_flashes_and_the_desk_answers_in_spanish(app, make_user):
    user = make_user(Role.EDITOR, name="Eve Editor")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"

    response = AuthActions(client).login(user.email, follow_redirects=True)

    text = visible_text(response)
    assert "Sesión iniciada como Eve Editor." in text
    assert "Lo que te espera" in text
    assert "Asignadas a ti" in text
    assert "Listas, para que las publiques" in text
    assert "Afirmaciones" in text and "Cerrar sesión" in text and "Editor" in text
    for english in ("Signed in as", "What waits for you", "Assigned to you", "Sign out", "Claims"):
        assert english not in text


def test_a_notification_is_stored_in_english_and_read_in_the_readers_language(app, db_session, make_user):
    anna = make_user(Role.REVIEWER, name="Anna Reviewer")
    eve = make_user(Role.EDITOR, name="Eve Editor")
    claim = make_claim(db_session, eve, ClaimState.RESEARCHING, text=CLAIM_TEXT)
    claim.assignments.append(Assignment(user=anna, assigned_by_id=eve.id))
    db_session.commit()

    stored = db_session.query(Notification).filter(Notification.user_id == anna.id).one()
    assert stored.message == f"Eve Editor assigned you to claim “{CLAIM_TEXT}”"

    spanish = visible_text(signed_in(app, anna, "es").get("/notifications/"))
    assert f"Eve Editor te asignó la afirmación “{CLAIM_TEXT}”" in spanish
    assert "1 sin leer." in spanish
    assert "assigned you" not in spanish and "Mark all read" not in spanish

    arabic = visible_text(signed_in(app, anna, "ar").get("/"))
    assert f"أسند إليك Eve Editor الادعاء “{CLAIM_TEXT}”" in arabic
    assert "النشاط الأخير على الادعاءات التي تتابعها" in arabic
    assert "assigned you" not in arabic and "Recent activity" not in arabic


def test_the_account_page_in_arabic(app, make_user):
    user = make_user(Role.REVIEWER)

    text = visible_text(signed_in(app, user, "ar").get("/account"))

    for words in (
        "حسابك",
        "تغيير كلمة المرور",
        "رموز API",
        "ليست لديك رموز API.",
        "إنشاء رمز",
        "الإشعارات بالبريد الإلكتروني",
    ):
        assert words in text
    for english in (
        "Your account",
        "Change your password",
        "API tokens",
        "Create token",
        "Notification e-mail",
    ):
        assert english not in text


@pytest.mark.parametrize(
    ("path", "expected", "english"),
    [
        (
            "/admin/users/",
            ["Usuarios", "Añadir un usuario", "Último inicio de sesión", "Administrador"],
            ["Add a user", "Last sign-in"],
        ),
        (
            "/admin/jobs/",
            ["Tareas en segundo plano", "No hay tareas fallidas.", "Fallida (0)"],
            ["Background jobs", "No failed jobs"],
        ),
        (
            "/admin/webhooks/",
            ["Añadir un punto de conexión", "Aún no hay puntos de conexión."],
            ["Add an endpoint", "No endpoints yet"],
        ),
        (
            "/admin/audit",
            ["Historial de auditoría", "Verificar ahora", "Puntos de control"],
            ["Verify now", "Checkpoints"],
        ),
        (
            "/admin/security-log",
            ["Registro de seguridad", "Inicio de sesión"],
            ["Security events", "No events"],
        ),
        (
            "/audit/",
            ["Registro de auditoría", "Cualquier acción", "Exportar CSV"],
            ["Any action", "Export CSV"],
        ),
        (
            "/exports/",
            ["Exportar afirmaciones", "ID de la afirmación", "CSV (hojas de cálculo)"],
            ["Export claims", "Claim ID"],
        ),
    ],
)
def test_admin_and_editor_pages_in_spanish(app, make_user, path, expected, english):
    admin = make_user(Role.ADMIN)

    response = signed_in(app, admin, "es").get(path)

    assert response.status_code == 200
    text = visible_text(response)
    for words in expected:
        assert words in text
    for words in english:
        assert words not in text


def test_a_missing_page_says_so_in_spanish(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "es"})

    assert response.status_code == 404
    text = visible_text(response)
    assert "No hay ninguna página en esta dirección." in text
    assert "Ir a la página de inicio" in text
    assert "There is no page" not in text


def test_xlsx_headings_follow_the_page_and_csv_keeps_the_english_ones(app, db_session, make_user):
    editor = make_user(Role.EDITOR)
    make_claim(db_session, editor, ClaimState.NEW, text=CLAIM_TEXT)
    client = signed_in(app, editor, "es")

    # Streamed downloads: each read to the end before the next request.
    xlsx = client.get("/exports/claims?format=xlsx").get_data()
    csv = client.get("/exports/claims?format=csv").get_data(as_text=True)

    workbook = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    assert workbook.sheetnames == ["Afirmaciones", "Fuentes", "Revisiones"]
    headings = [cell.value for cell in next(workbook["Afirmaciones"].iter_rows())]
    workbook.close()
    assert headings[:3] == ["ID de la afirmación", "Afirmación", "Declarante"]
    assert csv.lstrip("\ufeff").startswith("Claim ID,Claim,Claimant,")


def test_a_stored_sentence_is_said_again_with_the_same_quotes(app):
    stored = "Eve Editor mentioned you on claim “Officials said: 60 days”: “Source: the treaty”"

    with app.test_request_context(headers={"Accept-Language": "es"}):
        spanish = localised(stored)
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        arabic = localised(stored)
    with app.test_request_context():
        english = localised(stored)

    assert (
        spanish == "Eve Editor te mencionó en la afirmación “Officials said: 60 days”: “Source: the treaty”"
    )
    assert arabic == "أشار إليك Eve Editor في الادعاء “Officials said: 60 days”: “Source: the treaty”"
    assert english == stored
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert localised("A sentence from before the formats.") == "A sentence from before the formats."
