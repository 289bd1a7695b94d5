"""Seconds to read an uploaded PDF's text, by number of pages (pypdf; pdfplumber too when installed).

    python bench/pdf_upload.py 30 100

Renders a report with WeasyPrint (two of every three pages one column of text, every
third in two columns, an Arabic line on the others) and times factcheck's reader, and
pdfplumber's extract_text for comparison when it is importable. It also says whether
the two-column page is read left column first and whether the Arabic line comes out
in reading order.
"""

from __future__ import annotations

import io
import sys
import time

import weasyprint

from factcheck.documents.pdf import read_pdf

PARAGRAPH = "The ministry reported that unemployment fell to 4.2 per cent in the third quarter, the lowest since 2008. "
ARABIC = "قال الوزير إن البطالة انخفضت"


def report(pages: int) -> bytes:
    sections = []
    for n in range(1, pages + 1):
        if n % 3 == 0:
            body = f'<div class="cols"><p>LEFT{n} {PARAGRAPH * 4}</p><p>RIGHT{n} {PARAGRAPH * 4}</p></div>'
        else:
            body = f'<p>{PARAGRAPH * 6}</p><p lang="ar" dir="rtl">{ARABIC}</p>'
        sections.append(f"<section><h2>Page {n}</h2>{body}</section>")
    style = "<style>section { break-after: page } .cols { columns: 2 }</style>"
    return weasyprint.HTML(string=style + "".join(sections)).write_pdf()


def main(counts: list[int]) -> None:
    try:
        import pdfplumber
    except ImportError:
        pdfplumber = None
    for pages in counts:
        data = report(pages)
        started = time.perf_counter()
        read = read_pdf(data)
        took = time.perf_counter() - started
        third = read.text[read.page_starts[2] : read.page_starts[3] if pages > 3 else None]
        print(
            f"pypdf {pages} pages: {took:.2f} s; columns in order: {third.find('LEFT3') < third.find('RIGHT3')}; "
            f"Arabic in reading order: {ARABIC in read.text}"
        )
        if pdfplumber is not None:
            started = time.perf_counter()
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                text = "\n".join(page.extract_text() or "" for page in pdf.pages)
            print(
                f"pdfplumber {pages} pages: {time.perf_counter() - started:.2f} s; "
                f"Arabic in reading order: {ARABIC in text}"
            )


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [30])
