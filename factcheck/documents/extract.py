"""Reading an uploaded file into a document's text.

Plain text and Markdown are kept as written (decoded from UTF-8, or UTF-16
with a byte-order mark); HTML is reduced to its main text by trafilatura,
which also offers the page's title, author, outlet, date and language.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date

import trafilatura
from flask_babel import gettext as _

EXTENSIONS = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
ACCEPTED = ".txt, .md, .html or .pdf"
# Pasted text that starts like a web page's source (a doctype, <html>, or a block element
# such as <article> or <p>) is read like an uploaded .html file, not stored as tags.
_HTML_START = re.compile(
    r"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|article|main|section|div|p|h[1-6]|table|ul|ol)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
# HTML takes far longer to read than text (trafilatura parses and scores the whole
# page: the attack test's 1.8 MB page took 6 s), so an uploaded page is bounded more
# tightly than a document's text (config MAX_HTML_UPLOAD_BYTES, docs/limits.md).
DEFAULT_MAX_HTML_BYTES = 1024 * 1024
# Control characters other than tab and line feed have no place in a text people read;
# NUL in particular marks a binary file (and PostgreSQL text cannot hold it).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

logger = logging.getLogger(__name__)


class UnreadableUpload(ValueError):
    """The file cannot become a document; the message says why, for the person who sent it."""


@dataclass
class Extracted:
    """A document's text and what the file says about itself (empty when it says nothing)."""

    text: str
    metadata: dict[str, str | date] = field(default_factory=dict)


def normalise_text(text: str) -> str:
    """The text as stored: line breaks as \\n (as browsers hand them to scripts), no stray control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def extension_of(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""


def looks_like_html(text: str) -> bool:
    """Whether pasted text is a web page's source (or a piece of one) rather than text."""
    return bool(_HTML_START.match(text[:4096])) and "</" in text


def read_pasted_html(text: str, *, max_html_bytes: int = DEFAULT_MAX_HTML_BYTES) -> Extracted:
    """Pasted HTML read like an uploaded .html file. Raises UnreadableUpload."""
    return read_upload("pasted.html", text.encode("utf-8"), max_html_bytes=max_html_bytes)


def read_upload(filename: str, data: bytes, *, max_html_bytes: int = DEFAULT_MAX_HTML_BYTES) -> Extracted:
    """The text of an uploaded file. Raises UnreadableUpload with a readable reason."""
    kind = EXTENSIONS.get(extension_of(filename))
    if kind is None:
        raise UnreadableUpload(_("Upload a %(accepted)s file.", accepted=ACCEPTED))
    if not data:
        raise UnreadableUpload(_("The file is empty."))
    if kind == "html":
        if len(data) > max_html_bytes:
            raise UnreadableUpload(
                _(
                    "This web page is too large to read here (the most is %(size)s): "
                    "save its text as a .txt file, or paste the text, and send that.",
                    size=readable_size(max_html_bytes),
                )
            )
        return _read_html(data)
    text = normalise_text(_decode(data))
    if not text:
        raise UnreadableUpload(_("The file has no text."))
    return Extracted(text)


def readable_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _decode(data: bytes) -> str:
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise UnreadableUpload(
            _("The file is not readable text: save it with UTF-8 encoding and upload it again.")
        ) from None
    if "\x00" in text:
        raise UnreadableUpload(_("The file is not a text file."))
    return text


def _read_html(data: bytes) -> Extracted:
    try:
        result = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
        )
    except Exception:
        # Whatever broke inside the parser, the uploader can only be told the page is unreadable.
        logger.warning("HTML extraction failed", exc_info=True)
        result = None
    text = normalise_text(result.text or "") if result is not None else ""
    if not text:
        raise UnreadableUpload(_("No readable text was found in this page."))
    metadata: dict[str, str | date] = {}
    for name, key in (("title", "title"), ("author", "author"), ("outlet", "sitename"), ("url", "url")):
        value = getattr(result, key, None)
        if isinstance(value, str) and value.strip():
            metadata[name] = value.strip()
    published = getattr(result, "date", None)
    if isinstance(published, str):
        with contextlib.suppress(ValueError):
            metadata["published_on"] = date.fromisoformat(published[:10])
    language = _page_language(data)
    if language:
        metadata["language"] = language
    return Extracted(text, metadata)


def _page_language(data: bytes) -> str | None:
    """The language the page declares (``<html lang="...">``), if it looks like a language tag."""
    tree = trafilatura.load_html(data)
    if tree is None:
        return None
    declared = (tree.getroottree().getroot().get("lang") or "").strip()
    return declared if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", declared) else None
