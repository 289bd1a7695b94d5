"""Expected access to the organisation's settings: admins only (an empty form is refused: 422)."""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("organisation.edit", "GET"): (LOGIN, 403, 403, 200),
    ("organisation.edit", "POST"): (LOGIN, 403, 403, 422),
}
