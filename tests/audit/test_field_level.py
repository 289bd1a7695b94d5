"""Field-level: each change says which row, which fields, old and new; each changeset says who, when, why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, AuditError, require_reason, set_actor, set_reason
from factcheck.claims.models import Claim, Tag
from factcheck.sources.models import Source, Stance
from tests.audit.helpers import audited_session, changes, changeset, head, head_seq, observe, tag_names


def only_change(db: Session, seq: int | None = None):
    """The single change of a changeset (the newest by default)."""
    recorded = changes(db, seq if seq is not None else head_seq(db))
    assert len(recorded) == 1, recorded
    return recorded[0]


def columns(db: Session, table: str) -> set[str]:
    return {column["name"] for column in inspect(db.connection()).get_columns(table)}


@pytest.fixture
def claim(db_session: Session) -> Claim:
    claim = Claim(text="Prices rose 40% in a month.", claimant="A union leader")
    db_session.add(claim)
    db_session.commit()
    return claim


# --- the fields ---------------------------------------------------------------------


def test_update_records_only_the_changed_fields_as_old_and_new(db_session: Session) -> None:
    tag = Tag(name="old name")
    db_session.add(tag)
    db_session.commit()
    tag.name = "new name"
    db_session.commit()

    change = only_change(db_session)
    assert (change.table_name, change.operation, change.row_key) == ("tags", "UPDATE", {"id": tag.id})
    assert change.changes == {"name": ["old name", "new name"]}


def test_update_of_a_claim_leaves_out_the_fields_that_stayed(db_session: Session, claim: Claim) -> None:
    claim.claimant = "A union spokesperson"
    db_session.commit()

    change = only_change(db_session)
    assert change.operation == "UPDATE"
    # The edited field, plus what the app itself bumps (optimistic version, last-changed time).
    assert set(change.changes) == {"claimant", "version", "updated_at"}
    assert change.changes["claimant"] == ["A union leader", "A union spokesperson"]
    assert change.changes["version"] == [1, 2]
    assert change.claim_id == claim.id


def test_insert_records_every_field_with_old_null(db_session: Session, claim: Claim) -> None:
    source = Source(
        claim=claim, title="Consumer price index", url="https://stats.example.org/cpi", stance=Stance.REFUTES
    )
    db_session.add(source)
    db_session.commit()

    change = only_change(db_session)
    assert (change.table_name, change.operation, change.row_key) == ("sources", "INSERT", {"id": source.id})
    assert set(change.changes) == columns(db_session, "sources")
    assert all(old is None for old, _new in change.changes.values())
    assert change.changes["title"] == [None, "Consumer price index"]
    assert change.changes["url"] == [None, "https://stats.example.org/cpi"]
    assert change.changes["stance"] == [None, "refutes"]
    assert change.changes["citation"] == [None, None]
    assert change.changes["claim_id"] == [None, claim.id]
    assert change.claim_id == claim.id


def test_delete_records_every_field_with_new_null(db_session: Session, claim: Claim) -> None:
    source = Source(claim=claim, title="A blog post", citation="Someone's blog, 3 May")
    db_session.add(source)
    db_session.commit()
    source_id = source.id
    db_session.delete(source)
    db_session.commit()

    change = only_change(db_session)
    assert (change.table_name, change.operation, change.row_key) == ("sources", "DELETE", {"id": source_id})
    assert set(change.changes) == columns(db_session, "sources")
    assert all(new is None for _old, new in change.changes.values())
    assert change.changes["title"] == ["A blog post", None]
    assert change.changes["citation"] == ["Someone's blog, 3 May", None]
    assert change.claim_id == claim.id


def test_row_key_is_the_whole_primary_key(db_session: Session, claim: Claim) -> None:
    tag = Tag(name="prices")
    db_session.add(tag)
    db_session.commit()
    claim.tags.append(tag)
    db_session.commit()

    link = next(row for row in changes(db_session, head_seq(db_session)) if row.table_name == "claim_tags")
    assert link.operation == "INSERT"
    assert link.row_key == {"claim_id": claim.id, "tag_id": tag.id}
    assert link.claim_id == claim.id


# --- who, when, where from, why -----------------------------------------------------------


def test_changeset_records_actor_origin_time_request_and_reason(
    db_session: Session, make_user: Callable[..., User]
) -> None:
    editor = make_user(Role.EDITOR, name="Edith Editor")
    set_actor(db_session, Actor.for_user(editor, origin="api", request_id="req-0123456789"))
    set_reason(db_session, "Typo in the tag name")
    before = datetime.now(UTC)
    db_session.add(Tag(name="ecnomy"))
    db_session.commit()
    after = datetime.now(UTC)

    recorded = head(db_session)
    assert recorded is not None
    assert (recorded.actor_id, recorded.actor_name, recorded.actor_role) == (
        editor.id,
        "Edith Editor",
        "editor",
    )
    assert recorded.origin == "api"
    assert recorded.request_id == "req-0123456789"
    assert recorded.reason == "Typo in the tag name"
    assert recorded.occurred_at.utcoffset() == timedelta(0)
    assert before <= recorded.occurred_at <= after


def test_a_web_request_is_attributed_to_the_signed_in_user_and_its_request_id(
    client: FlaskClient, login_as: Callable[[Role], User], make_user: Callable[..., User], db_session: Session
) -> None:
    admin = login_as(Role.ADMIN)
    target = make_user(Role.REVIEWER)
    start = head_seq(db_session)

    response = client.post(
        f"/admin/users/{target.id}", data={"role": "editor"}, headers={"X-Request-ID": "abcdef123456"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)

    assert head_seq(db_session) == start + 1
    recorded = changeset(db_session, start + 1)
    assert recorded is not None
    assert (recorded.actor_id, recorded.actor_name, recorded.actor_role) == (admin.id, admin.name, "admin")
    assert recorded.origin == "web"
    # The client's id is kept apart; the chain records the id the app gave the request.
    assert recorded.client_request_id == "abcdef123456"
    assert recorded.request_id != "abcdef123456" and len(recorded.request_id) == 32
    assert response.headers["X-Request-ID"] == recorded.request_id
    # The role change, and the security log's entry about it, in one changeset.
    change, logged = changes(db_session, start + 1)
    assert (logged.table_name, logged.operation) == ("security_events", "INSERT")
    assert logged.changes["kind"] == [None, "role_changed"]
    assert (change.table_name, change.operation, change.row_key) == ("users", "UPDATE", {"id": target.id})
    assert change.changes["role"] == ["reviewer", "editor"]


# --- required reasons ------------------------------------------------------------------


def test_a_missing_required_reason_refuses_the_commit_and_keeps_nothing(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        session.add(Tag(name="needs a reason"))
        require_reason(session, "renaming a tag")
        with pytest.raises(AuditError, match="renaming a tag"):
            session.commit()
        session.rollback()

    with observe(committed_engine) as observer:
        assert "needs a reason" not in tag_names(observer)
        assert changes(observer, start + 1) == []
        assert head_seq(observer) == start


def test_a_required_reason_given_is_stored_with_the_changeset(db_session: Session) -> None:
    db_session.add(Tag(name="has a reason"))
    require_reason(db_session, "renaming a tag")
    set_reason(db_session, "  Agreed at the morning meeting  ")
    db_session.commit()

    recorded = head(db_session)
    assert recorded is not None
    assert recorded.reason == "Agreed at the morning meeting"
    assert only_change(db_session).changes["name"] == [None, "has a reason"]


def test_the_reason_can_be_given_after_the_refusal_and_the_commit_retried(committed_engine: Engine) -> None:
    with observe(committed_engine) as observer:
        start = head_seq(observer)
    with audited_session(committed_engine) as session:
        session.add(Tag(name="reason given late"))
        require_reason(session, "renaming a tag")
        with pytest.raises(AuditError):
            session.commit()
        set_reason(session, "Forgot to say why")
        session.commit()

    with observe(committed_engine) as observer:
        assert "reason given late" in tag_names(observer)
        recorded = changeset(observer, start + 1)
        assert recorded is not None
        assert recorded.reason == "Forgot to say why"
        assert [row.table_name for row in changes(observer, start + 1)] == ["tags"]
