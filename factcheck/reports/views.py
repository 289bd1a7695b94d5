"""The team report: a desk page for a chosen period, and the same report as PDF and XLSX.

``/reports/team?from=YYYY-MM-DD&to=YYYY-MM-DD`` (both days included, UTC;
without them the last 30 days). A date that is not a date, a start after the
end or a period longer than :data:`~factcheck.reports.figures.MAX_DAYS` shows
the form again with the reason, answered 422, for the page and downloads alike.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Blueprint, Response, has_request_context, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from factcheck import db
from factcheck.claims.editing import MAX_TAG_LENGTH
from factcheck.db import utcnow
from factcheck.reports import charts, xlsx
from factcheck.reports.agreement import HOW_TO_READ
from factcheck.reports.figures import DEFAULT_DAYS, MAX_DAYS, Period, TeamReport, team_report
from factcheck.reports.verdicts import verdicts_per_person
from factcheck.security.permissions import Permission, requires
from factcheck.web import formatting
from factcheck.web.forms import Form
from factcheck.web.pdf import render_pdf

bp = Blueprint("reports", __name__, url_prefix="/reports")

DATE_MESSAGE = _l("Enter a date as YYYY-MM-DD, for example 2024-03-31.")
# Dates outside these are typing mistakes (and would overflow the date arithmetic at year 1 or 9999).
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class PeriodForm(Form):
    """The report's period, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), name="from", validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    end = DateField(_l("To"), name="to", validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    # Filters of the "verdicts per person" table only (factcheck/reports/verdicts.py).
    tag = StringField(_l("Tag"), validators=[Optional(), Length(max=MAX_TAG_LENGTH)])
    claimant = StringField(_l("Claimant"), validators=[Optional(), Length(max=200)])

    def period(self, today: date) -> Period | None:
        """The chosen period, or None with the reasons on the fields.

        Without dates: the last :data:`DEFAULT_DAYS` days up to ``today``. With
        only a start: from it to ``today`` (or that one day, if it is later);
        with only an end: the :data:`DEFAULT_DAYS` days up to it.
        """
        if not self.validate():
            return None
        start, end = self.start.data, self.end.data
        for field, day in ((self.start, start), (self.end, end)):
            if day is not None and not EARLIEST <= day <= LATEST:
                field.errors = [
                    *field.errors,
                    _("Choose a date between %(first)s and %(last)s.", first=EARLIEST.year, last=LATEST.year),
                ]
        if self.start.errors or self.end.errors:
            return None
        if start is None and end is None:
            return Period.ending(today)
        if start is None:
            start = Period.ending(end).start
        elif end is None:
            end = max(today, start)
        if start > end:
            self.end.errors = [*self.end.errors, _("The end of the period must not be before its start.")]
            return None
        period = Period(start, end)
        if period.days > MAX_DAYS:
            self.end.errors = [
                *self.end.errors,
                _(
                    "Choose a period of at most %(max)s days (this one has %(days)s).",
                    max=MAX_DAYS,
                    days=period.days,
                ),
            ]
            return None
        return period


# What a figure without a value shows, and the dash between two dates.
NO_VALUE = "\u2013"
DASH = "\u2013"


def _language() -> Any:
    # The page's (or the PDF's) language; English outside a request.
    return get_locale() if has_request_context() else formatting.SOURCE_LANGUAGE


def _english() -> bool:
    return formatting.locale_of(_language()).language == formatting.SOURCE_LANGUAGE


def _percent(share: float | None) -> str:
    if share is None:
        return NO_VALUE
    if _english():
        return f"{share * 100:.0f}%"
    return formatting.format_percent(round(share, 2), _language())


def _decimal(value: float | None, places: int = 1) -> str:
    if value is None:
        return NO_VALUE
    if _english():
        return f"{value:.{places}f}"
    return babel_numbers.format_decimal(
        value, format="#,##0." + "0" * places, locale=formatting.locale_of(_language())
    )


def _duration(hours: float | None) -> str:
    """ "2.9 days (70.5 hours)"; under two days in hours only ("36.0 hours")."""
    if hours is None:
        return NO_VALUE
    if hours < 48:
        return _("%(hours)s hours", hours=_decimal(hours))
    return _("%(days)s days (%(hours)s hours)", days=_decimal(hours / 24), hours=_decimal(hours))


def _long_date(day: date) -> str:
    return formatting.isolated(formatting.format_long_date(day, _language()), _language())


def _span(first: date, last: date) -> str:
    """ "4-10 Mar 2024", "26 Feb - 3 Mar 2024", "30 Dec 2024 - 5 Jan 2025" (with en dashes), or one day;
    in other languages as CLDR writes an interval ("4-10 mar 2024")."""
    if not _english():
        locale = formatting.locale_of(_language())
        if first == last:
            shown = babel_dates.format_skeleton("yMMMd", first, locale=locale)
        else:
            shown = babel_dates.format_interval(first, last, "yMMMd", locale=locale)
        return formatting.isolated(shown, locale)
    if first == last:
        return f"{first.day} {last:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}{DASH}{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} {DASH} {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} {DASH} {last.day} {last:%b %Y}"


FORMATTERS = {
    "percent": _percent,
    "decimal": _decimal,
    "duration": _duration,
    "long_date": _long_date,
    "span": _span,
}


def _period_args(period: Period) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def _context(report: TeamReport) -> dict[str, Any]:
    return {
        "report": report,
        "verdict_chart": charts.verdict_chart(report.verdicts),
        "weekly_chart": charts.weekly_chart(report.weekly),
        "how_to_read_alpha": HOW_TO_READ,
        "max_days": MAX_DAYS,
        **FORMATTERS,
    }


def _report_or_form() -> tuple[PeriodForm, TeamReport | None]:
    form = PeriodForm(request.args)
    period = form.period(utcnow().date())
    if period is None:
        return form, None
    return form, team_report(db.session(), period)


def _refused(form: PeriodForm) -> ResponseReturnValue:
    return render_template("reports/team.html", form=form, report=None, default_days=DEFAULT_DAYS), 422


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    # Desk figures and colleagues' names: not for shared caches, nor the browser's.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/team")
@requires(Permission.EXPORT)
def team() -> ResponseReturnValue:
    form, report = _report_or_form()
    if report is None:
        return _refused(form)
    args = _period_args(report.period)
    people = verdicts_per_person(db.session(), report.period, tag=form.tag.data, claimant=form.claimant.data)
    return render_template(
        "reports/team.html",
        form=form,
        verdict_people=people,
        default_days=DEFAULT_DAYS,
        pdf_url=url_for("reports.team_pdf", **args),
        xlsx_url=url_for("reports.team_xlsx", **args),
        **_context(report),
    )


@bp.route("/team.pdf")
@requires(Permission.EXPORT)
def team_pdf() -> ResponseReturnValue:
    form, report = _report_or_form()
    if report is None:
        return _refused(form)
    html = render_template("reports/team_pdf.html", **_context(report))
    return _attachment(
        render_pdf(html, base_url=request.url), "application/pdf", xlsx.filename(report, "pdf")
    )


@bp.route("/team.xlsx")
@requires(Permission.EXPORT)
def team_xlsx() -> ResponseReturnValue:
    form, report = _report_or_form()
    if report is None:
        return _refused(form)
    return _attachment(
        xlsx.build_workbook(report, get_locale()), xlsx.MIMETYPE, xlsx.filename(report, "xlsx")
    )
