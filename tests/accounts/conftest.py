"""Fixtures for the accounts tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from factcheck.accounts import passwords

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
CHEAP_DUMMY_HASH = CHEAP_HASHER.hash("factcheck-no-such-user")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[PasswordHasher]:
    """Argon2id with the cheapest parameters, so the suite stays fast.

    Hashes are still real Argon2id hashes checked by the app's own code; only
    the work factor is lower, for real users and the unknown-email dummy alike.
    Yields the production hasher for the test that checks it.
    """
    production = passwords._hasher
    monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", CHEAP_DUMMY_HASH)
    yield production
