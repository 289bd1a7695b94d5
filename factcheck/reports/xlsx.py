"""The team report as an XLSX workbook: one sheet per table of the report page.

Written with the data exports' XLSX machinery (:mod:`factcheck.exports.formats`:
``XLSX_OPTIONS``, ``XlsxStyles``, ``write_cell``). Numbers go in as number cells,
dates as date cells, and every text as a string cell (``write_string``, never the
guessing ``write``), so a claimant or a person named ``=HYPERLINK(...)`` stays text
and is never run as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from xlsxwriter.worksheet import Worksheet

from factcheck.exports.formats import XLSX_OPTIONS, XlsxStyles, write_cell
from factcheck.reports.figures import TeamReport
from factcheck.web import formatting

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sheet names, in order (Excel allows 31 characters).
SUMMARY = _l("Summary")
VERDICTS = _l("Verdicts")
WEEKLY = _l("Weekly flow")
PEOPLE = _l("Work per person")
CLAIMANTS = _l("Claimants")
SOURCES = _l("Sources by label")


def summary_rows(report: TeamReport, language: Any = None) -> list[tuple[str, Any]]:
    """(what, value) rows of the summary sheet; None leaves the value empty; the generation time
    as readers of ``language`` write it (factcheck/web/formatting.py)."""
    ttp, agreement, sources = report.time_to_publication, report.agreement, report.sources

    def days(hours: float | None) -> float | None:
        return hours / 24 if hours is not None else None

    return [
        (_("Period from"), report.period.start),
        (_("Period to"), report.period.end),
        (_("Generated (UTC)"), generated_at(report, language)),
        *report.counts,
        (_("Claims timed from capture to publication"), ttp.count),
        (_("Median time to publication (hours)"), ttp.median_hours),
        (_("Median time to publication (days)"), days(ttp.median_hours)),
        (_("90th percentile time to publication (hours)"), ttp.p90_hours),
        (_("90th percentile time to publication (days)"), days(ttp.p90_hours)),
        (_("Published claims not timed (imported)"), ttp.excluded),
        (_("Krippendorff's alpha (ordinal)"), agreement.alpha),
        (_("Claims in agreement"), agreement.claims),
        (_("Ratings in agreement"), agreement.ratings),
        (_("Reviewers in agreement"), agreement.reviewers),
        (_("Ratings excluded (labels outside the order)"), agreement.excluded_unordered),
        (_("Agreement reading"), agreement.reading),
        (_("Sources in published verdicts"), sources.sources),
        (_("Mean sources per verdict"), sources.mean),
        (_("Median sources per verdict"), sources.median),
        (_("Primary sources"), sources.primary),
        (_("Share of primary sources"), sources.primary_share),
    ]


def generated_at(report: TeamReport, language: Any) -> str:
    if formatting.locale_of(language).language == formatting.SOURCE_LANGUAGE:
        return report.generated_at.strftime("%Y-%m-%d %H:%M")
    return formatting.format_datetime(report.generated_at, language)


def build_workbook(report: TeamReport, language: Any = None) -> bytes:
    """The whole workbook, in memory (a report is a few hundred cells at most); date cells and
    the generation time shown as readers of ``language`` write them."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, **XLSX_OPTIONS})
    styles = XlsxStyles.of(workbook, language)
    bold = styles.bold
    formats = {
        "decimal": workbook.add_format({"num_format": "0.00"}),
        "percent": workbook.add_format({"num_format": "0.0%"}),
        "alpha": workbook.add_format({"num_format": "0.000"}),
    }

    def cell(sheet: Worksheet, row: int, column: int, value: Any, style: str | None = None) -> None:
        number_format = formats[style] if style else formats["decimal"] if isinstance(value, float) else None
        write_cell(sheet, row, column, value, styles, number_format=number_format, wrap=len(str(value)) > 60)

    def table(
        name: str,
        headers: Sequence[str],  # already in the interface's language
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        styles: Sequence[str | None] = (),
    ) -> None:
        sheet = workbook.add_worksheet(str(name))
        for column, header in enumerate(headers):
            sheet.write_string(0, column, header, bold)
            sheet.set_column(column, column, widths[column])
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                cell(sheet, number, column, value, styles[column] if column < len(styles) else None)
        sheet.freeze_panes(1, 0)

    # The same translated names summary_rows gives these rows.
    alpha_row = _("Krippendorff's alpha (ordinal)")
    share_row = _("Share of primary sources")
    summary = summary_rows(report, language)
    sheet = workbook.add_worksheet(str(SUMMARY))
    sheet.set_column(0, 0, 46)
    sheet.set_column(1, 1, 60)
    sheet.write_string(0, 0, _("Figure"), bold)
    sheet.write_string(0, 1, _("Value"), bold)
    for number, (what, value) in enumerate(summary, start=1):
        sheet.write_string(number, 0, str(what))
        style = "alpha" if what == alpha_row else "percent" if what == share_row else None
        cell(sheet, number, 1, value, style)
    sheet.freeze_panes(1, 0)

    table(
        VERDICTS,
        [_("Label"), _("Verdicts published")],
        [(r.name, r.count) for r in report.verdicts],
        [30, 20],
    )
    table(
        WEEKLY,
        [_("Week from"), _("Week to"), _("Claims captured"), _("Verdicts published")],
        [(w.first_day, w.last_day, w.captured, w.published) for w in report.weekly],
        [14, 14, 18, 20],
    )
    table(
        PEOPLE,
        [_("Person"), _("Ratings submitted"), _("Sources added"), _("Claims captured")],
        [(p.name, p.ratings, p.sources, p.claims) for p in report.people],
        [30, 18, 16, 16],
    )
    table(
        CLAIMANTS,
        [_("Claimant"), _("Claims captured")],
        [(c.name, c.claims) for c in report.claimants],
        [40, 16],
    )
    table(
        SOURCES,
        [
            _("Label"),
            _("Verdicts published"),
            _("Sources"),
            _("Mean sources per verdict"),
            _("Primary sources"),
            _("Primary share"),
        ],
        [
            (s.name, s.verdicts, s.sources, s.mean, s.primary, s.primary_share)
            for s in report.sources.by_label
        ],
        [30, 18, 10, 24, 16, 14],
        [None, None, None, "decimal", None, "percent"],
    )
    workbook.close()
    return output.getvalue()


def filename(report: TeamReport, extension: str) -> str:
    """``team-report-<from>-to-<to>.<extension>``."""
    return f"team-report-{report.period.start.isoformat()}-to-{report.period.end.isoformat()}.{extension}"
