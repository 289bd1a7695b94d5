"""Requests the app sends to other servers (webhook deliveries now; fetching web pages next).

Every outgoing request goes through :func:`post` or :func:`get` here, which:

- accept only ``http`` and ``https`` addresses;
- refuse private, loopback, link-local and other non-public addresses, checking
  every address the host name resolves to, at the moment of connecting (so a
  name that resolves to a public address when checked and a private one when
  connected, DNS rebinding, is refused too), unless ``allow_private`` is set
  (config ``OUTGOING_ALLOW_PRIVATE_ADDRESSES``; tests use it for a local receiver);
- never follow redirects (a redirect is answered as it is: its status code);
- time out on connecting and on reading, and stop reading after ``max_bytes``.

Built on requests, with a connection class of our own that resolves and checks
the addresses before it connects; TLS is still verified against the host name.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

USER_AGENT = "factcheck (+https://github.com/factcheck)"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 1024 * 1024
_CHUNK = 16 * 1024


class OutgoingError(Exception):
    """A request that was refused before sending or failed on the way; the message is one line."""


@dataclass(frozen=True)
class Limits:
    allow_private: bool = False
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            allow_private=bool(config.get("OUTGOING_ALLOW_PRIVATE_ADDRESSES", False)),
            connect_timeout=float(config.get("OUTGOING_CONNECT_TIMEOUT", DEFAULT_CONNECT_TIMEOUT)),
            read_timeout=float(config.get("OUTGOING_READ_TIMEOUT", DEFAULT_READ_TIMEOUT)),
            max_bytes=int(config.get("OUTGOING_MAX_BYTES", DEFAULT_MAX_BYTES)),
        )


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    # True when the body was longer than the limit and only its beginning was read.
    truncated: bool
    duration_ms: int


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IP) is a public unicast address (not private, loopback, link-local,
    multicast, reserved, unspecified, or an IPv4 address mapped into IPv6 that is one of those)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> tuple[str, str]:
    """(scheme, host) of a URL the app may send to; raises OutgoingError with the reason otherwise."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise OutgoingError("the address is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise OutgoingError("only http and https addresses are allowed")
    if not parts.hostname:
        raise OutgoingError("the address has no host name")
    if parts.username or parts.password:
        raise OutgoingError("the address must not carry a user name or password")
    return parts.scheme, parts.hostname


def resolve(host: str, port: int, *, allow_private: bool) -> list[tuple[Any, ...]]:
    """The addresses to connect to; OutgoingError if the name does not resolve or any address is not public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutgoingError(f"the host name {host} does not resolve ({exc})") from None
    if not allow_private:
        for *_, sockaddr in found:
            if not is_public_address(sockaddr[0]):
                # One private address is enough to refuse: which one is used is up to the resolver.
                raise OutgoingError(f"{host} resolves to a private or local address ({sockaddr[0]}); refused")
    return found


def _checked_connection(connection: Any) -> socket.socket:
    """Resolve, check, connect: replaces urllib3's own connect, which would not check the addresses."""
    found = resolve(connection._dns_host, connection.port, allow_private=connection.allow_private)
    error: OSError | None = None
    for family, socktype, proto, _name, sockaddr in found:
        sock = socket.socket(family, socktype, proto)
        try:
            sock.settimeout(connection.timeout if isinstance(connection.timeout, int | float) else None)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"could not connect to {connection._dns_host}")


class _CheckedHTTPConnection(HTTPConnection):
    allow_private = False

    def _new_conn(self) -> socket.socket:
        return _checked_connection(self)


class _CheckedHTTPSConnection(HTTPSConnection):
    allow_private = False

    def _new_conn(self) -> socket.socket:
        return _checked_connection(self)


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        allow = self._allow_private
        http_class = type("CheckedHTTP", (_CheckedHTTPConnection,), {"allow_private": allow})
        https_class = type("CheckedHTTPS", (_CheckedHTTPSConnection,), {"allow_private": allow})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("CheckedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_class}),
            "https": type("CheckedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_class}),
        }


def request(
    method: str, url: str, *, limits: Limits, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Response:
    """Send one request under ``limits``; raises OutgoingError with a one-line reason on any failure."""
    check_url(url)
    sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    started = time.monotonic()
    with requests.Session() as session:
        session.trust_env = False  # no proxies or .netrc from the environment
        adapter = _CheckedAdapter(limits.allow_private)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            with session.request(
                method,
                url,
                data=body,
                headers=sent_headers,
                timeout=(limits.connect_timeout, limits.read_timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                content, truncated = _read_capped(response, limits.max_bytes)
        except OutgoingError:
            raise
        except requests.exceptions.ConnectionError as exc:
            # urllib3 wraps what our connect raised; give the reason, not the wrapping.
            cause = _refusal_in(exc)
            if cause is not None:
                raise cause from None
            raise OutgoingError(f"could not connect: {_first_line(exc)}") from None
        except requests.exceptions.Timeout:
            raise OutgoingError("timed out") from None
        except requests.exceptions.RequestException as exc:
            raise OutgoingError(f"request failed: {_first_line(exc)}") from None
    duration_ms = round((time.monotonic() - started) * 1000)
    return Response(
        status=response.status_code,
        headers=dict(response.headers),
        body=content,
        truncated=truncated,
        duration_ms=duration_ms,
    )


def post(url: str, body: bytes, *, limits: Limits, headers: dict[str, str] | None = None) -> Response:
    return request("POST", url, body=body, headers=headers, limits=limits)


def get(url: str, *, limits: Limits, headers: dict[str, str] | None = None) -> Response:
    return request("GET", url, headers=headers, limits=limits)


def _read_capped(response: requests.Response, max_bytes: int) -> tuple[bytes, bool]:
    content = bytearray()
    try:
        for chunk in response.iter_content(_CHUNK):
            content.extend(chunk)
            if len(content) > max_bytes:
                return bytes(content[:max_bytes]), True
    except requests.exceptions.RequestException as exc:
        raise OutgoingError(f"reading the response failed: {_first_line(exc)}") from None
    return bytes(content), False


def _refusal_in(exc: BaseException) -> OutgoingError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OutgoingError):
            return current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                found = _refusal_in(arg)
                if found is not None:
                    return found
        current = current.__cause__ or current.__context__
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
