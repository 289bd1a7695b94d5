"""A small web site for the fetching tests: listens on 127.0.0.1 in a thread and answers each
path with what the test put there (status, headers, body, an optional delay)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Ministry says missile range is 480 km | Example Herald</title>
<meta property="og:site_name" content="Example Herald">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2026-11-20T08:00:00Z">
<script>window.tracker = 1;</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Ministry says missile range is 480 km</h1>
<p>The Russian Ministry of Defence said on Thursday that its 9M729 cruise missile has a maximum
range of 480 kilometres, below the limit set by the Intermediate-Range Nuclear Forces Treaty.</p>
<p>Western officials dispute the figure. A NATO statement says tests showed the missile can fly
much further, and that its deployment breaches the treaty.</p>
<p>Independent analysts told the Herald that the published specifications leave questions open,
and that the launcher shown to journalists was larger than the one used for earlier missiles.</p>
</article>
<footer>Copyright Example Herald</footer>
</body></html>
"""


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Site:
    url: str = ""
    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def put(self, path: str, body: str | bytes = ARTICLE, **kwargs: object) -> str:
        """Serve ``body`` at ``path``; returns the page's address."""
        self.pages[path] = Page(body=body.encode() if isinstance(body, str) else body, **kwargs)  # type: ignore[arg-type]
        return self.url + path

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.pages[path] = Page(status=status, headers={"Location": to}, content_type="text/plain")
        return self.url + path

    def paths_requested(self) -> list[str]:
        return [path for path, _ in self.requests]


@contextmanager
def running_site() -> Iterator[Site]:
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, {name.lower(): value for name, value in self.headers.items()}))
            page = site.pages.get(self.path) or Page(status=404, body=b"not found", content_type="text/plain")
            if page.delay:
                time.sleep(page.delay)
            try:
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (too slow, too big): expected

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
