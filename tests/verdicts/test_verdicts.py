"""The verdict: written by editors in Markdown with a preview, rating changes with a reason, no silent overwrites."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.audit.changesets import AuditError
from factcheck.security.permissions import PermissionDenied
from factcheck.verdicts import operations
from factcheck.verdicts.models import Verdict
from tests.sources.desk import changeset_count, label, latest_changeset, text_of

EXPLANATION = """The US said in 2018 that the 9M729 **violates** the treaty.

See [the State Department statement](https://example.org/statement) and
[this](javascript:alert(1)) <script>alert(2)</script>."""


def verdict_of(db_session, claim) -> Verdict | None:
    db_session.expire_all()
    return db_session.scalar(select(Verdict).where(Verdict.claim_id == claim.id))


def form(db_session, **values):
    data = {
        "label_id": str(label(db_session, "mostly-false").id),
        "headline": "Russia's figure is not supported by the evidence",
        "summary": "The *480 km* figure comes from Russia alone.",
        "explanation": EXPLANATION,
        "action": "save",
    }
    data.update(values)
    return data


@pytest.fixture
def verdict(db_session, claim, make_user) -> Verdict:
    author = make_user(Role.EDITOR, name="Ada Author")
    claim.verdict = Verdict(
        label=label(db_session, "mostly-false"),
        headline="First headline",
        summary="First summary.",
        explanation="First explanation.",
        author_id=author.id,
        updated_by_id=author.id,
    )
    db_session.commit()
    return claim.verdict


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_an_editor_writes_the_verdict(db_session, claim, sign_in, role):
    browser, editor = sign_in(role)
    assert "Write the verdict" in text_of(browser.get(f"/claims/{claim.id}/verdict"))

    response = browser.post(f"/claims/{claim.id}/verdict", data=form(db_session))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/{claim.id}#verdict-heading")
    verdict = verdict_of(db_session, claim)
    assert verdict.label.key == "mostly-false"
    assert verdict.headline == "Russia's figure is not supported by the evidence"
    assert verdict.explanation == EXPLANATION
    assert verdict.author_id == editor.id and verdict.updated_by_id == editor.id
    assert verdict.version == 1


def test_the_claim_page_shows_the_verdict_rendered_and_sanitised(db_session, claim, sign_in):
    editor_browser, _ = sign_in(Role.EDITOR)
    editor_browser.post(f"/claims/{claim.id}/verdict", data=form(db_session))
    browser, _ = sign_in(Role.REVIEWER)

    page = text_of(browser.get(f"/claims/{claim.id}"))

    assert "<strong>violates</strong>" in page and "<em>480 km</em>" in page
    assert '<a href="https://example.org/statement" rel="nofollow noopener noreferrer">' in page
    assert 'href="javascript:' not in page and "<script>alert(2)" not in page
    assert "Mostly false" in page
    # Only editors are offered to edit it.
    assert f"/claims/{claim.id}/verdict" not in page
    assert f"/claims/{claim.id}/verdict" in text_of(editor_browser.get(f"/claims/{claim.id}"))


def test_reviewers_cannot_write_verdicts(db_session, claim, sign_in, make_user):
    browser, reviewer = sign_in(Role.REVIEWER)
    assert browser.get(f"/claims/{claim.id}/verdict").status_code == 403
    assert browser.post(f"/claims/{claim.id}/verdict", data=form(db_session)).status_code == 403
    with pytest.raises(PermissionDenied):
        operations.save_verdict(
            db_session, reviewer, claim, operations.VerdictValues(headline="Mine"), based_on=None
        )
    assert verdict_of(db_session, claim) is None


def test_a_verdict_needs_a_headline(db_session, claim, sign_in):
    browser, _ = sign_in(Role.EDITOR)
    response = browser.post(f"/claims/{claim.id}/verdict", data=form(db_session, headline=" "))
    assert response.status_code == 422
    assert "Write a headline." in text_of(response)
    assert verdict_of(db_session, claim) is None


def test_a_verdict_may_wait_for_its_label(db_session, claim, sign_in):
    browser, _ = sign_in(Role.EDITOR)
    assert browser.post(f"/claims/{claim.id}/verdict", data=form(db_session, label_id="")).status_code == 302
    assert verdict_of(db_session, claim).label_id is None
    assert "Rating not decided yet" in text_of(browser.get(f"/claims/{claim.id}"))


# --- preview ------------------------------------------------------------------------------


def test_preview_shows_the_sanitised_rendering_and_saves_nothing(db_session, claim, sign_in):
    browser, _ = sign_in(Role.EDITOR)
    before = changeset_count(db_session)

    response = browser.post(f"/claims/{claim.id}/verdict", data=form(db_session, action="preview"))

    assert response.status_code == 200
    html = text_of(response)
    assert "Preview" in html and "not saved yet" in html
    assert "<strong>violates</strong>" in html and "<em>480 km</em>" in html
    assert "<script>alert(2)" not in html and 'href="javascript:' not in html
    # The typed text stays in the form for more editing.
    assert "Russia&#39;s figure is not supported by the evidence" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html  # in the textarea, escaped
    assert verdict_of(db_session, claim) is None
    assert changeset_count(db_session) == before


def test_preview_of_a_change_leaves_the_saved_verdict_alone(db_session, verdict, sign_in):
    browser, _ = sign_in(Role.EDITOR)
    response = browser.post(
        f"/claims/{verdict.claim_id}/verdict",
        data=form(
            db_session,
            headline="Changed?",
            label_id=str(label(db_session, "false").id),
            action="preview",
            version="1",
        ),
    )
    assert response.status_code == 200
    saved = verdict_of(db_session, verdict.claim)
    assert saved.headline == "First headline" and saved.label.key == "mostly-false" and saved.version == 1


# --- changing the rating needs a reason ---------------------------------------------------


def test_changing_the_label_without_a_reason_is_refused_with_a_field_error(db_session, verdict, sign_in):
    browser, _ = sign_in(Role.EDITOR)
    assert 'name="reason"' in text_of(browser.get(f"/claims/{verdict.claim_id}/verdict"))

    response = browser.post(
        f"/claims/{verdict.claim_id}/verdict",
        data=form(db_session, label_id=str(label(db_session, "false").id), version="1"),
    )

    assert response.status_code == 422
    html = text_of(response)
    assert 'id="reason-error"' in html and "Say why the rating changes" in html
    saved = verdict_of(db_session, verdict.claim)
    assert saved.label.key == "mostly-false" and saved.headline == "First headline"


def test_changing_the_label_with_a_reason_keeps_the_reason_in_the_history(db_session, verdict, sign_in):
    browser, editor = sign_in(Role.EDITOR, name="Elena Editor")
    response = browser.post(
        f"/claims/{verdict.claim_id}/verdict",
        data=form(
            db_session,
            label_id=str(label(db_session, "false").id),
            reason="The State Department report settles it.",
            version="1",
        ),
    )
    assert response.status_code == 302
    saved = verdict_of(db_session, verdict.claim)
    assert saved.label.key == "false"
    assert saved.author.name == "Ada Author" and saved.updated_by_id == editor.id
    assert latest_changeset(db_session).reason == "The State Department report settles it."
    history = text_of(browser.get(f"/claims/{verdict.claim_id}/history"))
    assert "changed the verdict&#39;s rating from Mostly false to False" in history
    assert "Reason: The State Department report settles it." in history


def test_other_changes_need_no_reason(db_session, verdict, sign_in):
    browser, _ = sign_in(Role.EDITOR)
    response = browser.post(f"/claims/{verdict.claim_id}/verdict", data=form(db_session, version="1"))
    assert response.status_code == 302
    assert (
        verdict_of(db_session, verdict.claim).headline == "Russia's figure is not supported by the evidence"
    )
    assert latest_changeset(db_session).reason is None


def test_the_audit_layer_refuses_a_label_change_without_a_reason_too(db_session, verdict):
    verdict.label = label(db_session, "true")
    with pytest.raises(AuditError):
        db_session.commit()
    db_session.rollback()
    with pytest.raises(operations.VerdictError, match="Say why") as caught:
        operations.save_verdict(
            db_session,
            verdict.author,
            verdict.claim,
            operations.VerdictValues(headline="x", label_id=label(db_session, "true").id),
            based_on=verdict.version,
        )
    assert caught.value.field == "reason"


# --- two editors at once --------------------------------------------------------------------


def test_the_second_of_two_concurrent_edits_gets_a_conflict_page(db_session, verdict, sign_in):
    ada, _ = sign_in(Role.EDITOR, name="Ada Editor")
    bob, _ = sign_in(Role.EDITOR, name="Bob Editor")
    claim_id = verdict.claim_id
    assert 'value="1"' in text_of(ada.get(f"/claims/{claim_id}/verdict"))
    assert 'value="1"' in text_of(bob.get(f"/claims/{claim_id}/verdict"))

    first = ada.post(
        f"/claims/{claim_id}/verdict", data=form(db_session, headline="Ada's headline", version="1")
    )
    assert first.status_code == 302
    second = bob.post(
        f"/claims/{claim_id}/verdict",
        data=form(db_session, headline="Bob's headline", explanation="Bob's long explanation.", version="1"),
    )

    assert second.status_code == 409
    html = text_of(second)
    assert "Someone else changed this verdict while you were editing it" in html
    assert "Ada Editor" in html and "Ada&#39;s headline" in html
    assert 'value="Bob&#39;s headline"' in html and "Bob&#39;s long explanation." in html
    assert 'id="version" name="version" type="hidden" value="2"' in html
    assert verdict_of(db_session, verdict.claim).headline == "Ada's headline"

    again = bob.post(
        f"/claims/{claim_id}/verdict", data=form(db_session, headline="Bob's headline", version="2")
    )
    assert again.status_code == 302
    assert verdict_of(db_session, verdict.claim).headline == "Bob's headline"


def test_two_editors_writing_the_first_verdict_at_once(db_session, claim, sign_in):
    ada, _ = sign_in(Role.EDITOR, name="Ada Editor")
    bob, _ = sign_in(Role.EDITOR, name="Bob Editor")
    ada.get(f"/claims/{claim.id}/verdict")
    bob.get(f"/claims/{claim.id}/verdict")
    assert ada.post(f"/claims/{claim.id}/verdict", data=form(db_session, headline="Ada's")).status_code == 302

    second = bob.post(f"/claims/{claim.id}/verdict", data=form(db_session, headline="Bob's"))

    assert second.status_code == 409
    html = text_of(second)
    assert "The verdict as saved now" in html and "Ada&#39;s" in html
    assert 'value="Bob&#39;s"' in html
    assert verdict_of(db_session, claim).headline == "Ada's"


def test_a_save_racing_another_in_the_same_instant_gets_the_conflict_page(
    db_session, verdict, sign_in, monkeypatch
):
    """The version check passes, then someone else's save lands before ours is written."""
    browser, _ = sign_in(Role.EDITOR)
    checked = operations.check_version

    def someone_saves_meanwhile(record, based_on):
        checked(record, based_on)
        other = db_session.get(Verdict, record.id)
        other.headline = "Saved in the same instant"
        db_session.commit()

    monkeypatch.setattr(operations, "check_version", someone_saves_meanwhile)
    data = form(db_session, headline="Mine", version="1")
    db_session.commit()  # its savepoint ends here, so the one it opens meanwhile nests inside the request's
    response = browser.post(f"/claims/{verdict.claim_id}/verdict", data=data)

    assert response.status_code == 409
    html = text_of(response)
    assert "Someone else changed this verdict while you were editing it" in html and 'value="Mine"' in html
    # (The other save itself cannot outlive this request here: tests share one connection, and
    # the request's rollback takes the nested write with it. In production it is its own commit.)
    assert verdict_of(db_session, verdict.claim).headline != "Mine"
