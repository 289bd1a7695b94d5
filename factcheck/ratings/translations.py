"""The rating scale in the interface's other languages: admins give each label a name and a
definition per language; pages show them in their own language, falling back to the label's
own (source-language) text where none was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.ratings.models import RatingLabel, RatingLabelTranslation
from factcheck.search.folding import fold
from factcheck.security.permissions import Permission, require
from factcheck.web.i18n import LANGUAGES

# The label's own columns are in the source language; these are the others an admin may fill.
TRANSLATED_LANGUAGES = LANGUAGES[1:]


@dataclass(frozen=True)
class LabelText:
    """A label's name and definition in one language ("" where not given)."""

    name: str = ""
    definition: str = ""


def _base_language(language: str | None) -> str:
    # "es_MX" and "es-419" are Spanish; a Babel Locale prints as "es" or "es_MX".
    return str(language or LANGUAGES[0]).replace("-", "_").split("_")[0].lower()


def _translation(label: RatingLabel, language: str | None) -> RatingLabelTranslation | None:
    wanted = _base_language(language)
    if wanted not in TRANSLATED_LANGUAGES:
        return None
    return next((row for row in label.translations if row.language == wanted), None)


def label_name(label: RatingLabel, language: Any) -> str:
    """The label's name in ``language`` (a code or a Babel Locale), else its own name."""
    row = _translation(label, language)
    return (row.name.strip() if row else "") or label.name


def label_definition(label: RatingLabel, language: Any) -> str:
    """The label's definition in ``language``, else its own definition."""
    row = _translation(label, language)
    return (row.definition.strip() if row else "") or label.definition


def texts_of(label: RatingLabel) -> dict[str, LabelText]:
    """What the admin's form starts with: the saved text per translated language."""
    saved = {row.language: row for row in label.translations}
    return {
        language: LabelText(saved[language].name, saved[language].definition)
        if language in saved
        else LabelText()
        for language in TRANSLATED_LANGUAGES
    }


def save_texts(session: Session, actor: Any, label: RatingLabel, texts: Mapping[str, LabelText]) -> bool:
    """Store the label's name and definition per language (admins only; raises PermissionDenied).

    Rows are updated in place, emptied rather than deleted, so the audit history shows each
    change as a field change and the public pages' validators move. Returns whether anything
    changed. Raises ValueError for a language the interface does not ship.
    """
    require(actor, Permission.ADMINISTER)
    unknown = set(texts) - set(TRANSLATED_LANGUAGES)
    if unknown:
        raise ValueError(f"not a translated language: {', '.join(sorted(unknown))}")
    saved = {row.language: row for row in label.translations}
    changed = False
    for language, text in texts.items():
        name, definition = text.name.strip(), text.definition.replace("\r\n", "\n").strip()
        row = saved.get(language)
        if row is None:
            if not (name or definition):
                continue
            row = RatingLabelTranslation(language=language)
            label.translations.append(row)
        if (row.name, row.definition) != (name, definition):
            row.name, row.definition = name, definition
            changed = True
    session.flush()
    if changed:
        # Verdict pages show the label's name: the stored ones are rendered again.
        from factcheck.public import stored

        stored.request_rebuild(session)
    return changed


@dataclass(frozen=True)
class ScaleNames:
    """One language's label names, for pages that hold a label only by its name or key
    (published snapshots, the public lists): source-language name or key -> translated name."""

    by_key: Mapping[str, str]
    by_name: Mapping[str, str]

    def name(self, name: str, key: str | None = None) -> str:
        if key and key in self.by_key:
            return self.by_key[key]
        return self.by_name.get(fold(name), name)


def scale_names(session: Session, language: Any) -> ScaleNames:
    """Every translated label name of ``language`` (one query; empty for the source language)."""
    wanted = _base_language(language)
    if wanted not in TRANSLATED_LANGUAGES:
        return ScaleNames({}, {})
    rows = session.execute(
        select(RatingLabel.key, RatingLabel.name, RatingLabelTranslation.name)
        .join(RatingLabelTranslation, RatingLabelTranslation.label_id == RatingLabel.id)
        .where(RatingLabelTranslation.language == wanted, RatingLabelTranslation.name != "")
    ).all()
    return ScaleNames(
        by_key={key: translated.strip() for key, _, translated in rows if translated.strip()},
        by_name={fold(name): translated.strip() for _, name, translated in rows if translated.strip()},
    )


def scale_definitions(session: Session, language: Any) -> dict[str, str]:
    """Label key -> translated definition in ``language`` (only those given)."""
    wanted = _base_language(language)
    if wanted not in TRANSLATED_LANGUAGES:
        return {}
    rows = session.execute(
        select(RatingLabel.key, RatingLabelTranslation.definition)
        .join(RatingLabelTranslation, RatingLabelTranslation.label_id == RatingLabel.id)
        .where(RatingLabelTranslation.language == wanted)
    ).all()
    return {key: definition.strip() for key, definition in rows if definition.strip()}
