"""HTML to PDF with WeasyPrint, offline: shared by every printable document (dossiers, reports).

The renderer fetches nothing from the network. Stylesheets (and any image) are
read from the app's own static folder: a URL that resolves, against the page's
``base_url``, to the app's ``/static/...`` address is served from disk; every
other URL (another host, ``file:``, ``data:``, a desk page) is refused, and
WeasyPrint leaves that resource out with a logged warning. So a link or image
in user-written Markdown can never make the server call out, and a PDF never
depends on a server fetching its own pages.

Templates for PDFs link their stylesheets as usual
(``<link rel="stylesheet" href="{{ url_for('static', filename='css/print.css') }}">``);
like the web pages, they have no inline styles.

WeasyPrint is imported on first use: it takes a second to load and needs
Debian's Pango libraries (libpango-1.0-0, libpangoft2-1.0-0), HarfBuzz-Subset
(libharfbuzz-subset0) and at least one font (fonts-dejavu-core).
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from flask import current_app, has_request_context, url_for
from werkzeug.security import safe_join


class RefusedFetch(ValueError):
    """A resource the PDF renderer will not fetch (not a file of the app's static folder)."""


@dataclass(frozen=True)
class StaticFiles:
    """Maps absolute URLs under ``base`` (the static folder's address) to files of ``folder``."""

    # Absolute URL of the static folder, ending in "/", e.g. "https://desk.example.org/static/".
    base: str
    folder: str

    def path_for(self, url: str) -> str:
        """The file a URL stands for; raises :class:`RefusedFetch` for anything else."""
        parts = urlsplit(url)
        plain = parts._replace(query="", fragment="").geturl()
        if not plain.startswith(self.base):
            raise RefusedFetch(f"not a static file of this app: {url}")
        name = unquote(plain[len(self.base) :])
        path = safe_join(self.folder, name) if name else None
        if path is None or not os.path.isfile(path):
            raise RefusedFetch(f"no such static file: {url}")
        return path


def static_files(base_url: str) -> StaticFiles:
    """The current app's static folder and its address as seen from a page at ``base_url``."""
    app = current_app
    if app.static_folder is None:
        raise RuntimeError("the app has no static folder")
    if has_request_context():
        # Includes the script root when the app is mounted under a prefix.
        prefix = url_for("static", filename="")
    else:
        prefix = (app.static_url_path or "/static") + "/"
    return StaticFiles(base=urljoin(base_url, prefix), folder=os.path.abspath(app.static_folder))


@cache
def _fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the app's static files from disk and refuses everything else."""

        def __init__(self, files: StaticFiles) -> None:
            super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
            self.files = files

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = self.files.path_for(url)
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as handle:
                body = handle.read()
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyFetcher


def static_fetcher(base_url: str) -> Any:
    """A WeasyPrint URL fetcher serving only the current app's static files (see the module doc)."""
    return _fetcher_class()(static_files(base_url))


def render_pdf(html: str, base_url: str) -> bytes:
    """The PDF of a complete HTML document (A4 and page numbers come from its print stylesheet).

    ``base_url`` is the http(s) address the document stands for (usually
    ``request.url``): relative links and stylesheet URLs resolve against it.
    Needs an app context. Resources other than static files are left out.
    """
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url, url_fetcher=static_fetcher(base_url))
    pdf = document.write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return bytes(pdf)
