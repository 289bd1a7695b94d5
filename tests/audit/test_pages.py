"""What people see of the audit history: a claim's History tab, the audit log and its
exports, the chain status and the security log."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit import checkpoints, keys
from factcheck.audit.changesets import Actor, set_actor, set_reason
from factcheck.audit.models import AuditChange, AuditChangeset, AuditVerification
from factcheck.claims.models import Claim, ClaimState
from factcheck.ratings.models import Rating, RatingLabel
from factcheck.sources.models import Source, Stance
from factcheck.verdicts.models import Verdict


def label(db: Session, key: str) -> RatingLabel:
    return db.scalars(select(RatingLabel).where(RatingLabel.key == key)).one()


@pytest.fixture
def claim_with_story(db_session: Session, make_user: Callable[..., User]) -> Claim:
    """A claim edited by three people, with a rating change that needed a reason."""
    anna = make_user(Role.REVIEWER, name="Anna Reviewer")
    elena = make_user(Role.EDITOR, name="Elena Editor")
    set_actor(db_session, Actor.for_user(anna))
    claim = Claim(
        text="The treaty banned missiles with ranges of 500 to 5,500 km.", claimant="NATO", created_by=anna
    )
    claim.sources.append(Source(title="INF Treaty", citation="Treaty text, 1987", stance=Stance.SUPPORTS))
    claim.ratings.append(
        Rating(reviewer=anna, label=label(db_session, "true"), reasoning="Article II says so.")
    )
    db_session.add(claim)
    db_session.commit()

    set_actor(db_session, Actor.for_user(elena))
    claim.verdict = Verdict(label=label(db_session, "mostly-false"), headline="Close", author=elena)
    claim.state = ClaimState.RESEARCHING
    db_session.commit()

    claim.verdict.label = label(db_session, "false")
    claim.verdict.explanation = "The treaty covers ground-launched missiles only."
    set_reason(db_session, "The treaty text settles it.")
    db_session.commit()

    claim.text = "The treaty banned ground-launched missiles with ranges of 500 to 5,500 km."
    db_session.commit()
    set_actor(db_session, Actor.system("test setup", "test"))
    return claim


def test_history_tells_the_story_in_sentences(client, login_as, claim_with_story):
    login_as(Role.EDITOR)
    page = client.get(f"/claims/{claim_with_story.id}/history")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Anna Reviewer" in html and "Elena Editor" in html
    assert "captured the claim" in html
    assert "added the source “INF Treaty”" in html
    assert "changed the verdict&#39;s rating from Mostly false to False" in html
    assert "Reason: The treaty text settles it." in html
    assert html.index("Anna Reviewer") < html.index("Elena Editor")  # oldest first


def test_history_shows_long_text_side_by_side_with_the_words_that_changed(client, login_as, claim_with_story):
    login_as(Role.EDITOR)
    html = client.get(f"/claims/{claim_with_story.id}/history").get_data(as_text=True)
    assert "Before" in html and "After" in html
    assert "<ins> ground-launched</ins>" in html


def test_history_keeps_ratings_blind_for_a_reviewer_who_has_not_rated(client, login_as, claim_with_story):
    login_as(Role.REVIEWER)
    html = client.get(f"/claims/{claim_with_story.id}/history").get_data(as_text=True)
    assert "submitted a rating (hidden until you submit your own)" in html
    assert "Article II says so." not in html
    assert "rated the claim True" not in html


def test_history_links_to_publication_revisions(client, login_as, db_session, claim_with_story):
    from factcheck.publishing.models import Publication, PublicationKind

    set_actor(db_session, Actor.system("publisher", "test"))
    claim_with_story.publications.append(
        Publication(
            revision=1,
            kind=PublicationKind.PUBLICATION,
            label_name="False",
            headline="Close",
            snapshot={
                "claim": "x",
                "claimant": "NATO",
                "label": {"name": "False"},
                "headline": "Close",
                "summary": "",
                "explanation": "",
                "sources": [],
            },
        )
    )
    set_reason(db_session, "First publication.")
    db_session.commit()
    login_as(Role.EDITOR)
    html = client.get(f"/claims/{claim_with_story.id}/history").get_data(as_text=True)
    assert "published revision 1 (publication)" in html
    assert f'href="/claims/{claim_with_story.id}/revisions/1"' in html
    assert client.get(f"/claims/{claim_with_story.id}/revisions/1").status_code == 200


def test_history_escapes_what_people_typed(client, login_as, db_session, claim_with_story):
    set_actor(db_session, Actor.system("test", "test"))
    claim_with_story.claimant = '<script>alert("x")</script>'
    db_session.commit()
    login_as(Role.EDITOR)
    html = client.get(f"/claims/{claim_with_story.id}/history").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_audit_log_filters_by_actor_record_and_action(client, login_as, db_session, claim_with_story):
    login_as(Role.EDITOR)
    elena = db_session.scalars(select(User).where(User.name == "Elena Editor")).one()
    everything = client.get("/audit/").get_data(as_text=True)
    assert "Anna Reviewer" in everything and "Elena Editor" in everything

    by_elena = client.get(f"/audit/?actor={elena.id}").get_data(as_text=True)
    assert "Elena Editor" in by_elena
    assert "Anna Reviewer</strong>" not in by_elena and "· Anna Reviewer" not in by_elena

    sources = client.get("/audit/?record=sources&action=INSERT").get_data(as_text=True)
    assert "sources" in sources and "verdicts {" not in sources


def test_audit_log_refuses_an_inverted_date_range_next_to_the_field(client, login_as):
    login_as(Role.ADMIN)
    response = client.get("/audit/?since=2030-01-01&until=2020-01-01")
    assert response.status_code == 422
    assert "The end date is before the start date." in response.get_data(as_text=True)


def test_audit_log_pages_by_sequence_number(client, login_as, db_session, make_user):
    set_actor(db_session, Actor.system("bulk", "test"))
    from factcheck.claims.models import Tag

    for number in range(60):
        db_session.add(Tag(name=f"tag-{number}"))
        db_session.commit()
    login_as(Role.EDITOR)
    first = client.get("/audit/?record=tags").get_data(as_text=True)
    assert "Older changes" in first
    newest = db_session.scalar(
        select(AuditChange.changeset_seq)
        .where(AuditChange.table_name == "tags")
        .order_by(AuditChange.id.desc())
        .limit(1)
    )
    assert f"#{newest}</strong>" in first
    older = client.get(f"/audit/?record=tags&before={newest - 49}").get_data(as_text=True)
    assert f"#{newest - 50}</strong>" in older
    assert f"#{newest}</strong>" not in older


def test_exports_stream_every_change_as_csv_and_ndjson(client, login_as, db_session, claim_with_story):
    login_as(Role.EDITOR)
    response = client.get("/audit/export.csv?record=verdicts")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and {row["table"] for row in rows} == {"verdicts"}
    update = next(row for row in rows if row["operation"] == "UPDATE")
    assert update["reason"] == "The treaty text settles it."
    assert json.loads(update["changes"])["label_id"][1] == label(db_session, "false").id

    lines = client.get("/audit/export.ndjson").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    total = db_session.scalar(select(AuditChangeset.seq).order_by(AuditChangeset.seq.desc()).limit(1))
    assert {record["seq"] for record in records} <= set(range(1, total + 1))
    assert any(record["table"] == "claims" for record in records)


def test_exports_never_contain_password_hashes(client, login_as, db_session):
    login_as(Role.ADMIN)
    body = client.get("/audit/export.ndjson?record=users").get_data(as_text=True)
    assert "$argon2" not in body
    assert "(hidden)" in body


def test_csv_export_neutralises_spreadsheet_formulas(client, login_as, db_session, make_user):
    set_actor(db_session, Actor.system("test", "test"))
    db_session.add(Claim(text='=HYPERLINK("http://evil.example")', claimant="+cmd"))
    db_session.commit()
    login_as(Role.EDITOR)
    body = client.get("/audit/export.csv?record=claims").get_data(as_text=True)
    for row in csv.DictReader(io.StringIO(body.lstrip("\ufeff"))):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_chain_status_shows_the_head_and_verifies_on_request(client, login_as, db_session):
    login_as(Role.ADMIN)
    head = db_session.scalar(select(AuditChangeset).order_by(AuditChangeset.seq.desc()).limit(1))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert head.hash in page
    assert "has not been verified yet" in page

    response = client.post("/admin/audit/verify", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "The history holds" in html
    verification = db_session.scalars(select(AuditVerification)).one()
    assert verification.ok and verification.head_seq is not None and verification.checked >= 1


def test_history_status_shows_the_newest_checkpoint_and_where_its_copies_are(client, login_as, db_session):
    login_as(Role.ADMIN)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "No checkpoint has been made yet" in page

    statement = checkpoints.make(db_session.connection(), checkpoints.COMMAND)
    assert statement is not None
    page = client.get("/admin/audit").get_data(as_text=True)
    assert f"<dd>{statement.seq}</dd>" in page
    assert statement.head in page
    assert f"<code>{statement.key_id}</code>" in page and "(command)" in page
    assert f"<code>{keys.active().current.key_id}</code>" in page
    directory = checkpoints.policy().directory
    assert directory and f"<code>{directory}</code>" in page
    assert 'href="http://localhost/transparency/checkpoints.json"' in page
    assert 'href="http://localhost/transparency/checkpoints.atom"' in page


def test_history_status_lists_the_last_verifications_findings(client, login_as, db_session):
    db_session.add(
        AuditVerification(
            ok=False,
            checked=3,
            head_seq=3,
            head_hash="f" * 64,
            first_bad_seq=None,
            problem="guard: a trigger is missing\ncheckpoint: the newest changesets were removed",
            seconds=0.01,
        )
    )
    db_session.commit()
    login_as(Role.ADMIN)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "The history does not verify" in page
    assert "<li>guard: a trigger is missing</li>" in page
    assert "<li>checkpoint: the newest changesets were removed</li>" in page


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR])
def test_history_status_is_for_admins_only(client, login_as, role):
    login_as(role)
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "transparency/checkpoints.json" not in response.get_data(as_text=True)


def test_security_log_lists_sign_ins_and_denials_for_admins(client, login_as, auth, make_user):
    reviewer = make_user(Role.REVIEWER, name="Rita Reviewer")
    auth.login(reviewer.email)
    assert client.get("/admin/users/").status_code == 403
    auth.logout()
    auth.login(reviewer.email, password="wrong password")
    login_as(Role.ADMIN)
    html = client.get("/admin/security-log").get_data(as_text=True)
    for text in ("Login", "Permission denied", "Logout", "Login failed", "Rita Reviewer", reviewer.email):
        assert text in html, text
    only_failed = client.get("/admin/security-log?kind=login_failed").get_data(as_text=True)
    assert "Permission denied" not in only_failed.split("<tbody>")[1]
