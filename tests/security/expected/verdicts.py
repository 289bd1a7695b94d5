"""Expected access to the verdict: editors and admins write it (an empty form is refused: 422)."""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

EXPECTED: Expected = {
    ("verdicts.edit", "GET"): (LOGIN, 403, 200, 200),
    ("verdicts.edit", "POST"): (LOGIN, 403, 422, 422),
}
