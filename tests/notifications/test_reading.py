"""The unread count in the header, the notifications page, marking read, the home page's activity."""

from __future__ import annotations

import re

from tests.claims.desk import page_text
from tests.notifications.conftest import notifications_of


def unread_badge(response) -> int | None:
    match = re.search(r'id="unread-count">(\d+)<', response.get_data(as_text=True))
    return int(match.group(1)) if match else None


def test_unread_count_page_and_marking_read(db_session, team, claim, clients):
    clients["anna"].post(f"/claims/{claim.id}/follow")
    for body in ("First source added.", "Second source added.", "Third: the 2019 compliance report."):
        clients["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": body})
    assert unread_badge(clients["anna"].get("/")) == 3
    assert unread_badge(clients["eve"].get("/")) is None

    page = page_text(clients["anna"].get("/notifications/"))
    assert "3 unread" in page
    assert "Eve Editor commented on claim" in page and "Third: the 2019 compliance report." in page

    first = notifications_of(db_session, team["anna"])[0]
    # Someone else's notification cannot be marked by them.
    clients["eve"].post(f"/notifications/{first.id}/read")
    assert notifications_of(db_session, team["anna"])[0].read_at is None
    assert clients["anna"].post(f"/notifications/{first.id}/read").status_code == 302
    assert unread_badge(clients["anna"].get("/")) == 2
    assert clients["anna"].post("/notifications/read-all").status_code == 302
    assert unread_badge(clients["anna"].get("/")) is None
    assert all(n.read_at is not None for n in notifications_of(db_session, team["anna"]))


def test_home_shows_recent_activity_on_followed_claims(db_session, team, claim, clients):
    clients["anna"].post(f"/claims/{claim.id}/follow")
    clients["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "The range is the whole question."})
    home = page_text(clients["anna"].get("/"))
    assert "Recent activity on claims you follow" in home
    assert "Eve Editor commented on claim" in home


def test_the_notification_text_is_escaped(db_session, team, claim, clients):
    clients["anna"].post(f"/claims/{claim.id}/follow")
    clients["eve"].post(f"/claims/{claim.id}/comments/new", data={"body": "<script>alert(1)</script>"})
    body = clients["anna"].get("/notifications/").get_data(as_text=True)
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)" in body
