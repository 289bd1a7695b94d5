"""The rating scale in other languages: the admin's pages, and the filters that show a label in
the page's language (docs/publishing.md)."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from factcheck import db
from factcheck.publishing.claimreview import RETRACTED_LABEL
from factcheck.ratings import translations
from factcheck.ratings.models import RatingLabel
from factcheck.ratings.scale_forms import LabelTranslationsForm
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor

bp = Blueprint("rating_scale", __name__, url_prefix="/admin/rating-scale")

# Languages written right to left among those a label may be translated into.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def language_name(language: str) -> str:
    """The language's name in the page's language ("Spanish", "español", "الإسبانية")."""
    return Locale.parse(language).get_display_name(get_locale()) or language


def _page_language() -> str:
    return str(get_locale() or "en")


def _scale_names() -> translations.ScaleNames:
    cached = g.get("scale_names")
    language = _page_language()
    if cached is None or cached[0] != language:
        cached = (language, translations.scale_names(db.session(), language))
        g.scale_names = cached
    return cached[1]


def _scale_definitions() -> dict[str, str]:
    cached = g.get("scale_definitions")
    language = _page_language()
    if cached is None or cached[0] != language:
        cached = (language, translations.scale_definitions(db.session(), language))
        g.scale_definitions = cached
    return cached[1]


@bp.app_template_filter("label_name")
def label_name_filter(value: Any) -> str:
    """A rating label's name in the page's language: ``value`` is a RatingLabel, a published
    snapshot's label (a dict with key and name) or a label's name as text."""
    if value is None:
        return ""
    if isinstance(value, RatingLabel):
        return translations.label_name(value, get_locale())
    if isinstance(value, dict):
        return _scale_names().name(str(value.get("name") or ""), value.get("key"))
    if value == RETRACTED_LABEL:
        return _("Retracted")
    return _scale_names().name(str(value))


@bp.app_template_filter("label_definition")
def label_definition_filter(value: Any) -> str:
    """A rating label's definition in the page's language (a RatingLabel or a snapshot's label)."""
    if value is None:
        return ""
    if isinstance(value, RatingLabel):
        return translations.label_definition(value, get_locale())
    key = value.get("key") if isinstance(value, dict) else None
    own = str(value.get("definition") or "") if isinstance(value, dict) else ""
    return _scale_definitions().get(key or "", "") or own


@bp.app_template_global("language_name")
def _language_name_global(language: str) -> str:
    return language_name(language)


@bp.route("")
@requires(Permission.ADMINISTER)
def index() -> ResponseReturnValue:
    labels = db.session().scalars(select(RatingLabel).order_by(RatingLabel.position, RatingLabel.id)).all()
    return render_template(
        "ratings/scale.html",
        labels=labels,
        languages=translations.TRANSLATED_LANGUAGES,
        texts={label.id: translations.texts_of(label) for label in labels},
    )


@bp.route("/<id:label_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit(label_id: int) -> ResponseReturnValue:
    session = db.session()
    label = session.get(RatingLabel, label_id)
    if label is None:
        abort(404)
    if request.method == "POST":
        form = LabelTranslationsForm()
    else:
        saved = translations.texts_of(label)
        form = LabelTranslationsForm(
            data={
                f"{part}_{language}": getattr(text, part)
                for language, text in saved.items()
                for part in ("name", "definition")
            }
        )
    if form.validate_on_submit():
        if translations.save_texts(session, current_actor(), label, form.texts()):
            flash(_("The translations of “%(label)s” were saved.", label=label.name), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("rating_scale.index"))
    return render_template(
        "ratings/scale_label.html",
        label=label,
        form=form,
        languages=translations.TRANSLATED_LANGUAGES,
        rtl_languages=RTL_LANGUAGES,
    ), form_status(form)
