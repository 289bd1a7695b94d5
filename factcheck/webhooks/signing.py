"""Signing deliveries in the style of the Standard Webhooks specification.

Each request carries three headers:

- ``webhook-id``: the delivery's id, the same on every try (receivers drop duplicates);
- ``webhook-timestamp``: this try's time, in whole seconds since the epoch;
- ``webhook-signature``: ``v1,`` and the base64 of HMAC-SHA256 over
  ``"{id}.{timestamp}.{body}"``, keyed with the secret's bytes (the base64 after ``whsec_``).

docs/worker.md has a receiver's side in a few lines of Python.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from flask_babel import gettext as _

PREFIX = "whsec_"
KEY_BYTES = 32
MIN_KEY_BYTES = 24
MAX_KEY_BYTES = 64


class SecretError(ValueError):
    """A secret given by an admin that is not a Standard Webhooks secret."""


def generate_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def key_of(secret: str) -> bytes:
    """The key bytes of a ``whsec_`` secret; SecretError with the reason otherwise."""
    secret = secret.strip()
    if not secret.startswith(PREFIX):
        raise SecretError(
            _(
                "a secret starts with %(prefix)s followed by base64 (leave it empty to generate one)",
                prefix=PREFIX,
            )
        )
    try:
        key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise SecretError(_("the part after %(prefix)s is not base64", prefix=PREFIX)) from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise SecretError(
            _(
                "the secret's key must be %(low)d to %(high)d bytes long",
                low=MIN_KEY_BYTES,
                high=MAX_KEY_BYTES,
            )
        )
    return key


def hint(secret: str) -> str:
    """What admins see of a secret after it was shown once."""
    return secret[: len(PREFIX) + 4] + "…"


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
        "Content-Type": "application/json",
    }
