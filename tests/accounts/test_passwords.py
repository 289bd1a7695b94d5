"""Password storage and the rules for new passwords."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type

from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role
from factcheck.accounts.passwords import MAX_PASSWORD_LENGTH, hash_password, password_problem, verify_password


def test_production_hasher_is_argon2id_at_least_at_the_library_defaults(fast_password_hashing):
    production, defaults = fast_password_hashing, PasswordHasher()
    assert production.type == Type.ID
    assert production.time_cost >= defaults.time_cost
    assert production.memory_cost >= defaults.memory_cost


def test_hashes_are_salted_and_verify():
    first, second = hash_password("the same password"), hash_password("the same password")
    assert first != second
    assert verify_password(first, "the same password")
    assert not verify_password(first, "the same password ")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not a hash", "anything at all")


COMMON = "This password is one of the most common ones and easy to guess; choose another."


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("123456789", "Use at least 10 characters."),
        ("x" * (MAX_PASSWORD_LENGTH + 1), f"Use at most {MAX_PASSWORD_LENGTH} characters."),
        ("          ", "The password must not start or end with spaces."),
        ("\tten chars ok", "The password must not start or end with spaces."),
        ("1234567890", COMMON),
        ("Password123", COMMON),
        ("QWERTYUIOP", COMMON),
        ("iloveyou12", COMMON),
        ("0987612345", None),
        ("a passphrase with spaces inside", None),
    ],
)
def test_password_rules(password, problem):
    assert password_problem(password) == problem


def test_create_user_refuses_a_blank_name(db_session):
    with pytest.raises(accounts.AccountError, match=r"^A name is required\.$"):
        accounts.create_user(
            db_session, email="n@example.org", name="   ", password="1234567890", role=Role.REVIEWER
        )
