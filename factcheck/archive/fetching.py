"""Fetching a web page for the desk: redirects, robots.txt, size, time and content-type rules.

Every request goes through factcheck/web/outgoing.py, which refuses private and
local addresses (unless FETCH_PRIVATE_ADDRESSES) at each connection. Redirects
are followed here, one hop at a time, so each new address is checked again.
Failures raise :class:`FetchError` with one readable line and a ``kind``
(too-big, too-slow, content-type, refused, robots, http, unreachable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib import robotparser
from urllib.parse import urljoin, urlsplit

from factcheck.db import utcnow
from factcheck.documents.extract import readable_size
from factcheck.web import outgoing

DEFAULT_USER_AGENT = "factcheck-fetcher/1.0 (+https://github.com/factcheck)"
DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_REDIRECTS = 5
# What a page the desk reads may be: web pages and plain text.
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A fetch that failed; the message is one line for the person who asked."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True)
class FetchSettings:
    """Config FETCH_*: docs/documents.md."""

    user_agent: str = DEFAULT_USER_AGENT
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    private_addresses: bool = False
    respect_robots: bool = True

    @classmethod
    def from_config(cls, config: Any) -> FetchSettings:
        return cls(
            user_agent=str(config.get("FETCH_USER_AGENT") or DEFAULT_USER_AGENT),
            max_bytes=int(config.get("FETCH_MAX_BYTES", DEFAULT_MAX_BYTES)),
            timeout=float(config.get("FETCH_TIMEOUT", DEFAULT_TIMEOUT)),
            max_redirects=int(config.get("FETCH_MAX_REDIRECTS", DEFAULT_MAX_REDIRECTS)),
            private_addresses=bool(config.get("FETCH_PRIVATE_ADDRESSES", False)),
            respect_robots=bool(config.get("FETCH_RESPECT_ROBOTS", True)),
        )

    @property
    def limits(self) -> outgoing.Limits:
        return outgoing.Limits(
            allow_private=self.private_addresses,
            connect_timeout=self.timeout,
            read_timeout=self.timeout,
            max_bytes=self.max_bytes,
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9"}


@dataclass(frozen=True)
class Fetched:
    """The page's final answer: what the WARC keeps and the text is read from."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    request_headers: dict[str, str]
    fetched_at: datetime

    @property
    def content_type(self) -> str:
        return (_header(self.headers, "Content-Type") or "").strip()

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()


def fetch(url: str, settings: FetchSettings) -> Fetched:
    """GET ``url`` following at most ``settings.max_redirects`` redirects. Raises FetchError."""
    current = url
    robots: dict[str, robotparser.RobotFileParser | None] = {}
    for _hop in range(settings.max_redirects + 1):
        if settings.respect_robots:
            _check_robots(current, settings, robots)
        fetched_at = utcnow()
        response = _get(current, settings)
        if response.status in _REDIRECTS:
            location = _header(response.headers, "Location")
            if not location:
                raise FetchError("http", f"the server answered {response.status} without a new address")
            current = urljoin(current, location)
            continue
        if response.status >= 400:
            raise FetchError("http", f"the server answered {response.status}")
        if response.truncated:
            raise FetchError(
                "too-big", f"the page is larger than the most fetched ({readable_size(settings.max_bytes)})"
            )
        fetched = Fetched(
            url=url,
            final_url=current,
            status=response.status,
            headers=response.headers,
            body=response.body,
            request_headers=settings.headers,
            fetched_at=fetched_at,
        )
        if fetched.media_type not in ACCEPTED_TYPES:
            raise FetchError(
                "content-type",
                f"the address gives {fetched.media_type or 'an unnamed type'}, not a web page or text",
            )
        return fetched
    raise FetchError("http", f"too many redirects (more than {settings.max_redirects})")


def _get(url: str, settings: FetchSettings) -> outgoing.Response:
    try:
        return outgoing.get(url, limits=settings.limits, headers=settings.headers)
    except outgoing.OutgoingError as exc:
        message = str(exc)
        if message == "timed out":
            raise FetchError(
                "too-slow", f"the server did not answer within {settings.timeout:g} seconds"
            ) from None
        if "refused" in message or message.startswith(("only http", "the address")):
            raise FetchError("refused", message) from None
        raise FetchError("unreachable", message) from None


def _check_robots(
    url: str, settings: FetchSettings, seen: dict[str, robotparser.RobotFileParser | None]
) -> None:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if origin not in seen:
        seen[origin] = _robots_of(origin, settings)
    parser = seen[origin]
    if parser is not None and not parser.can_fetch(settings.user_agent, url):
        raise FetchError("robots", f"the site's robots.txt does not allow fetching {url}")


def _robots_of(origin: str, settings: FetchSettings) -> robotparser.RobotFileParser | None:
    """The site's rules; None (everything allowed) when it has no robots.txt, as crawlers agree."""
    try:
        response = outgoing.get(f"{origin}/robots.txt", limits=settings.limits, headers=settings.headers)
    except outgoing.OutgoingError as exc:
        if "refused" in str(exc):
            raise FetchError("refused", str(exc)) from None
        return None
    if response.status >= 500:
        # RFC 9309: an unreachable robots.txt means the whole site is disallowed for now.
        raise FetchError("robots", f"the site's robots.txt could not be read (it answered {response.status})")
    if response.status >= 400 or response.status in _REDIRECTS:
        return None
    parser = robotparser.RobotFileParser()
    parser.parse(response.body.decode("utf-8", "replace").splitlines())
    return parser


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None
