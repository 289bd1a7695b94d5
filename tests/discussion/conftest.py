"""Fixtures of the review-desk tests (see tests/sources/desk.py)."""

from tests.sources.desk import claim, sign_in  # noqa: F401 - fixtures
