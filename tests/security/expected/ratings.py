"""Expected access to rating a claim: everyone on the desk rates (an empty form is refused: 422)."""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

EXPECTED: Expected = {
    ("ratings.rate", "GET"): (LOGIN, 200, 200, 200),
    ("ratings.rate", "POST"): (LOGIN, 422, 422, 422),
}
