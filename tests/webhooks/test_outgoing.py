"""Outgoing requests (factcheck/web/outgoing.py) and the signature, in isolation."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from factcheck.web import outgoing
from factcheck.webhooks import signing
from tests.webhooks.receiver import verify

ALLOW_LOCAL = outgoing.Limits(allow_private=True, connect_timeout=2, read_timeout=2, max_bytes=1000)
STRICT = outgoing.Limits()


def test_the_signature_matches_the_standard_webhooks_example():
    # The example of the Standard Webhooks specification's reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert signing.signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_generated_secret_signs_what_a_receiver_verifies():
    secret = signing.generate_secret()
    body = b'{"type":"webhook.ping"}'
    headers = signing.headers(secret, "msg_1", 1_700_000_000, body)
    assert verify(secret, headers, body, now=1_700_000_000)
    assert not verify(secret, headers, body + b" ", now=1_700_000_000)
    assert not verify(signing.generate_secret(), headers, body, now=1_700_000_000)
    # A replay long after the timestamp is refused by the receiver.
    assert not verify(secret, headers, body, now=1_700_000_000 + 3600)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address to refuse, not one to bind
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_are_public(address, public):
    assert outgoing.is_public_address(address) is public


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.org/", "only http and https"),
        ("http://", "no host name"),
        ("http://user:secret@example.org/", "user name or password"),
        ("http://example.org:notaport/", "not a valid URL"),
    ],
)
def test_addresses_that_are_not_web_addresses_are_refused(url, reason):
    with pytest.raises(outgoing.OutgoingError, match=reason):
        outgoing.post(url, b"{}", limits=STRICT)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/"])
def test_local_addresses_are_refused_before_connecting(url):
    with pytest.raises(outgoing.OutgoingError, match="private or local address"):
        outgoing.post(url, b"{}", limits=STRICT)


@pytest.fixture
def server():
    """A local server: /redirect answers 302 to /target, /large 10 kB, /slow nothing for 5 s."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/target")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/slow":
                threading.Event().wait(5)
            else:
                body = b"x" * 10_000
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


def test_redirects_are_not_followed(server):
    base, hits = server
    response = outgoing.post(base + "/redirect", b"{}", limits=ALLOW_LOCAL)
    assert response.status == 302
    assert hits == ["/redirect"]


def test_a_large_answer_is_cut_at_the_limit(server):
    base, _hits = server
    response = outgoing.post(base + "/large", b"{}", limits=ALLOW_LOCAL)
    assert (response.status, len(response.body), response.truncated) == (200, 1000, True)


def test_a_receiver_that_does_not_answer_times_out(server):
    base, _hits = server
    limits = outgoing.Limits(allow_private=True, connect_timeout=1, read_timeout=0.3)
    with pytest.raises(outgoing.OutgoingError, match="timed out"):
        outgoing.post(base + "/slow", b"{}", limits=limits)
