"""No notification, in the app or by e-mail, tells someone who has not rated about a rating."""

from __future__ import annotations

from factcheck.jobs.runner import run_all
from factcheck.notifications.models import Notification
from tests.claims.desk import add_source, add_verdict, label
from tests.notifications.conftest import Clients


def test_ratings_and_rating_activity_never_reach_anyone_by_notification(
    db_session, team, claim, make_app, smtp_server, make_user
):
    inbox, port = smtp_server
    app = make_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False, SMTP_FROM="desk@example.org")
    team["max"] = make_user(email="max@example.org", name="Max Reviewer")
    desk = Clients(app, team)
    # Ben and Eve follow the claim before anyone rates; Max is assigned to it.
    desk["ben"].post(f"/claims/{claim.id}/comments/new", data={"body": "I will look at the 2019 report."})
    desk["eve"].post(f"/claims/{claim.id}/follow")
    desk["eve"].post(f"/claims/{claim.id}/assignees", data={"user_id": team["max"].id})
    add_source(db_session, claim, team["ben"])

    mostly_false = label(db_session, "mostly-false")
    reasoning = "Moscow's own figure; NATO puts the range above 500 km."
    for name in ("anna", "max"):
        response = desk[name].post(
            f"/claims/{claim.id}/rating", data={"label": mostly_false.id, "reasoning": reasoning}
        )
        assert response.status_code == 302
    add_verdict(db_session, claim, team["eve"], key="mostly-false", headline="Not 480 km")
    desk["eve"].post(f"/claims/{claim.id}/transition", data={"to_state": "ready", "from_state": "in_review"})
    run_all(app)

    db_session.expire_all()
    told = db_session.query(Notification).all()
    # Only the move to Ready (and Max's assignment) was told, never a rating.
    assert {(n.user.name, n.kind.value) for n in told} == {
        ("Ben Reviewer", "state_changed"),
        ("Max Reviewer", "assigned"),
        ("Max Reviewer", "state_changed"),
        ("Anna Reviewer", "state_changed"),
    }
    ben_sees = [n.message for n in told if n.user.name == "Ben Reviewer"]
    ben_sees += [m.get_payload(decode=True).decode() + m["Subject"] for m in inbox.to("ben@example.org")]
    assert ben_sees
    for words in ben_sees:
        for secret in ("Mostly false", reasoning, "rated", "rating", "Anna", "Max"):
            assert secret not in words, (secret, words)
