"""The editors' queue: who sees it, and turning submissions into claims, answers or closures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factcheck.accounts.models import Role
from factcheck.claims.models import Claim, ClaimState
from factcheck.db import utcnow
from factcheck.submissions import desk_views
from factcheck.submissions.models import ReaderSubmission, SubmissionKind, SubmissionStatus
from tests.helpers import csrf_token, field_error, text
from tests.submissions.readers import SUGGESTION, publish, row_history


@pytest.fixture
def suggestion(db_session):
    submission = ReaderSubmission(
        kind=SubmissionKind.SUGGESTION,
        text=SUGGESTION,
        url="https://example.org/news/bridge",
        name="Ada Reader",
        email="ada@example.org",
    )
    db_session.add(submission)
    db_session.commit()
    return submission


def make_submission(
    db, *, kind=SubmissionKind.SUGGESTION, status=SubmissionStatus.OPEN, text=SUGGESTION, **kw
):
    submission = ReaderSubmission(kind=kind, status=status, text=text, **kw)
    db.add(submission)
    db.commit()
    return submission


def refreshed(db, submission):
    db.expire_all()
    return db.get(ReaderSubmission, submission.id)


# --- who may see and act -------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, suggestion):
    for url in ("/desk/submissions", f"/desk/submissions/{suggestion.id}"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    response = client.post(f"/desk/submissions/{suggestion.id}/close")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reviewers_read_the_queue_but_cannot_act(client, db_session, login_as, suggestion):
    login_as(Role.REVIEWER)

    listing = client.get("/desk/submissions")
    page = client.get(f"/desk/submissions/{suggestion.id}")

    assert listing.status_code == 200 and SUGGESTION in text(listing)
    assert page.status_code == 200 and SUGGESTION in text(page)
    assert "Turn into a claim" not in text(page)
    assert "Editors decide what happens to reader submissions." in text(page)
    for action in ("convert", "answer", "close"):
        refused = client.post(
            f"/desk/submissions/{suggestion.id}/{action}",
            data={"text": SUGGESTION, "claimant": "The mayor", "response": "No."},
        )
        assert refused.status_code == 403, action
    assert refreshed(db_session, suggestion).status == SubmissionStatus.OPEN


def test_editors_see_the_actions_and_the_nav_link(client, login_as, suggestion):
    login_as(Role.EDITOR)

    page = text(client.get(f"/desk/submissions/{suggestion.id}"))

    assert "Turn into a claim" in page
    assert "Answer and close" in page
    assert "Close without an answer" in page
    assert 'href="/desk/submissions"' in page
    assert 'href="mailto:ada@example.org"' in page


# --- the list --------------------------------------------------------------------------


def test_the_queue_shows_open_submissions_newest_first_by_default(client, db_session, login_as):
    now = utcnow()
    older = make_submission(db_session, text="The older suggestion.", created_at=now - timedelta(hours=2))
    newer = make_submission(db_session, text="The newer suggestion.", created_at=now - timedelta(hours=1))
    make_submission(db_session, text="An answered one.", status=SubmissionStatus.ANSWERED)
    login_as(Role.REVIEWER)

    page = text(client.get("/desk/submissions"))

    assert page.index(newer.text) < page.index(older.text)
    assert "An answered one." not in page
    assert "An answered one." in text(client.get("/desk/submissions?status=answered"))
    assert "An answered one." in text(client.get("/desk/submissions?status=all"))


def test_the_queue_filters_by_kind(client, db_session, login_as, make_user):
    claim = publish(db_session, make_user(Role.EDITOR))
    make_submission(db_session, text="Please check the bridge.")
    make_submission(
        db_session, kind=SubmissionKind.ERROR_REPORT, text="The range is wrong.", claim_id=claim.id
    )
    login_as(Role.REVIEWER)

    reports = text(client.get("/desk/submissions?kind=error_report"))
    suggestions = text(client.get("/desk/submissions?kind=suggestion"))

    assert "The range is wrong." in reports and "Please check the bridge." not in reports
    assert "Please check the bridge." in suggestions and "The range is wrong." not in suggestions
    assert f'href="/claims/{claim.id}"' in reports


def test_the_queue_is_paginated(client, db_session, login_as, monkeypatch):
    monkeypatch.setattr(desk_views, "PAGE_SIZE", 2)
    now = utcnow()
    for number in range(5):
        make_submission(
            db_session, text=f"Suggestion number {number}.", created_at=now - timedelta(minutes=number)
        )
    login_as(Role.REVIEWER)

    seen = []
    url = "/desk/submissions"
    for _ in range(3):
        page = text(client.get(url))
        seen += [n for n in range(5) if f"Suggestion number {n}." in page]
        marker = 'rel="next"'
        if marker not in page:
            break
        url = page.split('<a class="button" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert seen == [0, 1, 2, 3, 4]


def test_a_tampered_page_link_is_refused(client, login_as):
    login_as(Role.REVIEWER)
    assert client.get("/desk/submissions?after=not-a-cursor").status_code == 422


def test_unknown_submissions_are_404(client, login_as):
    login_as(Role.EDITOR)
    assert client.get("/desk/submissions/999999").status_code == 404
    assert client.post("/desk/submissions/999999/close").status_code == 404


# --- turning a suggestion into a claim -------------------------------------------------------


def test_an_editor_turns_a_suggestion_into_a_claim(client, db_session, login_as, suggestion):
    editor = login_as(Role.EDITOR)

    response = client.post(
        f"/desk/submissions/{suggestion.id}/convert",
        data={
            "text": "The new bridge cost twice its budget.",
            "claimant": "The mayor",
            "url": suggestion.url,
        },
    )

    assert response.status_code == 302
    handled = refreshed(db_session, suggestion)
    claim = db_session.get(Claim, handled.converted_claim_id)
    assert response.headers["Location"].endswith(f"/claims/{claim.id}")
    assert (claim.text, claim.claimant, claim.state) == (
        "The new bridge cost twice its budget.",
        "The mayor",
        ClaimState.NEW,
    )
    assert [appearance.url for appearance in claim.appearances] == ["https://example.org/news/bridge"]
    assert claim.created_by_id == editor.id
    assert handled.status == SubmissionStatus.CONVERTED
    assert handled.handled_by_id == editor.id and handled.handled_at is not None
    # The history records the change, attributed to the editor.
    changeset, change = row_history(db_session, suggestion.id)[-1]
    assert change.operation == "UPDATE"
    assert change.changes["status"] == ["open", "converted"]
    assert change.changes["converted_claim_id"] == [None, claim.id]
    assert (changeset.actor_id, changeset.actor_name) == (editor.id, editor.name)
    # The page links the claim now and offers no more actions.
    page = text(client.get(f"/desk/submissions/{suggestion.id}"))
    assert f'href="/claims/{claim.id}"' in page
    assert "Turn into a claim" not in page


def test_the_convert_form_starts_from_the_readers_words(client, login_as, suggestion):
    login_as(Role.EDITOR)
    page = text(client.get(f"/desk/submissions/{suggestion.id}"))
    assert SUGGESTION in page.split('id="convert-heading"', 1)[1]
    assert 'value="https://example.org/news/bridge"' in page


def test_converting_needs_a_claimant_and_where_it_appeared(client, db_session, login_as):
    submission = make_submission(db_session)
    login_as(Role.EDITOR)

    no_claimant = client.post(f"/desk/submissions/{submission.id}/convert", data={"text": SUGGESTION})
    no_url = client.post(
        f"/desk/submissions/{submission.id}/convert", data={"text": SUGGESTION, "claimant": "The mayor"}
    )
    bad_url = client.post(
        f"/desk/submissions/{submission.id}/convert",
        data={"text": SUGGESTION, "claimant": "The mayor", "url": "javascript:alert(1)"},
    )

    assert no_claimant.status_code == 422
    assert field_error(no_claimant, "claimant") == "Say who made the claim."
    assert no_url.status_code == 422
    assert "web address" in (field_error(no_url, "url") or "")
    assert bad_url.status_code == 422
    assert refreshed(db_session, submission).status == SubmissionStatus.OPEN
    assert db_session.query(Claim).count() == 0


def test_error_reports_are_not_turned_into_claims(client, db_session, login_as, make_user):
    claim = publish(db_session, make_user(Role.EDITOR))
    report = make_submission(db_session, kind=SubmissionKind.ERROR_REPORT, claim_id=claim.id, revision=1)
    login_as(Role.EDITOR)

    page = client.get(f"/desk/submissions/{report.id}")
    refused = client.post(
        f"/desk/submissions/{report.id}/convert",
        data={"text": SUGGESTION, "claimant": "x", "url": "https://example.org/"},
    )

    assert "Turn into a claim" not in text(page)
    assert f'href="/claims/{claim.id}"' in text(page)
    assert 'href="/checks/the-9m729-range"' in text(page)
    assert "the reader saw revision 1" in text(page)
    assert refused.status_code == 409
    assert "Only suggestions can be turned into claims." in text(refused)
    assert refreshed(db_session, report).status == SubmissionStatus.OPEN


# --- answering and closing ------------------------------------------------------------------


def test_an_editor_answers_and_closes(client, db_session, login_as, suggestion):
    editor = login_as(Role.EDITOR)

    empty = client.post(f"/desk/submissions/{suggestion.id}/answer", data={"response": "  "})
    response = client.post(
        f"/desk/submissions/{suggestion.id}/answer", data={"response": "We checked this last week."}
    )

    assert empty.status_code == 422
    assert field_error(empty, "response") == "Write the answer first."
    assert response.status_code == 302
    handled = refreshed(db_session, suggestion)
    assert handled.status == SubmissionStatus.ANSWERED
    assert handled.response == "We checked this last week."
    assert handled.handled_by_id == editor.id
    changeset, change = row_history(db_session, suggestion.id)[-1]
    assert change.changes["status"] == ["open", "answered"]
    assert changeset.actor_id == editor.id
    page = text(client.get(f"/desk/submissions/{suggestion.id}"))
    assert "We checked this last week." in page
    # The page's history shows who did it.
    history = page.split('id="history-heading"', 1)[1]
    assert editor.name in history and "from open to answered" in history


def test_an_editor_closes_without_an_answer(client, db_session, login_as, suggestion):
    admin = login_as(Role.ADMIN)

    response = client.post(f"/desk/submissions/{suggestion.id}/close", data={})

    assert response.status_code == 302
    handled = refreshed(db_session, suggestion)
    assert handled.status == SubmissionStatus.CLOSED
    assert handled.response is None
    assert handled.handled_by_id == admin.id
    changeset, change = row_history(db_session, suggestion.id)[-1]
    assert change.changes["status"] == ["open", "closed"]
    assert changeset.actor_id == admin.id


def test_a_handled_submission_cannot_be_handled_again(client, db_session, login_as, suggestion):
    login_as(Role.EDITOR)
    assert (
        client.post(f"/desk/submissions/{suggestion.id}/close", data={"response": "Spam."}).status_code == 302
    )

    again = client.post(f"/desk/submissions/{suggestion.id}/answer", data={"response": "Hello."})

    assert again.status_code == 409
    assert "already handled (closed)" in text(again)
    handled = refreshed(db_session, suggestion)
    assert (handled.status, handled.response) == (SubmissionStatus.CLOSED, "Spam.")


def test_the_queue_actions_need_a_csrf_token(make_app, make_user, db_session, suggestion):
    from tests.conftest import PASSWORD

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    editor = make_user(Role.EDITOR)
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": editor.email, "password": PASSWORD, "csrf_token": token})

    refused = client.post(f"/desk/submissions/{suggestion.id}/close", data={})
    assert refused.status_code == 400
    assert refreshed(db_session, suggestion).status == SubmissionStatus.OPEN

    token = csrf_token(client.get(f"/desk/submissions/{suggestion.id}"))
    accepted = client.post(f"/desk/submissions/{suggestion.id}/close", data={"csrf_token": token})
    assert accepted.status_code == 302
    assert refreshed(db_session, suggestion).status == SubmissionStatus.CLOSED
