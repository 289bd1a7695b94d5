"""Dates, numbers and relative times as a reader of the page's language writes them (Babel).

English keeps the forms the app has always shown: the desk's unambiguous
"2026-03-14 10:00 UTC" and "2026-03-14", and the public site's "4 December 2018";
other languages get their own (CLDR): "14 mar 2026, 10:00 UTC", "14 mar 2026",
"4 de diciembre de 2018", "14 مارس 2026". Times are shown in UTC, the newsroom's one clock (BABEL_DEFAULT_TIMEZONE).

Every function takes the language explicitly (a code or a Babel Locale), so exports and
PDFs rendered outside a request can use them; the template filters pass the page's.
Machine formats (ISO 8601 in ``<time datetime>``, CSV, JSON) never come through here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import gettext as _

SOURCE_LANGUAGE = "en"
# The desk's date skeleton: day, abbreviated month, year (CLDR picks each language's order).
DATE_SKELETON = "yMMMd"


def locale_of(language: Any) -> Locale:
    """A Babel Locale for a language code ("es", "es-419", "ar") or a Locale; English if unknown."""
    if isinstance(language, Locale):
        return language
    try:
        return Locale.parse(str(language or SOURCE_LANGUAGE).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)


def _is_source(locale: Locale) -> bool:
    return locale.language == SOURCE_LANGUAGE


def _as_utc(value: datetime) -> datetime:
    # Naive values are UTC already (the app's one clock); aware ones are converted.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_datetime(value: datetime | None, language: Any) -> str:
    """A moment, to the minute, in UTC: "2026-03-14 10:00 UTC" / "14 mar 2026, 10:00 UTC"."""
    if value is None:
        return ""
    moment = _as_utc(value)
    locale = locale_of(language)
    if _is_source(locale):
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    day = babel_dates.format_skeleton(DATE_SKELETON, moment, tzinfo=UTC, locale=locale)
    time = babel_dates.format_time(moment, format="short", tzinfo=UTC, locale=locale)
    # The language's own way of joining a date and a time ("{1}, {0}", "{1} في {0}").
    joined = str(locale.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)
    return f"{joined} UTC"


def _day(value: date | datetime) -> date:
    return _as_utc(value).date() if isinstance(value, datetime) else value


def format_date(value: date | datetime | None, language: Any) -> str:
    """A day on the desk: "2018-12-04" in English (like its times), else "4 dic 2018", "04/12/2018"."""
    if value is None:
        return ""
    day = _day(value)
    locale = locale_of(language)
    if _is_source(locale):
        return day.isoformat()
    return babel_dates.format_date(day, format="medium", locale=locale)


def format_long_date(value: date | datetime | None, language: Any) -> str:
    """A day as readers write it: "4 December 2018" / "4 de diciembre de 2018" / "4 ديسمبر 2018"."""
    if value is None:
        return ""
    day = _day(value)
    locale = locale_of(language)
    if _is_source(locale):
        return f"{day.day} {day:%B %Y}"
    return babel_dates.format_date(day, format="long", locale=locale)


def format_number(value: int | float | None, language: Any) -> str:
    """A count or figure with the language's digits and separators: 1,234 / 1.234."""
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, locale=locale_of(language))


def format_percent(value: float | None, language: Any) -> str:
    """A share (0.5 is half) as a percentage: 50% / 50 %."""
    if value is None:
        return ""
    return babel_numbers.format_percent(value, locale=locale_of(language))


def format_timeago(value: datetime | None, language: Any, now: datetime | None = None) -> str:
    """How long ago (or how soon): "3 days ago" / "hace 3 días" / "منذ 3 أيام", "in 2 hours"."""
    if value is None:
        return ""
    reference = _as_utc(now) if now is not None else datetime.now(UTC)
    delta: timedelta = _as_utc(value) - reference
    if abs(delta) < timedelta(minutes=1):
        # Babel would say "in 0 minutes".
        return _("just now")
    return babel_dates.format_timedelta(
        delta, granularity="minute", threshold=0.9, add_direction=True, locale=locale_of(language)
    )


def isolated(text: str, language: Any) -> str:
    """``text`` as a bidirectional isolate (FSI ... PDI) when ``language`` is written right to
    left, so an Arabic date keeps its order inside a left-to-right sentence, title or PDF
    ("3 ديسمبر 2026", not "3 2026 ديسمبر"); unchanged for other languages and when empty."""
    if text and locale_of(language).character_order == "right-to-left":
        return f"\u2068{text}\u2069"
    return text


def excel_date_format(language: Any) -> str:
    """An XLSX number format showing a date cell as readers of ``language`` write dates with
    digits ("dd/mm/yyyy" for Spanish and Arabic), from CLDR's short date pattern; ISO 8601
    ("yyyy-mm-dd") for English and when no language is given (the command line, the API)."""
    if language is None:
        return "yyyy-mm-dd"
    locale = locale_of(language)
    if _is_source(locale):
        return "yyyy-mm-dd"
    pattern = locale.date_formats["short"].pattern
    parts = []
    for token in (match.group(0) for match in _CLDR_TOKEN.finditer(pattern)):
        if token[0] == "y":
            parts.append("yyyy")
        elif token[0] in "ML":
            parts.append("mm")
        elif token[0] == "d":
            parts.append("dd")
        elif token.startswith("'"):
            parts.append(token.strip("'"))
        else:
            # Separators; CLDR's direction marks have no place in a cell format.
            parts.append("".join(ch for ch in token if ch not in "\u200e\u200f\u061c"))
    return "".join(parts)


# A run of one pattern letter, a quoted literal, or anything else (separators).
_CLDR_TOKEN = re.compile(r"([A-Za-z])\1*|'[^']*'|[^A-Za-z']+")
