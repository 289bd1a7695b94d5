"""Reading an uploaded PDF (an official report) into a document's text, page by page.

The pages' texts are joined with a blank line between them; ``page_starts`` says
where each page starts (code points), so an appearance knows its page. The text
is pypdf's, in the order the PDF draws it (right-to-left scripts come out in
reading order).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from factcheck.documents.extract import UnreadableUpload, normalise_text

MEDIA_TYPE = "application/pdf"
PAGE_SEPARATOR = "\n\n"
# A PDF starts with this; anything else is not one, whatever its name says.
MAGIC = b"%PDF-"
# Reading takes about 0.11 s a page on a busy 2-core machine (bench/pdf_upload.py: 100 pages
# in 11.5 s), so 200 pages stay inside the server's 30 s timeout (docs/limits.md).
MAX_PAGES = 200

logger = logging.getLogger(__name__)


@dataclass
class PdfText:
    text: str
    page_starts: list[int]
    title: str | None = None
    author: str | None = None


def read_pdf(data: bytes) -> PdfText:
    """The text of each page of the PDF, joined, and where each page starts.

    Raises UnreadableUpload for a file that is not a PDF, is encrypted, too long,
    or has no text (a scan).
    """
    if not data.startswith(MAGIC):
        raise UnreadableUpload(_("This file is not a PDF."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnreadableUpload(_("This PDF is protected by a password: upload a copy without one."))
        if len(reader.pages) > MAX_PAGES:
            raise UnreadableUpload(
                _("This PDF has more than %(max)d pages: upload the part that matters.", max=MAX_PAGES)
            )
        pages = [normalise_text(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata
    except PdfReadError:
        raise UnreadableUpload(_("This PDF is damaged and cannot be read.")) from None
    except UnreadableUpload:
        raise
    except Exception:
        # pypdf raises many kinds of error on malformed files; the uploader can only be told it failed.
        logger.warning("PDF extraction failed", exc_info=True)
        raise UnreadableUpload(_("This PDF cannot be read.")) from None
    if not any(pages):
        raise UnreadableUpload(
            _(
                "This PDF has no text to select: it is probably a scan. Run it through text recognition "
                "(OCR) first, or paste the passage that matters."
            )
        )
    starts: list[int] = []
    text = ""
    for page in pages:
        if text:
            text += PAGE_SEPARATOR
        starts.append(len(text))
        text += page
    return PdfText(text, starts, _info(info, "title"), _info(info, "author"))


def _info(info: object, name: str) -> str | None:
    """A field of the PDF's document information (title, author), or None when it is empty."""
    value = getattr(info, name, None) if info is not None else None
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None
