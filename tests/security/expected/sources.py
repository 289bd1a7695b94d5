"""Expected access to the sources of a claim.

The source in the routes was added by another reviewer, so a reviewer may not
change it (403) while editors and admins may (their empty form is refused: 422;
an empty removal confirmation removes it: 302).
"""

from __future__ import annotations

from factcheck.sources.models import Source
from tests.security.expected.world import LOGIN, Expected, World

EXPECTED: Expected = {
    ("sources.add", "GET"): (LOGIN, 200, 200, 200),
    ("sources.add", "POST"): (LOGIN, 422, 422, 422),
    ("sources.edit", "GET"): (LOGIN, 403, 200, 200),
    ("sources.edit", "POST"): (LOGIN, 403, 422, 422),
    ("sources.remove", "GET"): (LOGIN, 403, 200, 200),
    ("sources.remove", "POST"): (LOGIN, 403, 302, 302),
}


def _source(world: World) -> Source:
    source = Source(
        claim=world.claim,
        title="Russian Ministry of Defence briefing on the 9M729",
        url="https://example.org/briefing",
        created_by_id=world.user.id,
    )
    world.db.add(source)
    return source


ARGUMENTS = {"source_id": lambda world: world.get("source", _source).id}
