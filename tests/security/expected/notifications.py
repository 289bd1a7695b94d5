"""Expected access to following and notifications: one's own, on the desk.

The world's notification belongs to another person (the world's user): marking
it read matches nothing of the visitor's, and answers as for one's own (back to
the list), so nobody learns whether it exists; tests/notifications checks that
it stays unread.
"""

from __future__ import annotations

from factcheck.notifications.models import Notification, NotificationKind
from tests.security.expected.world import LOGIN, Expected, World

EXPECTED: Expected = {
    ("notifications.index", "GET"): (LOGIN, 200, 200, 200),
    ("notifications.mark_read", "POST"): (LOGIN, 302, 302, 302),
    ("notifications.mark_all_read", "POST"): (LOGIN, 302, 302, 302),
    ("notifications.follow", "POST"): (LOGIN, 302, 302, 302),
    ("notifications.unfollow", "POST"): (LOGIN, 302, 302, 302),
    # The e-mail setting: an empty choice goes back to the account page, which says what to choose.
    ("notifications.email_setting", "POST"): (LOGIN, 302, 302, 302),
}


def _notification(world: World) -> Notification:
    notification = Notification(
        user_id=world.user.id,
        claim_id=world.claim.id,
        kind=NotificationKind.COMMENTED,
        message="Someone commented on a claim you follow.",
    )
    world.db.add(notification)
    return notification


ARGUMENTS = {"notification_id": lambda world: world.get("notification", _notification).id}
