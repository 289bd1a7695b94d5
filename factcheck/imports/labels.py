"""Mapping other publishers' rating labels onto the team's rating scale.

A foreign label ("Pants on Fire", "Four Pinocchios", "Partly false") is looked
up, case-insensitively, in this order:

1. the label map: config ``IMPORT_LABEL_MAP`` (foreign label -> our label key),
   with the entries of a ``--map FILE.json`` on top; an entry mapped to ``null``
   is removed, so that label stays unmapped;
2. the names and keys of our own active labels ("Mostly false", "mostly-false"),
   so our own exports import onto the labels they came from;
3. the numbers, when the rating has ``ratingValue``, ``bestRating`` and
   ``worstRating`` and no name matched: the value's place on the publisher's
   scale is put on the same place of our ordered labels (the nearest one; a tie
   goes to the less accurate label).

Matching ignores case, hyphens, underscores, repeated spaces and a trailing
"!" or ".", so "Pants on Fire!" and "pants on fire" are the same label.
A label none of these finds is unmapped: it is kept verbatim for readers, and
the verdict has no label of our scale. :func:`map_stored_label` maps it later
(``factcheck labels map FROM TO``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.publishing.models import Publication
from factcheck.ratings.models import RatingLabel
from factcheck.verdicts.models import Verdict


class LabelMapError(ValueError):
    """A label map that cannot be used; the message says why."""


def normalise(label: str) -> str:
    """The form labels are compared in: "Pants-on-Fire!" -> "pants on fire"."""
    text = label.casefold().replace("-", " ").replace("_", " ")
    return " ".join(text.split()).strip(" .!")


def checked_map(value: Any, where: str) -> dict[str, str | None]:
    """A label map (dict, or JSON text of one, as an environment variable gives it) as
    {foreign label: our label key or None}. Raises LabelMapError naming ``where``."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError as error:
            raise LabelMapError(f"{where} is not valid JSON ({error.msg}, line {error.lineno})") from None
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise LabelMapError(f"{where} must be a JSON object of foreign label -> label key")
    mapping: dict[str, str | None] = {}
    for foreign, key in value.items():
        if not isinstance(foreign, str) or not foreign.strip():
            raise LabelMapError(f"{where}: every foreign label must be a non-empty text")
        if key is not None and not isinstance(key, str):
            raise LabelMapError(f"{where}: {foreign!r} must map to a label key (text) or null")
        mapping[foreign] = key.strip() if isinstance(key, str) else None
    return mapping


def read_map_file(path: Path) -> dict[str, str | None]:
    """The label map in a JSON file. Raises LabelMapError when it cannot be read or is malformed."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LabelMapError(f"cannot read the label map {path}: {_reason(error)}") from None
    return checked_map(text or "{}", f"the label map {path}")


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


@dataclass(frozen=True)
class RatingNumbers:
    """A rating's ``ratingValue``, ``bestRating`` and ``worstRating`` (each may be missing)."""

    value: float | None = None
    best: float | None = None
    worst: float | None = None

    def as_dict(self) -> dict[str, int | float | None]:
        return {"value": _plain(self.value), "best": _plain(self.best), "worst": _plain(self.worst)}

    def fraction(self) -> float | None:
        """Where the value sits on its scale, 0 (worst) to 1 (best); None without a usable scale."""
        value, best, worst = self.value, self.best, self.worst
        if value is None or best is None or worst is None or best == worst:
            return None
        low, high = min(best, worst), max(best, worst)
        if not low <= value <= high:
            return None
        # Some scales run backwards (1 = best); the fraction always measures accuracy.
        return (value - worst) / (best - worst)


def _plain(number: float | None) -> int | float | None:
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number


