"""Expected access to the claim list's "my work" view and the desk's search page.

(The claim list itself, ``claims.index``, is in core.py.)
"""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    # Everyone on the desk; readers search published verdicts on the public pages instead.
    ("claims.my_work", "GET"): (LOGIN, 200, 200, 200),
    ("search.index", "GET"): (LOGIN, 200, 200, 200),
}
