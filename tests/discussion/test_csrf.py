"""The small forms on the claim page (comment, rating) with CSRF protection switched on."""

from __future__ import annotations

import re

from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.discussion.models import Comment
from tests.conftest import PASSWORD
from tests.sources.desk import label, text_of


def token_of_form(html: str, action: str) -> str:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"no form posting to {action}"
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.group(0))
    assert match, f"the form posting to {action} has no CSRF token"
    return match.group(1)


def test_the_claim_pages_forms_carry_working_tokens(make_app, make_user, db_session, claim):
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    reviewer = make_user(Role.REVIEWER)
    login = text_of(browser.get("/login"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    assert (
        browser.post(
            "/login", data={"email": reviewer.email, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    page = text_of(browser.get(f"/claims/{claim.id}"))

    comment_action = f"/claims/{claim.id}/comments/new"
    posted = browser.post(
        comment_action, data={"body": "With a token.", "csrf_token": token_of_form(page, comment_action)}
    )
    rating_action = f"/claims/{claim.id}/rating"
    rated = browser.post(
        rating_action,
        data={
            "label": str(label(db_session, "false").id),
            "reasoning": "x",
            "csrf_token": token_of_form(page, rating_action),
        },
    )

    assert posted.status_code == 302 and rated.status_code == 302


def test_a_comment_sent_without_a_valid_token_is_kept_for_resubmission(
    make_app, make_user, db_session, claim
):
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    reviewer = make_user(Role.REVIEWER)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text_of(browser.get("/login"))).group(1)
    browser.post("/login", data={"email": reviewer.email, "password": PASSWORD, "csrf_token": token})

    response = browser.post(
        f"/claims/{claim.id}/comments/new",
        data={"body": "My long, careful comment."},
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 400
    html = text_of(response)
    assert "Please submit again" in html and "My long, careful comment." in html
    db_session.expire_all()
    assert db_session.scalars(select(Comment).where(Comment.claim_id == claim.id)).all() == []