def number(value: Any) -> float | None:
    """A rating number as JSON-LD gives it (3, 3.5, "3"); None when it is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


@dataclass(frozen=True)
class LabelMatch:
    """The label of our scale a foreign rating maps to (None: unmapped), and how it was found."""

    label: RatingLabel | None
    # "map", "scale" (our own label's name or key), "number", or "" when unmapped.
    how: str = ""


class LabelMapper:
    """Finds our label for a foreign one; built once per import from the scale and the map."""

    def __init__(self, labels: Iterable[RatingLabel], mapping: Mapping[str, str | None]) -> None:
        active = [label for label in labels if label.is_active]
        by_key = {label.key: label for label in active}
        self._own: dict[str, RatingLabel] = {}
        for label in active:
            self._own.setdefault(normalise(label.name), label)
            self._own.setdefault(normalise(label.key), label)
        self._mapped: dict[str, RatingLabel | None] = {}
        # Entries naming a key that is not an active label of the scale (reported, then ignored).
        self.problems: list[str] = []
        for foreign, key in mapping.items():
            if key is None:
                self._mapped[normalise(foreign)] = None
                continue
            label = by_key.get(key)
            if label is None:
                self.problems.append(
                    f"the label map sends {foreign!r} to {key!r}, which is not an active label of the rating scale"
                )
                continue
            self._mapped[normalise(foreign)] = label
        self._ordered = sorted((label for label in active if label.value is not None), key=_value)

    def match(self, name: str | None, numbers: RatingNumbers | None = None) -> LabelMatch:
        if name:
            key = normalise(name)
            if key in self._mapped:
                mapped = self._mapped[key]
                # Mapped to null on purpose: unmapped, and the numbers are not consulted either.
                return LabelMatch(mapped, "map" if mapped is not None else "")
            if key in self._own:
                return LabelMatch(self._own[key], "scale")
        by_number = self._by_number(numbers)
        if by_number is not None:
            return LabelMatch(by_number, "number")
        return LabelMatch(None)

    def _by_number(self, numbers: RatingNumbers | None) -> RatingLabel | None:
        fraction = numbers.fraction() if numbers is not None else None
        if fraction is None or not self._ordered:
            return None
        low, high = _value(self._ordered[0]), _value(self._ordered[-1])
        target = low + fraction * (high - low)
        # Nearest value; on a tie the less accurate label (the sort is stable, lowest first).
        return min(self._ordered, key=lambda label: abs(_value(label) - target))


def _value(label: RatingLabel) -> int:
    assert label.value is not None
    return label.value


# --- mapping stored labels later ------------------------------------------------------------


class UnknownLabel(LookupError):
    """A label that is not an active label of our rating scale; the message lists those that are."""


def scale_label(session: Session, wanted: str) -> RatingLabel:
    """The active label of our scale named ``wanted`` by key or name ("mostly-false", "Mostly false").
    Raises UnknownLabel."""
    active = list(
        session.scalars(select(RatingLabel).where(RatingLabel.is_active).order_by(RatingLabel.position))
    )
    for label in active:
        if normalise(wanted) in (normalise(label.key), normalise(label.name)):
            return label
    keys = ", ".join(label.key for label in active)
    raise UnknownLabel(f"{wanted!r} is not a label of the rating scale (its labels: {keys})")


@dataclass(frozen=True)
class Remapped:
    """What mapping a stored foreign label did: verdicts changed, already so, left as edited here."""

    changed: int = 0
    unchanged: int = 0
    edited_here: int = 0


def map_stored_label(session: Session, foreign: str, target: RatingLabel) -> Remapped:
    """Give every imported verdict whose label as imported is ``foreign`` (any case, hyphens and
    a trailing "!" aside, as the label map matches) our label ``target``. Verdicts someone here
    changed since the import are left as they are. Flushes; the caller commits and gives the reason.

    The label as imported is ``verdicts.imported_label`` (CSV rows; ClaimReview records imported
    from revision 0009 on), else, for a ClaimReview record, its latest publication's label: what
    readers see. Nothing public changes: only the verdict's label on our scale does."""
    wanted = normalise(foreign)
    spellings = [
        name
        for name in session.scalars(
            select(Verdict.imported_label).where(Verdict.imported_label.is_not(None)).distinct()
        )
        if normalise(name) == wanted
    ]
    verdicts = list(session.scalars(select(Verdict).where(Verdict.imported_label.in_(spellings))))
    latest = (
        select(Publication.claim_id, func.max(Publication.revision).label("revision"))
        .group_by(Publication.claim_id)
        .subquery()
    )
    published = select(Publication.label_name).join(
        latest, (latest.c.claim_id == Publication.claim_id) & (latest.c.revision == Publication.revision)
    )
    shown = [
        name
        for name in session.scalars(
            published.join(Claim, Claim.id == Publication.claim_id)
            .where(Claim.imported_from.is_not(None))
            .distinct()
        )
        if normalise(name) == wanted
    ]
    if shown:
        verdicts += session.scalars(
            select(Verdict)
            .join(Claim, Claim.id == Verdict.claim_id)
            .join(latest, latest.c.claim_id == Claim.id)
            .join(
                Publication,
                (Publication.claim_id == Claim.id) & (Publication.revision == latest.c.revision),
            )
            .where(
                Claim.imported_from.is_not(None),
                Verdict.imported_label.is_(None),
                Publication.label_name.in_(shown),
            )
        )
    changed = unchanged = edited = 0
    for verdict in verdicts:
        if verdict.label_id == target.id:
            unchanged += 1
        elif verdict.updated_by_id is not None:
            edited += 1
        else:
            verdict.label_id = target.id
            changed += 1
    session.flush()
    return Remapped(changed, unchanged, edited)
