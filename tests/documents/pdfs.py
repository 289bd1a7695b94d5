"""PDFs made for the tests with WeasyPrint: an official report with text on several pages, and a scan."""

from __future__ import annotations

import functools

REPORT_PAGES = [
    (
        "Labour Market Report, Third Quarter",
        "The Office for National Statistics publishes this report every quarter. "
        "It covers employment, unemployment and wages across the regions.",
    ),
    (
        "Unemployment",
        "Unemployment fell to 4.2 per cent in the third quarter, the lowest rate since 2008. "
        "The number of people out of work fell by 52,000 on the previous quarter.",
    ),
    (
        "Wages",
        "Average weekly earnings rose by 3.1 per cent on the year before, "
        "ahead of consumer price inflation for the fourth quarter running.",
    ),
]


def _render(html: str) -> bytes:
    import weasyprint  # loaded on first use: its start-up takes a second or two

    return weasyprint.HTML(string=html).write_pdf()


@functools.cache
def report_pdf() -> bytes:
    """A three-page report with a title, one section per page."""
    sections = "".join(
        f'<section class="page"><h1>{heading}</h1><p>{paragraph}</p></section>'
        for heading, paragraph in REPORT_PAGES
    )
    return _render(
        "<html><head><title>Labour Market Report Q3</title><meta name=author content='Office for National Statistics'>"
        "<style>.page { break-after: page; }</style></head>"
        f"<body>{sections}</body></html>"
    )


@functools.cache
def scanned_pdf() -> bytes:
    """A PDF whose pages hold only drawn shapes, as a scan holds only an image: no text to select."""
    return _render(
        "<html><body><div style='width: 10cm; height: 4cm; background: black'></div>"
        "<div style='break-before: page; width: 8cm; height: 3cm; background: gray'></div></body></html>"
    )
