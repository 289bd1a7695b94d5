"""The public site: the organisation's language, other languages under /<language>/, cacheable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import Claim
from factcheck.jobs.runner import run_all
from factcheck.public.models import StoredPage
from tests.conftest import AuthActions
from tests.i18n.conftest import language_of
from tests.public.conftest import when

PublishedCheck = Callable[..., Claim]
# The switcher's name, from the shipped catalogues.
SWITCHER = {"en": 'aria-label="Language"', "es": 'aria-label="Idioma"', "ar": 'aria-label="اللغة"'}
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def publish(app: Flask, published_check: PublishedCheck) -> Claim:
    """As an editor's request publishes: the page is stored at once."""
    with app.test_request_context():
        return published_check(published_at=when(5))


def test_public_pages_follow_the_organisations_language_not_the_browser(
    client: FlaskClient, set_public_language: Callable[[str], None]
) -> None:
    assert language_of(client.get("/checks/", headers={"Accept-Language": "ar"})) == ("en", "ltr")
    set_public_language("es")
    for url in ("/checks/", "/methodology", "/corrections", "/about", "/suggest"):
        response = client.get(url, headers={"Accept-Language": "ar"})
        assert response.status_code == 200, url
        assert language_of(response) == ("es", "ltr"), url
        assert SWITCHER["es"] in response.get_data(as_text=True), url
        assert "Accept-Language" not in response.headers.get("Vary", ""), url
    # Nor the desk's cookie.
    client.set_cookie("lang", "ar")
    assert language_of(client.get("/checks/")) == ("es", "ltr")


