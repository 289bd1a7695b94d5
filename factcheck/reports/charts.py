"""Charts of the team report as accessible SVG, drawn on the server.

Each chart is one ``<svg role="img">`` named by its ``<title>`` and described
by its ``<desc>`` (a sentence with the numbers), so a screen reader announces
it as one image with a text alternative; the page puts a data table next to
it. Colours are presentation attributes, so a chart looks the same wherever
it is drawn (browser, PDF renderer, a copied SVG file), and every element has
a class the stylesheet can restyle. Bars and text meet WCAG contrast against
white: 3:1 at least for the bars, 4.5:1 for the text. No inline styles and no
scripts, so the strict Content Security Policy holds.

Captured bars stand left of published ones in each week, so position tells
the series apart as well as colour. Every bar is a ``<g class="chart-bar">``
with a ``<title>`` tooltip and its number in ``data-value`` (plus
``data-label``, or ``data-week`` and ``data-series``), which the tests read back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from flask import has_app_context
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from factcheck.reports.figures import LabelCount, WeekFlow

INK = "#1d232b"  # 15.9:1 on white
MUTED = "#5b6470"  # 6.0:1
GRID = "#d7dce2"
# Series colours: blue and orange stay apart for the common colour-vision deficiencies.
BAR = "#0b5cad"  # 6.6:1
CAPTURED = "#0b5cad"
PUBLISHED = "#b04a00"  # 5.5:1

FONT_SIZE = 13
SMALL_FONT_SIZE = 11
WIDTH = 720


def _attrs(**values: object) -> Markup:
    """Escaped XML attributes; a trailing underscore is dropped, other underscores become dashes."""
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        name = name.rstrip("_").replace("_", "-")
        parts.append(f'{name}="{escape(str(value))}"')
    return Markup(" ".join(parts))  # noqa: S704 - every value escaped above


def _number(value: float) -> str:
    """Coordinates with at most two decimals, so the markup stays short and stable."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_ceiling(value: int) -> tuple[int, int]:
    """(top of the axis, step between grid lines): at most five steps of 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1, 1
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return math.ceil(value / step) * step, step


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> Markup:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f"{_attrs(id=chart_id, class_='chart', role='img', aria_labelledby=f'{title_id} {desc_id}')} "
        f'viewBox="0 0 {WIDTH} {_number(height)}" width="{WIDTH}" height="{_number(height)}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f"<title {_attrs(id=title_id)}>{escape(title)}</title>"
        f"<desc {_attrs(id=desc_id)}>{escape(desc)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - built from escaped parts


def _text(x: float, y: float, content: str, *, css: str, size: int = FONT_SIZE, **extra: object) -> str:
    return (
        f"<text {_attrs(class_=css, x=_number(x), y=_number(y), font_size=size, **extra)}>"
        f"{escape(content)}</text>"
    )


def verdict_chart(
    rows: Sequence[LabelCount], *, chart_id: str = "verdict-chart", title: str | None = None
) -> Markup:
    """A horizontal bar per label (the scale's order, zeros included), the count at the end of each bar."""
    total = sum(row.count for row in rows)
    parts = ", ".join(f"{row.name}: {row.count}" for row in rows)
    desc = (
        ngettext("%(num)d verdict published, by label.", "%(num)d verdicts published, by label.", total)
        + f" {parts}."
        if rows
        else _("No labels to show.")
    )
    label_width, bar_left, bar_room = 190, 200, WIDTH - 200 - 60
    row_height, top = 30, 10
    top_value = max((row.count for row in rows), default=0) or 1
    body = []
    for index, row in enumerate(rows):
        y = top + index * row_height
        width = bar_room * row.count / top_value
        body.append(
            f"<g {_attrs(class_='chart-bar', data_label=row.name, data_value=row.count)}>"
            f"<title>{escape(f'{row.name}: {row.count}')}</title>"
            + _text(
                label_width, y + 19, _shorten(row.name, 26), css="chart-label", text_anchor="end", fill=INK
            )
            + f"<rect {_attrs(class_='chart-fill', x=bar_left, y=y + 4, width=_number(width), height=row_height - 8, fill=BAR)}/>"
            + _text(bar_left + width + 6, y + 19, str(row.count), css="chart-value", fill=INK)
            + "</g>"
        )
    axis_bottom = top + len(rows) * row_height
    body.insert(
        0,
        f"<line {_attrs(class_='chart-axis', x1=bar_left, y1=top, x2=bar_left, y2=axis_bottom, stroke=MUTED)}/>",
    )
    return _svg(chart_id, title or _("Verdicts published"), desc, axis_bottom + 10, body)


def _week_label(day: date) -> str:
    # The month in the interface's language ("4 Mar", "4 mar"); English without an app (tests, scripts).
    return format_date(day, "d MMM") if has_app_context() else f"{day.day} {day:%b}"


def weekly_chart(
    weeks: Sequence[WeekFlow],
    *,
    chart_id: str = "weekly-chart",
    title: str | None = None,
) -> Markup:
    """Two bars per week (captured, published) over a grid, with a legend."""
    captured, published = sum(w.captured for w in weeks), sum(w.published for w in weeks)
    if weeks:
        busiest = max(weeks, key=lambda w: (w.captured, -w.first_day.toordinal()))
        desc = _(
            "%(weeks)s from %(first)s to %(last)s: %(captured)s captured and %(published)s published in all",
            weeks=ngettext("%(num)d week", "%(num)d weeks", len(weeks)),
            first=weeks[0].first_day.isoformat(),
            last=weeks[-1].last_day.isoformat(),
            captured=ngettext("%(num)d claim", "%(num)d claims", captured),
            published=ngettext("%(num)d verdict", "%(num)d verdicts", published),
        ) + (
            _(
                "; most claims captured in the week of %(first)s (%(count)s).",
                first=busiest.first_day.isoformat(),
                count=busiest.captured,
            )
            if busiest.captured
            else "."
        )
    else:
        desc = _("No weeks to show.")
    left, right, top, plot_height = 44, 12, 40, 200
    plot_width = WIDTH - left - right
    axis_top, step = nice_ceiling(max((max(w.captured, w.published) for w in weeks), default=0))
    bottom = top + plot_height
    body = [
        # Legend.
        f"<rect {_attrs(class_='chart-fill chart-captured', x=left, y=8, width=14, height=14, fill=CAPTURED)}/>",
        _text(left + 20, 20, _("Captured"), css="chart-label", fill=INK),
        f"<rect {_attrs(class_='chart-fill chart-published', x=left + 110, y=8, width=14, height=14, fill=PUBLISHED)}/>",
        _text(left + 130, 20, _("Published"), css="chart-label", fill=INK),
    ]
    for tick in range(0, axis_top + 1, step):
        y = bottom - plot_height * tick / axis_top
        body.append(
            f"<line {_attrs(class_='chart-grid', x1=left, y1=_number(y), x2=WIDTH - right, y2=_number(y), stroke=GRID)}/>"
        )
        body.append(
            _text(
                left - 6,
                y + 4,
                str(tick),
                css="chart-value",
                size=SMALL_FONT_SIZE,
                text_anchor="end",
                fill=MUTED,
            )
        )
    slot = plot_width / max(len(weeks), 1)
    bar_width = max(min(slot * 0.38, 28), 0.5)
    gap = min(2.0, slot * 0.05)
    # Label at most about twelve weeks, evenly spaced.
    label_every = max(1, math.ceil(len(weeks) / 12))
    for index, week in enumerate(weeks):
        centre = left + slot * (index + 0.5)
        for series, value, colour, offset, tip in (
            # A gap between the pair, so each bar meets only the white background.
            (
                "captured",
                week.captured,
                CAPTURED,
                -bar_width - gap / 2,
                _(
                    "Week of %(first)s: %(count)s captured",
                    first=week.first_day.isoformat(),
                    count=week.captured,
                ),
            ),
            (
                "published",
                week.published,
                PUBLISHED,
                gap / 2,
                _(
                    "Week of %(first)s: %(count)s published",
                    first=week.first_day.isoformat(),
                    count=week.published,
                ),
            ),
        ):
            height = plot_height * value / axis_top
            body.append(
                f"<g {_attrs(class_='chart-bar', data_series=series, data_week=week.first_day.isoformat(), data_value=value)}>"
                f"<title>{escape(tip)}</title>"
                f"<rect {_attrs(class_=f'chart-fill chart-{series}', x=_number(centre + offset), y=_number(bottom - height), width=_number(bar_width), height=_number(height), fill=colour)}/>"
                "</g>"
            )
        if index % label_every == 0:
            body.append(
                _text(
                    centre,
                    bottom + 16,
                    _week_label(week.first_day),
                    css="chart-label",
                    size=SMALL_FONT_SIZE,
                    text_anchor="middle",
                    fill=INK,
                )
            )
    body.append(
        f"<line {_attrs(class_='chart-axis', x1=left, y1=bottom, x2=WIDTH - right, y2=bottom, stroke=MUTED)}/>"
    )
    return _svg(
        chart_id, title or _("Claims captured and verdicts published per week"), desc, bottom + 28, body
    )
