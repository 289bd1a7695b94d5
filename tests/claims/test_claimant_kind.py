"""The claimant's kind on the desk: chosen at capture and on edit, shown beside the claimant."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role
from factcheck.claims import editing
from factcheck.claims.models import Claim, ClaimantKind
from tests.claims.desk import make_claim, page_text, stored_claim
from tests.conftest import PASSWORD
from tests.helpers import csrf_token


def _edit_form(claim: Claim, **changes: str) -> dict[str, str]:
    data = {
        "text": claim.text,
        "claimant": claim.claimant,
        "claimed_on": claim.claimed_on.isoformat() if claim.claimed_on else "",
        "review_by": claim.review_by.isoformat() if claim.review_by else "",
        "version": str(claim.version),
    }
    data.update(changes)
    return data


def test_a_new_claim_is_of_unknown_kind(db_session: Session, make_user: Any) -> None:
    claim = make_claim(db_session, make_user(Role.REVIEWER))
    assert stored_claim(db_session, claim).claimant_kind is ClaimantKind.UNKNOWN


def test_capture_with_a_kind_keeps_it_and_the_page_shows_it(
    client: Any, login_as: Any, db_session: Session
) -> None:
    login_as(Role.REVIEWER)
    form = client.get("/claims/capture").get_data(as_text=True)
    assert 'name="claimant_kind"' in form and 'value="organisation"' in form

    response = client.post(
        "/claims/capture",
        data={
            "url": "https://www.facebook.com/posts/1",
            "text": "The vaccine changes your DNA.",
            "claimant": "Facebook posts",
            "claimant_kind": "organisation",
        },
    )

    assert response.status_code == 302, response.get_data(as_text=True)
    claim = db_session.scalars(select(Claim)).one()
    assert claim.claimant_kind is ClaimantKind.ORGANISATION
    assert "Facebook posts · an organisation" in page_text(client.get(f"/claims/{claim.id}"))


def test_capture_without_a_kind_is_unknown_and_a_made_up_kind_is_refused(
    client: Any, login_as: Any, db_session: Session
) -> None:
    login_as(Role.REVIEWER)
    data = {"url": "https://example.org/a", "text": "Words.", "claimant": "Someone"}

    refused = client.post("/claims/capture", data={**data, "claimant_kind": "robot"})
    assert refused.status_code == 422
    assert db_session.scalars(select(Claim)).all() == []

    assert client.post("/claims/capture", data=data).status_code == 302
    claim = db_session.scalars(select(Claim)).one()
    assert claim.claimant_kind is ClaimantKind.UNKNOWN
    assert "Someone · person or organisation?" in page_text(client.get(f"/claims/{claim.id}"))


def test_editing_sets_the_kind_and_a_form_without_it_keeps_it(
    client: Any, login_as: Any, db_session: Session
) -> None:
    user = login_as(Role.REVIEWER)
    claim = make_claim(db_session, user)
    page = client.get(f"/claims/{claim.id}/edit").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*value="unknown"', page)

    response = client.post(f"/claims/{claim.id}/edit", data=_edit_form(claim, claimant_kind="person"))
    assert response.status_code == 302
    claim = stored_claim(db_session, claim)
    assert claim.claimant_kind is ClaimantKind.PERSON

    # An older page (or a script) that does not send the kind changes the wording and keeps the kind.
    response = client.post(f"/claims/{claim.id}/edit", data=_edit_form(claim, text="New words."))
    assert response.status_code == 302
    claim = stored_claim(db_session, claim)
    assert (claim.text, claim.claimant_kind) == ("New words.", ClaimantKind.PERSON)

    assert (
        client.post(f"/claims/{claim.id}/edit", data=_edit_form(claim, claimant_kind="x")).status_code == 422
    )
    assert stored_claim(db_session, claim).claimant_kind is ClaimantKind.PERSON


def test_the_operation_checks_the_kind(db_session: Session, make_user: Any) -> None:
    user = make_user(Role.REVIEWER)
    claim = make_claim(db_session, user)
    values = editing.ClaimValues(
        text=claim.text, claimant=claim.claimant, claimant_kind=ClaimantKind.ORGANISATION
    )
    assert editing.edit_claim(db_session, user, claim, values, based_on=claim.version) is True
    assert stored_claim(db_session, claim).claimant_kind is ClaimantKind.ORGANISATION
    with pytest.raises(ValueError):
        editing.ClaimValues(text="a", claimant="b", claimant_kind="robot").checked()  # type: ignore[arg-type]


def test_the_kind_is_posted_with_a_csrf_token(make_app: Any, make_user: Any, db_session: Session) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    user = make_user(Role.REVIEWER)
    token = csrf_token(client.get("/login"))
    assert (
        client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    claim = make_claim(db_session, user)
    data = _edit_form(claim, claimant_kind="organisation")

    assert client.post(f"/claims/{claim.id}/edit", data=data).status_code == 400
    assert stored_claim(db_session, claim).claimant_kind is ClaimantKind.UNKNOWN

    token = csrf_token(client.get(f"/claims/{claim.id}/edit"))
    assert client.post(f"/claims/{claim.id}/edit", data={**data, "csrf_token": token}).status_code == 302
    assert stored_claim(db_session, claim).claimant_kind is ClaimantKind.ORGANISATION
