"""The interface's language: gettext for templates and code, and which language a request gets.

Catalogues live in factcheck/translations/<language>/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import os

from flask import Flask, has_request_context, request
from flask_babel import Babel

# The languages the interface ships in, English first (the source language).
LANGUAGES = ("en", "es", "ar")
TRANSLATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations")


def select_locale() -> str:
    # The command line and the worker translate domain messages too: English there.
    if not has_request_context():
        return LANGUAGES[0]
    return request.accept_languages.best_match(LANGUAGES) or LANGUAGES[0]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LANGUAGES[0])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", TRANSLATIONS)
    Babel(app, locale_selector=select_locale)
