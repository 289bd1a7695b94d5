"""Dates, numbers and relative times in the page's language (factcheck/web/formatting.py and
the ``datetime``, ``date``, ``number``, ``percent`` and ``timeago`` filters)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string

from factcheck.accounts.models import Role
from factcheck.web import formatting
from tests.helpers import text
from tests.i18n.languages import headers_for

MOMENT = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "moment", "day", "long_day", "number", "share", "ago"),
    [
        ("en", "2026-03-14 10:00 UTC", "2026-03-14", "14 March 2026", "1,234,567", "50%", "3 days ago"),
        (
            "es",
            "14 mar 2026, 10:00 UTC",
            "14 mar 2026",
            "14 de marzo de 2026",
            "1.234.567",
            "50\xa0%",
            "hace 3 días",
        ),
        (
            "ar",
            "14 مارس 2026، 10:00 ص UTC",
            "14\u200f/03\u200f/2026",
            "14 مارس 2026",
            "1,234,567",
            "50%",
            "قبل 3 أيام",
        ),
    ],
)
def test_each_language_writes_them_its_own_way(language, moment, day, long_day, number, share, ago):
    assert formatting.format_datetime(MOMENT, language) == moment
    assert formatting.format_date(MOMENT.date(), language) == day
    assert formatting.format_long_date(MOMENT.date(), language) == long_day
    assert formatting.format_number(1234567, language) == number
    assert formatting.format_percent(0.5, language) == share
    assert formatting.format_timeago(MOMENT - timedelta(days=3), language, now=MOMENT) == ago


def test_times_are_shown_in_utc_whatever_zone_they_come_in():
    from zoneinfo import ZoneInfo

    madrid = MOMENT.astimezone(ZoneInfo("Europe/Madrid"))
    assert formatting.format_datetime(madrid, "es") == "14 mar 2026, 10:00 UTC"
    assert formatting.format_datetime(MOMENT.replace(tzinfo=None), "en") == "2026-03-14 10:00 UTC"


def test_relative_times_look_both_ways_and_say_just_now():
    assert formatting.format_timeago(MOMENT + timedelta(hours=2), "en", now=MOMENT) == "in 2 hours"
    assert formatting.format_timeago(MOMENT + timedelta(hours=2), "es", now=MOMENT) == "dentro de 2 horas"
    assert formatting.format_timeago(MOMENT - timedelta(seconds=20), "en", now=MOMENT) == "just now"


def test_nothing_to_show_is_an_empty_string():
    for function in (formatting.format_datetime, formatting.format_date, formatting.format_long_date):
        assert function(None, "es") == ""
    assert formatting.format_number(None, "es") == formatting.format_timeago(None, "es") == ""


def test_right_to_left_text_is_isolated_and_other_text_is_not():
    assert formatting.isolated("3 ديسمبر 2026", "ar") == "\u20683 ديسمبر 2026\u2069"
    assert formatting.isolated("3 dic 2026", "es") == "3 dic 2026"
    assert formatting.isolated("", "ar") == ""


def test_an_unknown_language_is_written_as_english():
    assert formatting.format_date(date(2019, 1, 23), "xx") == "2019-01-23"


def test_excel_date_formats_come_from_the_languages_short_date():
    assert formatting.excel_date_format(None) == "yyyy-mm-dd"
    assert formatting.excel_date_format("en") == "yyyy-mm-dd"
    assert formatting.excel_date_format("es") == "dd/mm/yyyy"
    assert formatting.excel_date_format("ar") == "dd/mm/yyyy"
    # Year first where the language writes it first.
    assert formatting.excel_date_format("ja").startswith("yyyy")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "2026-03-14 10:00 UTC|2026-03-14|1,234|50%"),
        ("es", "14 mar 2026, 10:00 UTC|14 mar 2026|1.234|50\xa0%"),
    ],
)
def test_the_filters_use_the_pages_language(app, language, expected):
    with app.test_request_context(headers=headers_for(language)):
        shown = render_template_string(
            "{{ t | datetime }}|{{ t | date }}|{{ n | number }}|{{ s | percent }}", t=MOMENT, n=1234, s=0.5
        )
    assert shown == expected


def test_the_timeago_filter_uses_the_pages_language(app):
    three_days_ago = datetime.now(UTC) - timedelta(days=3, minutes=1)
    with app.test_request_context(headers=headers_for("ar")):
        # Isolated (FSI ... PDI): it keeps its order inside a left-to-right sentence.
        assert render_template_string("{{ t | timeago }}", t=three_days_ago) == "\u2068قبل 3 أيام\u2069"
    with app.test_request_context():
        assert render_template_string("{{ t | timeago }}", t=three_days_ago) == "3 days ago"


def test_the_desk_shows_a_claims_date_in_the_desk_language(client, login_as, claim):
    login_as(Role.REVIEWER)

    english = text(client.get(f"/claims/{claim.id}"))
    spanish = text(client.get(f"/claims/{claim.id}", headers=headers_for("es")))

    assert ", 2019-01-23" in english
    assert ", 23 ene 2019" in spanish


def test_a_comment_says_how_long_ago_it_was_written(client, login_as, claim, db_session):
    from factcheck.audit.changesets import Actor, set_actor
    from factcheck.discussion.operations import add_comment

    author = login_as(Role.REVIEWER)
    set_actor(db_session, Actor.for_user(author, origin="test"))
    comment = add_comment(db_session, author, claim, "The range is disputed.")
    comment.created_at = datetime.now(UTC) - timedelta(days=3, minutes=1)
    db_session.commit()

    english = text(client.get(f"/claims/{claim.id}"))
    spanish = text(client.get(f"/claims/{claim.id}", headers=headers_for("es")))

    assert "3 days ago</time>" in english
    assert "hace 3 días</time>" in spanish
    # The exact time stays one hover away, and machine-readable.
    assert f'datetime="{comment.created_at.isoformat()}"' in english
