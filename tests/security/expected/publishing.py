"""Expected access to the desk's publishing pages: editors and admins only.

The world's claim is new, so both pages open (200) but an empty form is refused (422):
publishing needs a ready claim, a revision needs its kind and note.
"""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("publishing.publish", "GET"): (LOGIN, 403, 200, 200),
    ("publishing.publish", "POST"): (LOGIN, 403, 422, 422),
    ("publishing.revise", "GET"): (LOGIN, 403, 200, 200),
    ("publishing.revise", "POST"): (LOGIN, 403, 422, 422),
}
