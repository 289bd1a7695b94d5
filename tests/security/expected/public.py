"""Expected access to the public site's verdict pages, index and feeds: open to everyone.

The world's claim is published (revision 1); it gets its public address here
(the same one tests/security/expected/submissions.py gives it, whichever runs first).
"""

from __future__ import annotations

from tests.security.expected.world import Expected, World

EVERYONE = (200, 200, 200, 200)

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("public.checks", "GET"): EVERYONE,
    ("public.check", "GET"): EVERYONE,
    ("public.check_revision", "GET"): EVERYONE,
    ("public.feed", "GET"): EVERYONE,
    ("public.sitemap", "GET"): EVERYONE,
    ("public.sitemap_page", "GET"): EVERYONE,
    ("public.claimreview_feed", "GET"): EVERYONE,
}


def _slug(world: World) -> str:
    """The world's published claim, at its public address."""
    if world.claim.slug is None:
        world.claim.slug = "the-9m729-has-a-range-of-480-km"
        world.db.commit()
    return world.claim.slug


# "revision" (1, the world's only revision) comes from core.py.
ARGUMENTS = {"slug": _slug, "page": lambda world: 1}
