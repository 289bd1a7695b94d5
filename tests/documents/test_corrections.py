"""Corrections to documents: details and text (re-anchoring the quotes), archiving, removal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import AnchorStatus
from factcheck.documents.models import Document
from tests.documents.helpers import capture, documents, make_document, page
from tests.publishing.building import make_team, published_claim

TEXT = (
    "Minister Ahmed said on Monday that 300,000 jobs were created last year.\n\n"
    "He added that the deficit fell to 2.1 per cent of GDP."
)
JOBS = "300,000 jobs were created last year"
DEFICIT = "the deficit fell to 2.1 per cent of GDP"


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


def correction(document: Document, **changes: Any) -> dict[str, Any]:
    """The edit form as a person sends it: every field as it is, with some changed."""
    fields = {
        "title": document.title,
        "author": document.author or "",
        "outlet": document.outlet or "",
        "published_on": document.published_on.isoformat() if document.published_on else "",
        "language": document.language or "",
        "url": document.url or "",
        "text": document.text,
    }
    return {**fields, **changes}


def test_details_are_corrected_and_the_history_says_who(
    client: Any, reviewer: User, db_session: Session
) -> None:
    document = make_document(db_session, reviewer, TEXT, title="Speech")
    form = page(client.get(f"/documents/{document.id}/edit"))
    assert form.get_element_by_id("text").text_content().lstrip("\r\n") == TEXT
    response = client.post(
        f"/documents/{document.id}/edit",
        data=correction(document, title="Speech to parliament", author="Ahmed Karim", language="en"),
    )
    assert response.status_code == 302
    [stored] = documents(db_session)
    assert (stored.title, stored.author, stored.language, stored.text) == (
        "Speech to parliament",
        "Ahmed Karim",
        "en",
        TEXT,
    )
    change = db_session.scalar(
        select(AuditChange).where(AuditChange.table_name == "documents", AuditChange.operation == "UPDATE")
    )
    assert change is not None and change.changes["title"] == ["Speech", "Speech to parliament"]
    assert db_session.get(AuditChangeset, change.changeset_seq).actor_id == reviewer.id


def test_a_corrected_text_flags_moved_and_orphaned_quotes(
    client: Any, reviewer: User, db_session: Session
) -> None:
    document = make_document(db_session, reviewer, TEXT, title="Speech")
    jobs = capture(db_session, document, JOBS, reviewer)
    deficit = capture(db_session, document, DEFICIT, reviewer)
    corrected = "Correction appended on Tuesday.\n\n" + TEXT.replace(
        "the deficit fell to 2.1", "borrowing fell to 2"
    )
    response = client.post(f"/documents/{document.id}/edit", data=correction(document, text=corrected))
    assert response.status_code == 302
    db_session.expire_all()
    assert jobs.anchor_status == AnchorStatus.MOVED
    assert corrected[jobs.position_start : jobs.position_end] == JOBS
    assert deficit.anchor_status == AnchorStatus.ORPHANED
    flash = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 quoted passage moved" in flash and "1 quoted passage is no longer in the text" in flash
    # Each claim's page says what happened to its quote.
    moved_flag = page(client.get(f"/claims/{jobs.claim_id}")).find_class("anchor-flag")
    assert "found at another place" in moved_flag[0].text_content()
    orphan_flag = page(client.get(f"/claims/{deficit.claim_id}")).find_class("anchor-flag")
    assert "no longer found" in orphan_flag[0].text_content()
    # The audit history records the new status and position.
    changes = db_session.scalars(
        select(AuditChange).where(AuditChange.table_name == "appearances", AuditChange.operation == "UPDATE")
    ).all()
    assert {c.changes["anchor_status"][1] for c in changes} == {"moved", "orphaned"}
    # Recording where the quotes are now confirms the moved one.
    assert client.post(f"/documents/{document.id}/reanchor").status_code == 302
    db_session.expire_all()
    assert (jobs.anchor_status, deficit.anchor_status) == (AnchorStatus.ANCHORED, AnchorStatus.ORPHANED)


def test_an_empty_text_is_refused(client: Any, reviewer: User, db_session: Session) -> None:
    document = make_document(db_session, reviewer, TEXT, title="Speech")
    response = client.post(f"/documents/{document.id}/edit", data=correction(document, text="  "))
    assert response.status_code == 422
    assert documents(db_session)[0].text == TEXT


def test_an_archived_document_leaves_the_list_and_comes_back(
    client: Any, reviewer: User, db_session: Session
) -> None:
    document = make_document(db_session, reviewer, TEXT, title="Old speech")
    appearance = capture(db_session, document, JOBS, reviewer)
    assert client.post(f"/documents/{document.id}/archive").status_code == 302
    assert "Old speech" not in client.get("/documents/").get_data(as_text=True)
    # Nor is it offered when adding an appearance to a claim.
    choices = page(client.get(f"/claims/{appearance.claim_id}/appearances/new"))
    assert "Old speech" not in " ".join(o.text_content() for o in choices.iter("option"))
    assert "Old speech" in client.get("/documents/?archived=1").get_data(as_text=True)
    shown = page(client.get(f"/documents/{document.id}"))
    assert shown.get_element_by_id("archived-notice") is not None
    assert len(shown.find_class("claim-highlight")) == 1
    assert client.post(f"/documents/{document.id}/archive", data={"restore": "1"}).status_code == 302
    assert "Old speech" in client.get("/documents/").get_data(as_text=True)
    assert documents(db_session)[0].archived_at is None
    choices = page(client.get(f"/claims/{appearance.claim_id}/appearances/new"))
    assert "Old speech" in " ".join(o.text_content() for o in choices.iter("option"))


def test_a_document_with_published_claims_cannot_be_removed(
    client: Any, make_user: Any, login_as: Callable[[Role], User], db_session: Session
) -> None:
    team = make_team(make_user)
    claim = published_claim(db_session, team)
    editor = login_as(Role.EDITOR)
    document = make_document(db_session, editor, TEXT, title="Speech")
    appearance = capture(db_session, document, JOBS, editor)
    appearance.claim_id = claim.id
    db_session.commit()
    response = client.post(f"/documents/{document.id}/remove", follow_redirects=True)
    assert response.status_code == 200
    assert "cannot be removed: claims captured in it have been published" in response.get_data(as_text=True)
    assert len(documents(db_session)) == 1


def test_an_editor_removes_a_document_without_published_claims(
    client: Any, login_as: Callable[[Role], User], db_session: Session
) -> None:
    editor = login_as(Role.EDITOR)
    document = make_document(db_session, editor, TEXT, title="Duplicate upload")
    capture(db_session, document, JOBS, editor)
    response = client.post(f"/documents/{document.id}/remove")
    assert response.status_code == 302 and response.headers["Location"] == "/documents/"
    assert documents(db_session) == []
    deleted = db_session.scalar(
        select(AuditChange).where(AuditChange.table_name == "documents", AuditChange.operation == "DELETE")
    )
    assert deleted is not None


def test_a_reviewer_may_not_remove_a_document(client: Any, reviewer: User, db_session: Session) -> None:
    document = make_document(db_session, reviewer, TEXT, title="Speech")
    assert client.post(f"/documents/{document.id}/remove").status_code == 403
    assert len(documents(db_session)) == 1
