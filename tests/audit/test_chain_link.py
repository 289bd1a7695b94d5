"""The verifier's own HMAC-SHA-256 (chain.keyed_link) gives the links the sealing code makes."""

from __future__ import annotations

import hmac

import pytest

from factcheck.audit import chain


@pytest.mark.parametrize("key_length", [0, 1, 32, 63, 64, 65, 200])
def test_keyed_link_is_hmac_sha256(key_length: int) -> None:
    key = bytes(range(key_length))
    link = chain.keyed_link(key)
    for message in (b"", b"x", bytes(range(256)) * 20):
        assert link(message) == hmac.digest(key, message, "sha256").hex()
    # The pads are hashed once and copied: a link leaves nothing behind for the next.
    assert link(b"same") == link(b"same") == hmac.digest(key, b"same", "sha256").hex()
