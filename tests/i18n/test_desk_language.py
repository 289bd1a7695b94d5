"""Which language the desk speaks: the person's setting, the switcher's cookie, the browser, English."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.models import AuditChange, AuditChangeset
from tests.i18n.conftest import language_of

# The switcher's legend, from the shipped catalogues.
LEGEND = {"en": "Interface language", "es": "Idioma de la interfaz", "ar": "لغة الواجهة"}


def test_the_sign_in_page_follows_the_browser(client: FlaskClient) -> None:
    english = client.get("/login")
    assert language_of(english) == ("en", "ltr")
    assert LEGEND["en"] in english.get_data(as_text=True)

    spanish = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert language_of(spanish) == ("es", "ltr")
    assert LEGEND["es"] in spanish.get_data(as_text=True)

    arabic = client.get("/login", headers={"Accept-Language": "ar"})
    assert language_of(arabic) == ("ar", "rtl")
    assert LEGEND["ar"] in arabic.get_data(as_text=True)

    # A language the interface does not ship in: English.
    assert language_of(client.get("/login", headers={"Accept-Language": "de"})) == ("en", "ltr")


def test_desk_pages_follow_the_browser(client: FlaskClient, login_as: Callable[[Role], User]) -> None:
    login_as(Role.EDITOR)
    for url in ("/", "/claims/", "/account"):
        assert language_of(client.get(url, headers={"Accept-Language": "ar"})) == ("ar", "rtl"), url
        assert language_of(client.get(url, headers={"Accept-Language": "es"})) == ("es", "ltr"), url


def test_the_persons_setting_overrides_the_browser(
    client: FlaskClient, login_as: Callable[[Role], User], db_session: Session
) -> None:
    user = login_as(Role.REVIEWER)
    response = client.post("/language", data={"language": "es", "next": "/claims/?q=missile"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/claims/?q=missile"
    db_session.refresh(user)
    assert user.language == "es"
    # Saved on the account, not in a cookie: the browser's Arabic does not win.
    assert "lang=" not in response.headers.get("Set-Cookie", "")
    page = client.get("/claims/", headers={"Accept-Language": "ar"})
    assert language_of(page) == ("es", "ltr")
    assert LEGEND["es"] in page.get_data(as_text=True)

    # "Browser's language" again: the browser decides.
    client.post("/language", data={"language": "", "next": "/account"})
    db_session.refresh(user)
    assert user.language is None
    assert language_of(client.get("/claims/", headers={"Accept-Language": "ar"})) == ("ar", "rtl")


def test_the_account_page_shows_and_saves_the_setting(
    client: FlaskClient, login_as: Callable[[Role], User], db_session: Session
) -> None:
    user = login_as(Role.REVIEWER)
    html = client.get("/account").get_data(as_text=True)
    assert '<option selected value="">Browser\'s language</option>' in html
    assert '<option lang="ar" value="ar">العربية</option>' in html
    client.post("/language", data={"language": "ar", "next": "/account"})
    html = client.get("/account").get_data(as_text=True)
    assert '<option lang="ar" selected value="ar">العربية</option>' in html
    db_session.refresh(user)
    assert user.language == "ar"


def test_the_change_is_in_the_audit_history(
    client: FlaskClient, login_as: Callable[[Role], User], db_session: Session
) -> None:
    user = login_as(Role.REVIEWER)
    client.post("/language", data={"language": "ar", "next": "/"})
    change, changeset = db_session.execute(
        select(AuditChange, AuditChangeset)
        .join(AuditChangeset, AuditChangeset.seq == AuditChange.changeset_seq)
        .where(AuditChange.table_name == "users", AuditChange.operation == "UPDATE")
        .order_by(AuditChange.id.desc())
        .limit(1)
    ).one()
    assert change.row_key == {"id": user.id}
    assert change.changes["language"] == [None, "ar"]
    assert changeset.actor_id == user.id and changeset.origin == "web"

    # An admin reads it in the audit log.
    client.post("/logout")
    login_as(Role.ADMIN)
    log = client.get("/audit/?record=users").get_data(as_text=True)
    assert user.name in log and "language" in log


def test_signed_out_the_switcher_sets_a_cookie(client: FlaskClient) -> None:
    response = client.post("/language", data={"language": "ar", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=ar;") and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    # After the person's setting and before the browser's language.
    assert language_of(client.get("/login", headers={"Accept-Language": "es"})) == ("ar", "rtl")
    client.post("/language", data={"language": "", "next": "/login"})
    assert language_of(client.get("/login", headers={"Accept-Language": "es"})) == ("es", "ltr")


def test_the_setting_wins_over_the_cookie(
    client: FlaskClient, login_as: Callable[[Role], User], db_session: Session
) -> None:
    client.post("/language", data={"language": "ar", "next": "/login"})
    user = login_as(Role.REVIEWER)
    user.language = "es"
    db_session.commit()
    assert language_of(client.get("/claims/")) == ("es", "ltr")


def test_the_switcher_returns_only_to_this_site(client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/language", data={"language": "es", "next": target})
        assert response.headers["Location"] == "/", target


def test_a_language_the_interface_lacks_changes_nothing(
    client: FlaskClient, login_as: Callable[[Role], User], db_session: Session
) -> None:
    user = login_as(Role.REVIEWER)
    response = client.post("/language", data={"language": "xx", "next": "/claims/"})
    assert response.headers["Location"] == "/claims/"
    db_session.refresh(user)
    assert user.language is None


def test_the_switcher_needs_the_csrf_token(make_app: Callable[..., Flask]) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/language", data={"language": "ar", "next": "/login"})
    assert response.status_code == 400
    assert "lang=" not in response.headers.get("Set-Cookie", "")


def test_the_switcher_is_a_form_on_every_desk_page(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<form method="post" action="/language" class="language-switcher">' in html
    assert '<input type="hidden" name="next" value="/login">' in html
    for code, name in (("en", "English"), ("es", "Español"), ("ar", "العربية")):
        assert f'value="{code}" lang="{code}"' in html and f">{name}</button>" in html
    assert 'value="en" lang="en" class="link-button" aria-current="true">English</button>' in html


def test_the_api_is_always_english(app: Flask) -> None:
    for url in ("/api/v1/claims", "/api/v1/openapi.json"):
        with app.test_request_context(url, headers={"Accept-Language": "ar"}, environ_base={}):
            assert str(get_locale()) == "en", url
    with app.test_request_context("/claims/", headers={"Accept-Language": "ar"}):
        assert str(get_locale()) == "ar"


def test_error_pages_speak_the_persons_language(
    client: FlaskClient, login_as: Callable[[Role], User], db_session: Session
) -> None:
    user = login_as(Role.REVIEWER)
    user.language = "ar"
    db_session.commit()
    missing = client.get("/claims/999999999")
    assert missing.status_code == 404
    assert language_of(missing) == ("ar", "rtl")
    # Signed out, the browser's.
    client.post("/logout")
    assert language_of(client.get("/no-such-page", headers={"Accept-Language": "es"})) == ("es", "ltr")
