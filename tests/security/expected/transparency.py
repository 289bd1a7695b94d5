"""Expected access to the transparency pages (the audit history's signed checkpoints): open to everyone."""

from __future__ import annotations

from tests.security.expected.world import Expected

EVERYONE = (200, 200, 200, 200)

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("public.transparency", "GET"): EVERYONE,
    ("public.checkpoints_json", "GET"): EVERYONE,
    ("public.checkpoints_feed", "GET"): EVERYONE,
}
