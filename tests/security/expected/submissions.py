"""Expected access to reader submissions.

The public forms are open to everyone (an empty form is refused: 422), the
thank-you pages too. Everyone on the desk reads the queue; only editors and
admins act on a submission. An empty "close" is a valid close (302); the
other actions need text (422).
"""

from __future__ import annotations

from factcheck.submissions.models import ReaderSubmission, SubmissionKind
from tests.security.expected.world import LOGIN, Expected, World

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("submissions.suggest", "GET"): (200, 200, 200, 200),
    ("submissions.suggest", "POST"): (422, 422, 422, 422),
    ("submissions.suggest_thanks", "GET"): (200, 200, 200, 200),
    ("submissions.report_error", "GET"): (200, 200, 200, 200),
    ("submissions.report_error", "POST"): (422, 422, 422, 422),
    ("submissions.report_error_thanks", "GET"): (200, 200, 200, 200),
    ("submissions.queue", "GET"): (LOGIN, 200, 200, 200),
    ("submissions.show", "GET"): (LOGIN, 200, 200, 200),
    ("submissions.convert", "POST"): (LOGIN, 403, 422, 422),
    ("submissions.answer", "POST"): (LOGIN, 403, 422, 422),
    ("submissions.close", "POST"): (LOGIN, 403, 302, 302),
}


def _slug(world: World) -> str:
    """The world's claim is published (revision 1); give it its public address."""
    if world.claim.slug is None:
        world.claim.slug = "the-9m729-has-a-range-of-480-km"
        world.db.commit()
    return world.claim.slug


def _submission(world: World) -> ReaderSubmission:
    submission = ReaderSubmission(
        kind=SubmissionKind.SUGGESTION, text="The moon is made of cheese, the minister said."
    )
    world.db.add(submission)
    return submission


ARGUMENTS = {
    "slug": _slug,
    "submission_id": lambda world: world.get("submission", _submission).id,
}
