"""The audit key: the secret that makes the history's links and checkpoints unforgeable.

It lives outside the database (``FACTCHECK_AUDIT_KEY``, or in development a
file in the instance folder made on first run), so someone who holds the
database can read the history but cannot extend or rewrite it in a way that
verifies. From the one secret two keys are derived (HKDF-SHA-256):

- the *link key*, an HMAC-SHA-256 key for each changeset's link (fast: the
  whole history is checked at every ``factcheck audit verify``);
- the *signing key*, an Ed25519 key for checkpoints, so anyone holding the
  public key (published under ``/transparency/``) can check a copy.

A key is named by its *key id*, a fingerprint of its public key, which each
changeset and checkpoint records. Rotation: the new secret becomes
``AUDIT_KEY`` and the old ones move to ``AUDIT_RETIRED_KEYS`` (oldest first);
changesets from the next one on use the new key, and a retired key may never
sign a changeset after a newer one has (so a leaked old key cannot extend
the history).

One configuration per process: ``create_app`` installs it with
:func:`configure`; code outside an app (tests, benchmarks) does the same.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_KEY_LENGTH = 32
KEY_FILE = "audit_key"


class AuditKeyError(RuntimeError):
    """The audit key is missing, too weak, or not the one the history was written with."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"factcheck audit", info=purpose).derive(
        secret.encode("utf-8")
    )


@dataclass(frozen=True)
class AuditKey:
    key_id: str
    link_key: bytes
    signing_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey

    @classmethod
    def from_secret(cls, secret: str) -> AuditKey:
        secret = secret.strip()
        if len(secret) < MIN_KEY_LENGTH:
            raise AuditKeyError(f"an audit key must be at least {MIN_KEY_LENGTH} characters long")
        signing_key = Ed25519PrivateKey.from_private_bytes(_derive(secret, b"checkpoint signing key"))
        public_key = signing_key.public_key()
        return cls(
            key_id=hashlib.sha256(public_bytes(public_key)).hexdigest()[:16],
            link_key=_derive(secret, b"changeset link key"),
            signing_key=signing_key,
            public_key=public_key,
        )

    @cached_property
    def linker(self) -> Callable[[bytes], str]:
        """This key's link function (keyed_link), made once."""
        return keyed_link(self.link_key)

    def link(self, message: bytes) -> str:
        return self.linker(message)

    def sign(self, message: bytes) -> str:
        return self.signing_key.sign(message).hex()


_SHA256_BLOCK = 64


def keyed_link(link_key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA-256 (RFC 2104) with ``link_key``, hex: equal to
    ``hmac.digest(link_key, message, "sha256").hex()``, with the two padded keys hashed once.

    ``hmac.digest`` sets up an OpenSSL MAC context on every call: about 3 µs in a tight
    loop on OpenSSL 3, more than hashing a 1.3 KB changeset, and about 60 µs when it runs
    once per transaction between other work (sealing). Copying two SHA-256 states that
    already hold the padded keys costs neither.
    """
    if len(link_key) > _SHA256_BLOCK:
        link_key = hashlib.sha256(link_key).digest()
    padded = link_key.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in padded))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in padded))

    def link(message: bytes) -> str:
        keyed = inner.copy()
        keyed.update(message)
        result = outer.copy()
        result.update(keyed.digest())
        return result.hexdigest()

    return link


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_signature(public_key: Ed25519PublicKey, signature_hex: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Keyring:
    """The current key and the retired ones, oldest first; ``rank`` orders them in time."""

    keys: tuple[AuditKey, ...]

    @classmethod
    def from_secrets(cls, current: str, retired: Iterable[str] = ()) -> Keyring:
        keys = [AuditKey.from_secret(secret) for secret in [*retired, current]]
        ids = [key.key_id for key in keys]
        if len(set(ids)) != len(ids):
            raise AuditKeyError("the same audit key is listed twice (current and retired)")
        return cls(tuple(keys))

    @property
    def current(self) -> AuditKey:
        return self.keys[-1]

    def get(self, key_id: str) -> AuditKey | None:
        return next((key for key in self.keys if key.key_id == key_id), None)

    def rank(self, key_id: str) -> int:
        return next(index for index, key in enumerate(self.keys) if key.key_id == key_id)

    def public_keys(self) -> list[dict[str, Any]]:
        """What the transparency page publishes: each key's id and Ed25519 public key."""
        return [
            {"key_id": key.key_id, "algorithm": "Ed25519", "public_key": public_bytes(key.public_key).hex()}
            for key in self.keys
        ]


def _split(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    return [str(part) for part in value]


def _key_file_secret(instance_path: str) -> str:
    """Development only: a random key kept in the instance folder, made on first use."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, KEY_FILE)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    with open(path, encoding="ascii") as handle:
        return handle.read().strip()


def keyring_from_config(config: Mapping[str, Any], instance_path: str) -> Keyring:
    """The keyring the configuration names; in development a key file is made if none is set."""
    current = (config.get("AUDIT_KEY") or "").strip()
    if not current:
        if config.get("ENV") == "production":
            raise AuditKeyError(
                "refusing to start in production without an audit key: set FACTCHECK_AUDIT_KEY to at "
                f"least {MIN_KEY_LENGTH} random characters, kept outside the database and its backups "
                '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        current = _key_file_secret(instance_path)
    if config.get("ENV") == "production" and current == config.get("SECRET_KEY"):
        raise AuditKeyError("FACTCHECK_AUDIT_KEY must differ from FACTCHECK_SECRET_KEY")
    return Keyring.from_secrets(current, _split(config.get("AUDIT_RETIRED_KEYS")))


_active: Keyring | None = None


def configure(keyring: Keyring | None) -> None:
    global _active
    _active = keyring


def active() -> Keyring:
    if _active is None:
        raise AuditKeyError("no audit key is configured in this process (keys.configure)")
    return _active
