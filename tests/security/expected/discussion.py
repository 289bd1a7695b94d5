"""Expected access to the discussion of a claim.

Everyone on the desk comments. The comment in the routes was written by another
reviewer, so a reviewer may not change it (403) while editors and admins may
(an empty form is refused: 422; an empty removal confirmation removes it: 302).
"""

from __future__ import annotations

from factcheck.discussion.models import Comment
from tests.security.expected.world import LOGIN, Expected, World

EXPECTED: Expected = {
    ("discussion.add", "GET"): (LOGIN, 200, 200, 200),
    ("discussion.add", "POST"): (LOGIN, 422, 422, 422),
    ("discussion.edit", "GET"): (LOGIN, 403, 200, 200),
    ("discussion.edit", "POST"): (LOGIN, 403, 422, 422),
    ("discussion.remove", "GET"): (LOGIN, 403, 200, 200),
    ("discussion.remove", "POST"): (LOGIN, 403, 302, 302),
}


def _comment(world: World) -> Comment:
    comment = Comment(claim=world.claim, author_id=world.user.id, body="Is 480 km the tested range?")
    world.db.add(comment)
    return comment


ARGUMENTS = {"comment_id": lambda world: world.get("comment", _comment).id}
