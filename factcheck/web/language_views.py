"""The language switcher's form: saves a signed-in person's setting, or a cookie for someone who is not."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectChoice, SelectField

from factcheck import db
from factcheck.accounts.language import choose_language
from factcheck.security.permissions import public
from factcheck.web import i18n
from factcheck.web.forms import Form
from factcheck.web.lookups import current_actor
from factcheck.web.urls import is_safe_next

bp = Blueprint("language", __name__)


class LanguageForm(Form):
    # Empty: no choice of one's own, the browser's language decides.
    language = SelectField(
        _l("Interface language"),
        choices=[
            SelectChoice("", _l("Browser's language")),
            # Each named in itself, marked as such for screen readers.
            *(SelectChoice(code, name, render_kw={"lang": code}) for code, name in i18n.NATIVE_NAMES.items()),
        ],
    )
    next = HiddenField()


def language_form() -> LanguageForm:
    """The form as the page shows it: the person's setting (or the cookie's), back to this page."""
    saved = current_user.language if current_user.is_authenticated else request.cookies.get(i18n.COOKIE)
    here = request.full_path if request.query_string else request.path
    return LanguageForm(formdata=None, language=saved if i18n.is_language(saved) else "", next=here)


@bp.route("/language", methods=["POST"])
@public
def choose() -> ResponseReturnValue:
    """Signed in: the person's setting. Not signed in: the ``lang`` cookie (desk pages only)."""
    form = LanguageForm()
    target = form.next.data if is_safe_next(form.next.data) else url_for("main.home")
    if not form.validate_on_submit():
        return redirect(target)
    language = form.language.data or None
    response = redirect(target)
    if current_user.is_authenticated:
        choose_language(db.session(), current_actor(), language)
    elif language is None:
        response.delete_cookie(i18n.COOKIE, samesite="Lax")
    else:
        response.set_cookie(
            i18n.COOKIE,
            language,
            max_age=i18n.COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["language_form"] = language_form
