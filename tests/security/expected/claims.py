"""Expected access to the claim page's own forms: editing, the workflow, tags and assignees."""

from __future__ import annotations

from factcheck.claims.models import Tag
from tests.security.expected.world import LOGIN, Expected, World

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    # Anyone on the desk edits a claim until it is ready (the world's claim is new).
    ("claims.edit", "GET"): (LOGIN, 200, 200, 200),
    ("claims.edit", "POST"): (LOGIN, 422, 422, 422),
    # Workflow moves and tags: anyone on the desk; an empty form is refused as invalid.
    ("claims.transition", "POST"): (LOGIN, 422, 422, 422),
    ("claims.add_tag", "POST"): (LOGIN, 422, 422, 422),
    # Removing a tag the claim no longer has is harmless: back to the claim page.
    ("claims.remove_tag", "POST"): (LOGIN, 302, 302, 302),
    # Assigning people: editors and admins.
    ("claims.assign", "POST"): (LOGIN, 403, 422, 422),
    ("claims.unassign", "POST"): (LOGIN, 403, 302, 302),
    # Bulk actions from the list: anyone on the desk (assigning checked per action); an empty form is invalid.
    ("claims.bulk_action", "POST"): (LOGIN, 422, 422, 422),
    # Merging duplicates, and undoing a merge: editors and admins. The world's claim was never
    # merged, so there is nothing to undo: back to the claim page; an empty merge form is invalid.
    ("claims.merge", "GET"): (LOGIN, 403, 200, 200),
    ("claims.merge", "POST"): (LOGIN, 403, 422, 422),
    ("claims.undo_merge", "GET"): (LOGIN, 403, 302, 302),
    ("claims.undo_merge", "POST"): (LOGIN, 403, 302, 302),
}


def _tagged(world: World) -> Tag:
    tag = Tag(name="inf treaty")
    world.claim.tags.append(tag)
    world.db.flush()
    return tag


ARGUMENTS = {
    "tag_id": lambda world: world.get("tag", _tagged).id,
}
