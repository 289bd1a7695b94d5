"""Fixtures of the review-desk tests (see tests/sources/desk.py)."""

from tests.sources.desk import cheap_password_hashing, claim, sign_in  # noqa: F401 - fixtures
