"""The public forms: readers suggest claims and report errors, without an account."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.audit.models import AuditChange
from factcheck.submissions.models import SubmissionKind, SubmissionStatus
from tests.helpers import csrf_token, field_error, text
from tests.submissions.readers import SUGGESTION, publish, reader_form, row_history, stamp, submissions

READER_ADDRESS = "203.0.113.77"


def test_the_suggestion_form_shows_its_fields_and_hides_the_trap(client):
    response = client.get("/suggest")

    assert response.status_code == 200
    page = text(response)
    assert "Suggest a claim to check" in page
    assert 'name="text"' in page and 'name="url"' in page and 'name="email"' in page
    # The honeypot is hidden by the stylesheet, never by a style attribute (strict CSP).
    assert '<div class="trap" aria-hidden="true">' in page
    assert "style=" not in page
    assert 'name="shown_at"' in page
    # The page holds a CSRF token: never cached.
    assert response.headers["Cache-Control"] == "no-store"


def test_a_valid_suggestion_is_stored_and_thanked(app, client, db_session):
    response = client.post("/suggest", data=reader_form(app), environ_base={"REMOTE_ADDR": READER_ADDRESS})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/suggest/thanks")
    [stored] = submissions(db_session)
    assert stored.kind == SubmissionKind.SUGGESTION
    assert stored.status == SubmissionStatus.OPEN
    assert (stored.text, stored.url, stored.name, stored.email) == (
        SUGGESTION,
        "https://example.org/news/bridge",
        "Ada Reader",
        "ada@example.org",
    )
    assert stored.claim_id is None and stored.handled_by_id is None
    thanks = client.get("/suggest/thanks")
    assert thanks.status_code == 200
    assert "We have received your suggestion" in text(thanks)


def test_an_anonymous_suggestion_is_audited_as_the_public_form_and_keeps_no_address(app, client, db_session):
    client.post("/suggest", data=reader_form(app), environ_base={"REMOTE_ADDR": READER_ADDRESS})

    [stored] = submissions(db_session)
    [(changeset, change)] = row_history(db_session, stored.id)
    assert change.operation == "INSERT"
    assert changeset.actor_name == "Reader (public form)"
    assert changeset.actor_id is None and changeset.actor_role is None
    assert changeset.origin == "public"
    # Nothing about the reader beyond what they typed: not in the row, not in its history.
    assert READER_ADDRESS not in json.dumps(change.changes)
    assert set(change.changes) == {
        "id", "kind", "text", "url", "claim_id", "revision", "name", "email", "status",
        "response", "converted_claim_id", "handled_by_id", "handled_at", "created_at",
    }  # fmt: skip


def test_optional_fields_may_be_left_empty(app, client, db_session):
    response = client.post("/suggest", data=reader_form(app, url="", name="", email=""))

    assert response.status_code == 302
    [stored] = submissions(db_session)
    assert (stored.url, stored.name, stored.email) == (None, None, None)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "", "Please write the claim you would like us to check."),
        ("text", "Too short", "at least 10 characters"),
        ("text", "x" * 2001, "under 2000 characters"),
        ("name", "n" * 201, "under 200 characters"),
        ("url", "ftp://example.org/file", "Only web addresses starting with http:// or https://"),
        ("url", "javascript:alert(1)", "Only web addresses starting with http:// or https://"),
        ("url", "https://example.org/" + "a" * 2000, "longer than 2000 characters"),
        ("email", "not an address", "This is not a valid email address."),
    ],
)
def test_invalid_fields_are_refused_next_to_the_field(app, client, db_session, field, value, message):
    response = client.post("/suggest", data=reader_form(app, **{field: value}))

    assert response.status_code == 422
    error = field_error(response, field)
    assert error is not None and message in error
    assert submissions(db_session) == []


def test_a_filled_honeypot_is_thanked_but_nothing_is_stored(app, client, db_session):
    response = client.post("/suggest", data=reader_form(app, website="https://spam.example/"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/suggest/thanks")
    assert submissions(db_session) == []


@pytest.mark.parametrize(
    "shown_at",
    ["just now", "missing", "forged", "garbage"],
)
def test_forms_sent_too_fast_or_without_a_genuine_stamp_store_nothing(app, client, db_session, shown_at):
    values = {
        "just now": stamp(app, seconds_ago=0.5),
        "missing": "",
        "forged": stamp(app).rsplit(".", 1)[0] + ".AAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "garbage": "not-a-stamp",
    }
    response = client.post("/suggest", data=reader_form(app, shown_at=values[shown_at]))

    assert response.status_code == 302
    assert submissions(db_session) == []


def test_the_minimum_time_is_configurable(make_app, db_session):
    app = make_app(SUBMISSION_MIN_SECONDS=0)
    response = app.test_client().post("/suggest", data=reader_form(app, shown_at=stamp(app, seconds_ago=0)))

    assert response.status_code == 302
    assert len(submissions(db_session)) == 1


def test_posts_over_the_rate_limit_get_a_readable_429(make_app, db_session):
    app = make_app(SUBMISSION_RATE_LIMIT="2 per hour")
    client = app.test_client()
    for _ in range(2):
        assert client.post("/suggest", data=reader_form(app)).status_code == 302

    refused = client.post("/suggest", data=reader_form(app))

    assert refused.status_code == 429
    assert "Too many messages" in text(refused)
    assert "Please try again later" in text(refused)
    assert len(submissions(db_session)) == 2
    # Reading the form is not limited, and other addresses are not affected.
    assert client.get("/suggest").status_code == 200
    other = client.post("/suggest", data=reader_form(app), environ_base={"REMOTE_ADDR": "198.51.100.3"})
    assert other.status_code == 302


def test_both_forms_share_one_allowance_per_address(make_app, db_session, make_user):
    app = make_app(SUBMISSION_RATE_LIMIT="1 per hour")
    publish(db_session, make_user(Role.EDITOR))
    client = app.test_client()
    assert client.post("/suggest", data=reader_form(app)).status_code == 302

    report = client.post("/checks/the-9m729-range/report-error", data=reader_form(app))

    assert report.status_code == 429
    assert "Too many messages" in text(report)
    assert len(submissions(db_session)) == 1


# --- reporting an error ---------------------------------------------------------------


def test_the_report_form_says_which_check_it_is_about(client, db_session, make_user):
    publish(db_session, make_user(Role.EDITOR), revisions=2)

    response = client.get("/checks/the-9m729-range/report-error")

    assert response.status_code == 200
    page = text(response)
    assert "Report an error" in page
    assert "No, the range is longer (revision 2)" in page
    assert "The 9M729 missile has a range of 480 km." in page
    assert 'href="/checks/the-9m729-range"' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_a_report_is_stored_with_the_check_and_the_revision_read(app, client, db_session, make_user):
    claim = publish(db_session, make_user(Role.EDITOR), revisions=2)
    page = client.get("/checks/the-9m729-range/report-error?revision=1")
    assert "You were reading revision 1" in text(page)

    response = client.post(
        "/checks/the-9m729-range/report-error",
        data=reader_form(app, text="The range is 2,500 km, not 480 km.", revision="1"),
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/checks/the-9m729-range/report-error/thanks")
    [stored] = submissions(db_session)
    assert stored.kind == SubmissionKind.ERROR_REPORT
    assert (stored.claim_id, stored.revision) == (claim.id, 1)
    assert stored.text == "The range is 2,500 km, not 480 km."
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    assert "No, the range is longer (revision 2)" in text(thanks)


def test_an_unknown_revision_counts_as_the_latest(app, client, db_session, make_user):
    publish(db_session, make_user(Role.EDITOR), revisions=2)

    client.post("/checks/the-9m729-range/report-error", data=reader_form(app, revision="99"))

    [stored] = submissions(db_session)
    assert stored.revision == 2


def test_an_invalid_report_is_refused_with_the_check_shown(app, client, db_session, make_user):
    publish(db_session, make_user(Role.EDITOR))

    response = client.post("/checks/the-9m729-range/report-error", data=reader_form(app, text="wrong"))

    assert response.status_code == 422
    assert "at least 10 characters" in (field_error(response, "text") or "")
    assert "No, the range is longer" in text(response)
    assert submissions(db_session) == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_reports_about_unknown_or_unpublished_checks_are_404(app, client, db_session, make_user, method):
    from factcheck.claims.models import Claim

    # A slug with no publication behind it (as left by a failed publication) is not public.
    db_session.add(Claim(text="A draft claim.", claimant="Someone", slug="a-draft"))
    db_session.commit()
    for slug in ("no-such-check", "a-draft"):
        url = f"/checks/{slug}/report-error"
        response = client.get(url) if method == "GET" else client.post(url, data=reader_form(app))
        assert response.status_code == 404, slug
        assert client.get(f"{url}/thanks").status_code == 404
    assert submissions(db_session) == []


# --- CSRF ---------------------------------------------------------------------------


def test_the_public_forms_need_a_csrf_token(make_app, db_session, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    publish(db_session, make_user(Role.EDITOR))
    client = app.test_client()
    client.get("/suggest")

    refused = client.post("/suggest", data=reader_form(app))
    refused_report = client.post("/checks/the-9m729-range/report-error", data=reader_form(app))

    assert refused.status_code == 400
    assert refused_report.status_code == 400
    assert submissions(db_session) == []

    token = csrf_token(client.get("/suggest"))
    accepted = client.post("/suggest", data={**reader_form(app), "csrf_token": token})
    assert accepted.status_code == 302
    assert len(submissions(db_session)) == 1


def test_a_signed_in_staff_member_using_the_form_is_attributed_to_themselves(
    app, client, db_session, login_as
):
    editor = login_as(Role.EDITOR)

    client.post("/suggest", data=reader_form(app))

    [stored] = submissions(db_session)
    [(changeset, _change)] = row_history(db_session, stored.id)
    assert changeset.actor_id == editor.id


def test_no_audit_change_mentions_the_readers_address(app, client, db_session):
    client.post("/suggest", data=reader_form(app), environ_base={"REMOTE_ADDR": READER_ADDRESS})
    changes = db_session.scalars(select(AuditChange)).all()
    assert changes
    assert all(READER_ADDRESS not in json.dumps(change.changes) for change in changes)
