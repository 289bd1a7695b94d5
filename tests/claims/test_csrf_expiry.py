"""Claim forms with CSRF protection on: an expired form keeps the typed text and asks to submit again."""

from __future__ import annotations

import time

import pytest
from itsdangerous import SignatureExpired, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from factcheck.accounts.models import Role
from factcheck.claims.models import ClaimState
from tests.claims.desk import hidden_fields, make_claim, page_text, stored_claim
from tests.conftest import PASSWORD

# Older than WTF_CSRF_TIME_LIMIT (8 hours).
NINE_HOURS = 9 * 3600


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def claim(db_session, make_user):
    return make_claim(db_session, make_user(Role.REVIEWER))


@pytest.fixture
def anna(app, make_user):
    """A reviewer's browser, signed in with the token of the sign-in form."""
    user = make_user(Role.REVIEWER, name="Anna Reviewer")
    client = app.test_client()
    token = hidden_fields(client.get("/login"))["csrf_token"]
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


# What a browser sends with a form of this site's own page: the resubmit page is only for those.
SAME_ORIGIN = {"Origin": "http://localhost"}


def load_long_ago(client, url, monkeypatch):
    """Load a page as if it had been opened nine hours ago: its forms' CSRF tokens are that old
    (only the tokens: the sign-in cookie is signed with the real time)."""
    real = TimestampSigner.get_timestamp
    then = int(time.time()) - NINE_HOURS

    def get_timestamp(signer: TimestampSigner) -> int:
        return then if signer.salt in (b"wtf-csrf-token", "wtf-csrf-token") else real(signer)

    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", get_timestamp)
        return client.get(url)


def assert_expired(app, token: str) -> None:
    """A genuine token of this app, refused only for its age."""
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    signed.loads(token)
    with pytest.raises(SignatureExpired):
        signed.loads(token, max_age=app.config["WTF_CSRF_TIME_LIMIT"])


def test_an_expired_edit_form_keeps_the_text_and_saves_on_resubmit(app, anna, db_session, claim, monkeypatch):
    form = hidden_fields(load_long_ago(anna, f"/claims/{claim.id}/edit", monkeypatch))
    assert_expired(app, form["csrf_token"])
    typed = {
        "csrf_token": form["csrf_token"],
        "version": form["version"],
        "text": "The 9M729 can fly <b>2,000 km</b> or more, says the US.",
        "claimant": "US State Department",
        "claimed_on": "2019-02-02",
        "review_by": "",
    }

    expired = anna.post(f"/claims/{claim.id}/edit", data=typed, headers=SAME_ORIGIN)

    assert expired.status_code == 400
    page = page_text(expired)
    assert "Please submit again" in page
    assert "nothing was saved yet" in page
    assert "The 9M729 can fly <b>2,000 km</b> or more, says the US." in page
    assert "<b>2,000 km</b>" not in expired.get_data(as_text=True)
    assert "US State Department" in page
    saved = stored_claim(db_session, claim)
    assert (saved.text, saved.claimant, saved.version) == (claim.text, claim.claimant, 1)

    # The page holds everything, with a fresh token: one click saves it.
    resubmit = hidden_fields(expired)
    assert resubmit["csrf_token"] != typed["csrf_token"]
    assert {name: resubmit[name] for name in typed if name != "csrf_token"} == {
        name: value for name, value in typed.items() if name != "csrf_token"
    }
    response = anna.post(f"/claims/{claim.id}/edit", data=resubmit)

    assert response.status_code == 302
    saved = stored_claim(db_session, claim)
    assert saved.text == "The 9M729 can fly <b>2,000 km</b> or more, says the US."
    assert (saved.claimant, saved.claimed_on.isoformat(), saved.version) == (
        "US State Department",
        "2019-02-02",
        2,
    )


def test_an_edit_without_a_token_saves_nothing(anna, db_session, claim):
    response = anna.post(
        f"/claims/{claim.id}/edit",
        data={"text": "No token", "claimant": "X", "version": "1"},
        headers=SAME_ORIGIN,
    )

    assert response.status_code == 400
    assert "No token" in page_text(response)
    assert stored_claim(db_session, claim).text == claim.text


def test_a_fresh_edit_form_saves(anna, db_session, claim):
    form = hidden_fields(anna.get(f"/claims/{claim.id}/edit"))

    response = anna.post(
        f"/claims/{claim.id}/edit",
        data={"csrf_token": form["csrf_token"], "version": form["version"], "text": "Fresh", "claimant": "X"},
    )

    assert response.status_code == 302
    assert stored_claim(db_session, claim).text == "Fresh"


def test_an_expired_workflow_form_keeps_the_reason(app, anna, db_session, claim, monkeypatch):
    page = load_long_ago(anna, f"/claims/{claim.id}", monkeypatch)
    token = hidden_fields(page)["csrf_token"]
    assert_expired(app, token)

    expired = anna.post(
        f"/claims/{claim.id}/transition",
        data={
            "csrf_token": token,
            "to_state": "dismissed",
            "from_state": "new",
            "comment": "A joke, not a claim.",
        },
        headers=SAME_ORIGIN,
    )

    assert expired.status_code == 400
    assert "A joke, not a claim." in page_text(expired)
    assert stored_claim(db_session, claim).state == ClaimState.NEW

    again = anna.post(f"/claims/{claim.id}/transition", data=hidden_fields(expired))
    assert again.status_code == 302
    claim = stored_claim(db_session, claim)
    assert (claim.state, claim.dismissed_reason) == (ClaimState.DISMISSED, "A joke, not a claim.")


def test_the_claim_page_forms_carry_tokens_that_work(anna, db_session, claim):
    token = hidden_fields(anna.get(f"/claims/{claim.id}"))["csrf_token"]

    assert anna.post(f"/claims/{claim.id}/tags", data={"name": "nato"}).status_code == 400
    assert (
        anna.post(f"/claims/{claim.id}/tags", data={"name": "nato", "csrf_token": token}).status_code == 302
    )
    assert [t.name for t in stored_claim(db_session, claim).tags] == ["nato"]
