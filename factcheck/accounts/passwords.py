"""Password hashing with Argon2id."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _
from flask_babel import ngettext
from zxcvbn.frequency_lists import FREQUENCY_LISTS

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

# Verified against when the account does not exist, so a wrong email costs as
# much time as a wrong password and timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("factcheck-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of leaked password lists, as zxcvbn ships them
    (maintained there, not copied into this repository); lower-case."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    return password.lower() in common_passwords()


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None (NIST SP 800-63B: length and a blocklist,
    no composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return ngettext(
            "Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_PASSWORD_LENGTH
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return ngettext(
            "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_PASSWORD_LENGTH
        )
    if password.strip() != password or not password.strip():
        return _("The password must not start or end with spaces.")
    if is_common(password):
        return _("This password is one of the most common ones and easy to guess; choose another.")
    return None
