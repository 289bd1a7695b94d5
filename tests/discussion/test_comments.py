"""The discussion of a claim: Markdown comments, sanitised; own or any edits; soft removal."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.discussion import operations
from factcheck.discussion.models import Comment
from factcheck.security.permissions import PermissionDenied
from tests.sources.desk import ROLES, changes_to, text_of
from tests.test_xss_corpus import unsafe_markup


def comments_of(db_session, claim) -> list[Comment]:
    db_session.expire_all()
    return list(db_session.scalars(select(Comment).where(Comment.claim_id == claim.id).order_by(Comment.id)))


def add(db_session, claim, user, body="Did anyone check the **2014** compliance report?") -> Comment:
    comment = Comment(claim=claim, author_id=user.id, body=body)
    db_session.add(comment)
    db_session.commit()
    return comment


@pytest.mark.parametrize("role", ROLES)
def test_everyone_on_the_desk_comments(db_session, claim, sign_in, role):
    browser, person = sign_in(role, name="Carla Commenter")
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert f'action="/claims/{claim.id}/comments/new"' in page and "No comments yet." in page

    response = browser.post(f"/claims/{claim.id}/comments/new", data={"body": "See *Article II*."})

    assert response.status_code == 302
    [comment] = comments_of(db_session, claim)
    assert response.headers["Location"].endswith(f"/claims/{claim.id}#comment-{comment.id}")
    assert comment.author_id == person.id and comment.body == "See *Article II*."
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert "Carla Commenter" in page and "<em>Article II</em>" in page


def test_an_empty_comment_is_refused(db_session, claim, sign_in):
    browser, _ = sign_in(Role.REVIEWER)
    response = browser.post(f"/claims/{claim.id}/comments/new", data={"body": "   "})
    assert response.status_code == 422
    assert "Write something first." in text_of(response)
    assert comments_of(db_session, claim) == []


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<img src=x onerror=alert(1)>",
        '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
        "<a href='javascript:alert(1)'>x</a>",
    ],
)
def test_comments_are_rendered_as_sanitised_markdown(db_session, claim, sign_in, body):
    browser, _ = sign_in(Role.REVIEWER)
    assert browser.post(f"/claims/{claim.id}/comments/new", data={"body": body}).status_code == 302
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert unsafe_markup(page) == []
    assert comments_of(db_session, claim)[0].body == body  # stored as typed


def test_comment_markdown_keeps_safe_formatting_and_links(db_session, claim, sign_in):
    browser, _ = sign_in(Role.REVIEWER)
    body = "**Check** the [treaty text](https://example.org/inf) and:\n\n- Article II\n- Article VI"
    browser.post(f"/claims/{claim.id}/comments/new", data={"body": body})
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert "<strong>Check</strong>" in page and "<li>Article II</li>" in page
    assert '<a href="https://example.org/inf" rel="nofollow noopener noreferrer">treaty text</a>' in page


@pytest.mark.parametrize("role", ROLES)
def test_everyone_edits_and_removes_their_own_comments(db_session, claim, sign_in, role):
    browser, person = sign_in(role)
    comment = add(db_session, claim, person)
    form = text_of(browser.get(f"/claims/{claim.id}/comments/{comment.id}/edit"))
    assert "Did anyone check the **2014** compliance report?" in form

    response = browser.post(f"/claims/{claim.id}/comments/{comment.id}/edit", data={"body": "Corrected."})
    assert response.status_code == 302
    assert comments_of(db_session, claim)[0].body == "Corrected."

    assert browser.get(f"/claims/{claim.id}/comments/{comment.id}/remove").status_code == 200
    assert browser.post(f"/claims/{claim.id}/comments/{comment.id}/remove").status_code == 302
    assert comments_of(db_session, claim)[0].deleted_at is not None


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_and_admins_change_other_peoples_comments(db_session, claim, make_user, sign_in, role):
    author = make_user(Role.REVIEWER)
    comment = add(db_session, claim, author)
    browser, _ = sign_in(role)
    allowed = role != Role.REVIEWER
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert (f"/comments/{comment.id}/edit" in page) is allowed

    assert browser.get(f"/claims/{claim.id}/comments/{comment.id}/edit").status_code == (
        200 if allowed else 403
    )
    edit = browser.post(f"/claims/{claim.id}/comments/{comment.id}/edit", data={"body": "Moderated."})
    assert edit.status_code == (302 if allowed else 403)
    assert comments_of(db_session, claim)[0].body == ("Moderated." if allowed else comment.body)
    removal = browser.post(f"/claims/{claim.id}/comments/{comment.id}/remove")
    assert removal.status_code == (302 if allowed else 403)
    assert (comments_of(db_session, claim)[0].deleted_at is not None) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_the_operations_enforce_own_or_any(db_session, claim, make_user, role):
    author = make_user(Role.REVIEWER)
    comment = add(db_session, claim, author)
    actor = make_user(role)
    if role == Role.REVIEWER:
        with pytest.raises(PermissionDenied):
            operations.edit_comment(db_session, actor, comment, "x")
        with pytest.raises(PermissionDenied):
            operations.remove_comment(db_session, actor, comment)
        actor = author
    operations.edit_comment(db_session, actor, comment, "Changed.")
    operations.remove_comment(db_session, actor, comment)
    db_session.commit()
    assert comment.body == "Changed." and comment.deleted_at is not None


def test_people_off_the_desk_cannot_comment(db_session, claim, make_user):
    with pytest.raises(PermissionDenied):
        operations.add_comment(db_session, AnonymousUserMixin(), claim, "x")
    with pytest.raises(PermissionDenied):
        operations.add_comment(db_session, make_user(Role.REVIEWER, disabled=True), claim, "x")


def test_a_removed_comment_keeps_its_place_as_comment_removed(db_session, claim, make_user, sign_in):
    browser, person = sign_in(Role.REVIEWER)
    first = add(db_session, claim, person, body="The secret first words.")
    add(db_session, claim, person, body="A reply that stays.")
    browser.post(f"/claims/{claim.id}/comments/{first.id}/remove")

    [removed, kept] = comments_of(db_session, claim)  # the row stays
    assert removed.deleted_at is not None and kept.deleted_at is None
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert "Comment removed." in page and "The secret first words." not in page
    assert page.index("Comment removed.") < page.index("A reply that stays.")
    assert "Discussion (1)" in page
    # Soft removal is an update in the history, not a deletion.
    assert [change.operation for change in changes_to(db_session, "comments")] == [
        "INSERT",
        "INSERT",
        "UPDATE",
    ]
    # A removed comment cannot be edited or removed again.
    assert browser.get(f"/claims/{claim.id}/comments/{first.id}/edit").status_code == 404
    assert (
        browser.post(f"/claims/{claim.id}/comments/{first.id}/edit", data={"body": "Back!"}).status_code
        == 404
    )
    assert browser.post(f"/claims/{claim.id}/comments/{first.id}/remove").status_code == 404
    with pytest.raises(operations.CommentError):
        operations.edit_comment(db_session, person, comments_of(db_session, claim)[0], "Back!")


def test_a_comment_of_another_claim_is_not_found_here(db_session, claim, sign_in):
    from factcheck.claims.models import Claim

    other = Claim(text="Another claim.", claimant="Someone")
    db_session.add(other)
    db_session.commit()
    browser, editor = sign_in(Role.EDITOR)
    comment = add(db_session, other, editor)
    assert browser.get(f"/claims/{claim.id}/comments/{comment.id}/edit").status_code == 404
    assert browser.post(f"/claims/{claim.id}/comments/{comment.id}/remove").status_code == 404