def test_a_prefix_gives_another_language_and_keeps_the_reader_in_it(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    response = client.get("/ar/checks/")
    assert response.status_code == 200
    assert language_of(response) == ("ar", "rtl")
    html = response.get_data(as_text=True)
    assert SWITCHER["ar"] in html
    # The site's own links stay in Arabic: navigation, the verdict page, the forms.
    assert 'href="/ar/checks/"' in html and 'href="/ar/methodology"' in html
    assert f'href="/ar/checks/{claim.slug}"' in html
    assert 'href="/ar/suggest"' in html
    # Other languages are links to the same page.
    assert '<a href="http://localhost/checks/" lang="en" hreflang="en">English</a>' in html
    assert '<a href="http://localhost/es/checks/" lang="es" hreflang="es">Español</a>' in html
    assert '<span lang="ar" aria-current="page">العربية</span>' in html

    page = client.get(f"/es/checks/{claim.slug}")
    assert page.status_code == 200 and language_of(page) == ("es", "ltr")
    assert f'<link rel="canonical" href="http://localhost/es/checks/{claim.slug}">' in page.get_data(
        as_text=True
    )


def test_a_reader_switching_languages_keeps_the_search(client: FlaskClient) -> None:
    html = client.get("/checks/?q=missile").get_data(as_text=True)
    assert 'href="http://localhost/ar/checks/?q=missile"' in html
    # Search engines get the page itself.
    assert '<link rel="alternate" hreflang="ar" href="http://localhost/ar/checks/">' in html


def test_every_public_page_names_its_other_languages(
    client: FlaskClient, set_public_language: Callable[[str], None]
) -> None:
    set_public_language("es")
    html = client.get("/es/methodology", follow_redirects=True).get_data(as_text=True)
    # The organisation's language is the address without prefix (and the default).
    assert '<link rel="alternate" hreflang="es" href="http://localhost/methodology">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://localhost/methodology">' in html
    assert '<link rel="alternate" hreflang="en" href="http://localhost/en/methodology">' in html
    assert '<link rel="alternate" hreflang="ar" href="http://localhost/ar/methodology">' in html


def test_prefixed_pages_are_cached_like_the_others(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    for path in (
        "/checks/",
        f"/checks/{claim.slug}",
        "/methodology",
        "/checks/feed.atom",
        "/claimreview.json",
    ):
        plain, prefixed = client.get(path, buffered=True), client.get(f"/ar{path}", buffered=True)
        assert prefixed.status_code == 200, path
        assert prefixed.headers["Cache-Control"] == plain.headers["Cache-Control"], path
        assert prefixed.cache_control.public and "Set-Cookie" not in prefixed.headers, path
        assert "Vary" not in prefixed.headers or "Cookie" not in prefixed.headers["Vary"], path
        # Each language its own validator: a copy of one is never "not modified" for the other.
        assert prefixed.headers["ETag"] != plain.headers["ETag"], path
        again = client.get(f"/ar{path}", headers={"If-None-Match": prefixed.headers["ETag"]}, buffered=True)
        assert again.status_code == 304, path
        other = client.get(path, headers={"If-None-Match": prefixed.headers["ETag"]}, buffered=True)
        assert other.status_code == 200, path


def test_the_lean_path_never_serves_another_languages_page(
    app: Flask, client: FlaskClient, db_session: Session, published_check: PublishedCheck
) -> None:
    claim = publish(app, published_check)
    stored = db_session.get(StoredPage, f"/checks/{claim.slug}")
    assert stored is not None and b'<html lang="en" dir="ltr">' in stored.body
    # The stored page answers the address without prefix...
    assert client.get(f"/checks/{claim.slug}").data == stored.body
    # ...and never a prefixed one, even when a cache of the stored page is warm.
    for language in ("es", "ar"):
        response = client.get(f"/{language}/checks/{claim.slug}")
        assert response.status_code == 200
        assert response.data != stored.body
        assert language_of(response)[0] == language


def test_the_stored_page_is_in_the_public_language_whoever_publishes(
    app: Flask, client: FlaskClient, db_session: Session, published_check: PublishedCheck
) -> None:
    """An editor whose desk is in Arabic publishes: readers still get the organisation's language."""
    with app.test_request_context("/claims/", headers={"Accept-Language": "ar"}):
        claim = published_check(published_at=when(5))
    stored = db_session.get(StoredPage, f"/checks/{claim.slug}")
    assert stored is not None
    body = stored.body.decode()
    assert '<html lang="en" dir="ltr">' in body and SWITCHER["en"] in body
    # The stored page's switcher and alternates are the verdict page's, not the desk page's.
    assert f'href="http://localhost/es/checks/{claim.slug}"' in body


def test_a_new_public_language_renders_the_stored_pages_again(
    make_app: Callable[..., Flask],
    db_session: Session,
    published_check: PublishedCheck,
    make_user: Callable[..., User],
) -> None:
    # With PUBLIC_URL the worker renders for the address the test client asks at.
    app = make_app(PUBLIC_URL="http://localhost")
    client = app.test_client()
    claim = publish(app, published_check)
    assert AuthActions(client).login(make_user(Role.ADMIN).email).status_code == 302
    html = client.get("/admin/organisation").get_data(as_text=True)
    assert '<option lang="en" selected value="en">English</option>' in html
    response = client.post(
        "/admin/organisation",
        data={"name": "Treaty Watch", "url": "https://treatywatch.example.org/", "public_language": "ar"},
    )
    assert response.status_code == 302
    client.delete_cookie("session")
    # Until the worker renders it again, the app answers, in Arabic.
    assert language_of(client.get(f"/checks/{claim.slug}")) == ("ar", "rtl")
    run_all(app)
    stored = db_session.get(StoredPage, f"/checks/{claim.slug}")
    db_session.refresh(stored)
    assert b'<html lang="ar" dir="rtl">' in stored.body  # type: ignore[union-attr]
    assert client.get(f"/checks/{claim.slug}").data == stored.body  # type: ignore[union-attr]
    # English is now a prefix.
    assert language_of(client.get(f"/en/checks/{claim.slug}")) == ("en", "ltr")


def test_the_organisations_own_language_has_one_address(
    client: FlaskClient, set_public_language: Callable[[str], None]
) -> None:
    set_public_language("es")
    response = client.get("/es/checks/?q=missile")
    assert response.status_code == 301
    assert response.headers["Location"] == "/checks/?q=missile"


def test_desk_addresses_under_a_prefix_go_to_the_desk(client: FlaskClient) -> None:
    # The public footer's "Staff sign in" keeps the prefix; the desk follows the person.
    response = client.get("/ar/login")
    assert response.status_code == 308 and response.headers["Location"] == "/login"
    assert client.get("/ar/").headers["Location"] == "/ar/checks/"
    assert client.get("/ar/no-such-page").headers["Location"] == "/no-such-page"


def test_the_micro_cache_keeps_each_language_apart(
    make_app: Callable[..., Flask], published_check: PublishedCheck
) -> None:
    app = make_app(PUBLIC_MICROCACHE_SECONDS=60)
    client = app.test_client()
    published_check(published_at=when(5))
    for _ in range(2):
        assert language_of(client.get("/checks/")) == ("en", "ltr")
        assert language_of(client.get("/ar/checks/")) == ("ar", "rtl")
        assert language_of(client.get("/es/checks/")) == ("es", "ltr")


def test_claimreview_names_the_pages_language(
    app: Flask,
    client: FlaskClient,
    published_check: PublishedCheck,
    set_public_language: Callable[[str], None],
) -> None:
    claim = published_check(published_at=when(5))

    def review_on(path: str) -> dict:
        html = client.get(path).get_data(as_text=True)
        return json.loads(LD_JSON.search(html).group(1))  # type: ignore[union-attr]

    assert review_on(f"/checks/{claim.slug}")["inLanguage"] == "en"
    arabic = review_on(f"/ar/checks/{claim.slug}")
    assert arabic["inLanguage"] == "ar" and arabic["url"] == f"http://localhost/ar/checks/{claim.slug}"

    feed = client.get("/claimreview.json").get_json()
    assert [review["inLanguage"] for review in feed["dataFeedElement"]] == ["en"]
    feed = client.get("/es/claimreview.json").get_json()
    assert feed["dataFeedElement"][0]["inLanguage"] == "es"
    assert feed["dataFeedElement"][0]["url"] == f"http://localhost/es/checks/{claim.slug}"

    set_public_language("ar")
    assert review_on(f"/checks/{claim.slug}")["inLanguage"] == "ar"
