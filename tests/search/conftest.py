"""Fixtures for the search tests."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from factcheck.accounts import passwords

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Argon2id with the cheapest work factor, so signing in stays fast."""
    monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", CHEAP_HASHER.hash("factcheck-no-such-user"))
