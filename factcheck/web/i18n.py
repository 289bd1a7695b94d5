"""The interface's language: gettext for templates and code, and which language a request gets.

Who gets which language (docs/i18n.md):

- the JSON API (``/api/``): always English;
- the public site (the ``public`` blueprint and the readers' submission forms): the
  organisation's public language, or the language of the address's prefix
  (``/es/checks/...``, :mod:`factcheck.web.language_prefix`). Never the browser's
  ``Accept-Language`` or a cookie, so one cached page suits every reader of an address;
- the desk: the person's setting (``users.language``), else the ``lang`` cookie (set by
  the switcher for someone not signed in), else the browser's ``Accept-Language``, else English.

Catalogues live in factcheck/translations/<language>/LC_MESSAGES/messages.po and are compiled
when the app is created (:mod:`factcheck.web.catalogues`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_locale, refresh
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from factcheck.web import catalogues

# The languages the interface ships in, English first (the source language).
LANGUAGES = ("en", "es", "ar")
# Each language named in itself: whoever cannot read the current one still finds theirs.
NATIVE_NAMES = {"en": "English", "es": "Español", "ar": "العربية"}
DEFAULT_LANGUAGE = LANGUAGES[0]
# The switcher's choice for someone not signed in (desk pages only; the public site ignores it).
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# The readers' forms served with the public site's layout, outside the public blueprint.
PUBLIC_SITE_ENDPOINTS = frozenset(
    {
        "submissions.suggest",
        "submissions.suggest_thanks",
        "submissions.report_error",
        "submissions.report_error_thanks",
    }
)
# Set by factcheck.web.language_prefix: the address's language prefix, and the script root before it.
PREFIX_KEY = "factcheck.language_prefix"
OUTER_SCRIPT_ROOT_KEY = "factcheck.script_root_outside_prefix"
_FORCED = "forced_language"
_PUBLIC_PAGE_PATH = "public_page_path"


def is_language(value: str | None) -> bool:
    return value in LANGUAGES


def direction(language: str) -> str:
    """``rtl`` or ``ltr``, for ``<html dir>``: what Babel's locale data says of the script."""
    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


def current_language() -> str:
    """The language this page is written in (English outside a request)."""
    locale = get_locale()
    return str(locale) if locale is not None else DEFAULT_LANGUAGE


def current_direction() -> str:
    return direction(current_language())


def public_language(session: Session | None = None) -> str:
    """The language the organisation publishes in (English before an admin chose one)."""
    from factcheck import db
    from factcheck.organisation.details import organisation

    if session is None and has_request_context() and "public_language" in g:
        return g.public_language
    row = organisation(session or db.session())
    language = row.public_language if row is not None and is_language(row.public_language) else None
    language = language or DEFAULT_LANGUAGE
    if session is None and has_request_context():
        g.public_language = language
    return language


def prefix_language() -> str | None:
    """The language of the address's prefix (``/es/...``), if it has one."""
    return request.environ.get(PREFIX_KEY) if has_request_context() else None


def is_public_site() -> bool:
    """Whether this request is for the public site (shared, cached pages for readers)."""
    return (
        g.get(_PUBLIC_PAGE_PATH) is not None
        or prefix_language() is not None
        or request.blueprint == "public"
        or request.endpoint in PUBLIC_SITE_ENDPOINTS
    )


def is_api() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def desk_language() -> str:
    """The person's setting, else the switcher's cookie, else the browser's language, else English."""
    # The person as this request already loaded them (the gate does, for every page with a view).
    # Not loaded: an error page before any view (a 404 of no route), which runs no query at all.
    user = g.get("_login_user")
    try:
        if user is not None and user.is_authenticated and is_language(getattr(user, "language", None)):
            return user.language
    except SQLAlchemyError:
        pass  # an error page after the transaction failed: the browser's language will do
    cookie = request.cookies.get(COOKIE)
    if is_language(cookie):
        return cookie  # type: ignore[return-value]
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def select_locale() -> str:
    forced = g.get(_FORCED) if has_request_context() else None
    if forced:
        return forced
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if is_api():
        return DEFAULT_LANGUAGE
    if is_public_site():
        try:
            return prefix_language() or public_language()
        except SQLAlchemyError:
            return DEFAULT_LANGUAGE
    return desk_language()


@contextmanager
def rendering_public_page(path: str, language: str) -> Iterator[None]:
    """Render the public page at ``path`` in ``language`` inside this block, whatever the request
    is (stored verdict pages are rendered for every reader, even inside an editor's request)."""
    previous = g.get(_FORCED), g.get(_PUBLIC_PAGE_PATH)
    setattr(g, _FORCED, language)
    setattr(g, _PUBLIC_PAGE_PATH, path)
    refresh()
    try:
        yield
    finally:
        setattr(g, _FORCED, previous[0])
        setattr(g, _PUBLIC_PAGE_PATH, previous[1])
        refresh()


def alternate_urls(query: bool = True) -> list[tuple[str, str]]:
    """This public page in each language, as (language, absolute address): the public
    language at the address without prefix, every other one under its prefix. With ``query``,
    the reader's search and filters too (the switcher); without, the page (hreflang links)."""
    from factcheck.publishing.urls import public_base

    outside = request.environ.get(OUTER_SCRIPT_ROOT_KEY, request.script_root)
    search = request.query_string.decode("latin-1") if query else ""
    path = g.get(_PUBLIC_PAGE_PATH) or (request.path + (f"?{search}" if search else ""))
    default = public_language()
    base = public_base()
    return [
        (language, f"{base}{outside}{'' if language == default else '/' + language}{path}")
        for language in LANGUAGES
    ]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        source = app.config.get("TRANSLATIONS_SOURCE") or catalogues.SOURCE
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = catalogues.translation_directory(
            source, app.instance_path
        )
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        page_language=current_language,
        page_direction=current_direction,
        language_names=NATIVE_NAMES,
        languages=LANGUAGES,
        language_alternates=alternate_urls,
        public_language=public_language,
        public_site=is_public_site,
    )


def translations_folder(app: Flask | None = None) -> str:
    """Where this app reads its compiled catalogues (for the CLI's messages)."""
    return (app or current_app).config["BABEL_TRANSLATION_DIRECTORIES"]
