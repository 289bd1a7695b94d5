"""Sources of a claim: adding, editing and removing them, and who may do which."""

from __future__ import annotations

from datetime import date

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.security.permissions import PermissionDenied
from factcheck.sources import operations
from factcheck.sources.models import Source, SourceKind, Stance
from tests.sources.desk import ROLES, changes_to, text_of

FULL = {
    "title": "Press briefing on the 9M729 cruise missile",
    "url": "https://example.org/briefing?id=1&lang=en",
    "citation": "",
    "publisher": "Russian Ministry of Defence",
    "published_on": "2019-01-23",
    "kind": "official_statement",
    "stance": "supports",
    "quote": "The maximum range of the 9M729 is 480 km.",
    "note": "Claimed, not independently verified.",
    "is_primary": "y",
}


def sources_of(db_session, claim) -> list[Source]:
    db_session.expire_all()
    return list(db_session.scalars(select(Source).where(Source.claim_id == claim.id).order_by(Source.id)))


def add(db_session, claim, user, **values) -> Source:
    source = Source(
        claim=claim, title="INF Treaty", citation="Treaty text, 1987", created_by_id=user.id, **values
    )
    db_session.add(source)
    db_session.commit()
    return source


# --- adding -------------------------------------------------------------------


def test_a_reviewer_adds_a_source_with_every_field(db_session, claim, sign_in):
    browser, reviewer = sign_in(Role.REVIEWER)
    assert browser.get(f"/claims/{claim.id}/sources/new").status_code == 200

    response = browser.post(f"/claims/{claim.id}/sources/new", data=FULL)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/claims/{claim.id}#sources-heading")
    [source] = sources_of(db_session, claim)
    assert source.title == FULL["title"]
    assert source.url == FULL["url"]
    assert source.citation is None
    assert source.publisher == "Russian Ministry of Defence"
    assert source.published_on == date(2019, 1, 23)
    assert source.kind == SourceKind.OFFICIAL_STATEMENT
    assert source.stance == Stance.SUPPORTS
    assert source.quote == FULL["quote"]
    assert source.note == FULL["note"]
    assert source.is_primary is True
    assert source.created_by_id == reviewer.id

    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert "Press briefing on the 9M729 cruise missile" in page
    assert 'href="https://example.org/briefing?id=1&amp;lang=en"' in page
    assert "Primary" in page and "Supports" in page and "The maximum range of the 9M729 is 480 km." in page


def test_adding_a_source_is_in_the_claims_history(db_session, claim, sign_in):
    browser, _ = sign_in(Role.REVIEWER, name="Rita Reviewer")
    browser.post(f"/claims/{claim.id}/sources/new", data=FULL)
    [insert] = changes_to(db_session, "sources", "INSERT")
    assert insert.claim_id == claim.id
    history = text_of(browser.get(f"/claims/{claim.id}/history"))
    assert "Rita Reviewer" in history
    assert "added the source “Press briefing on the 9M729 cruise missile”" in history


def test_a_citation_alone_is_enough(db_session, claim, sign_in):
    browser, _ = sign_in(Role.REVIEWER)
    response = browser.post(
        f"/claims/{claim.id}/sources/new",
        data={
            "title": "Interview with a former arms-control negotiator",
            "citation": "Phone interview, 2 Feb 2019",
        },
    )
    assert response.status_code == 302
    [source] = sources_of(db_session, claim)
    assert source.url is None and source.citation == "Phone interview, 2 Feb 2019"
    assert source.kind == SourceKind.OTHER and source.stance == Stance.CONTEXT and source.is_primary is False


def test_a_source_needs_a_url_or_a_citation(db_session, claim, sign_in):
    browser, _ = sign_in(Role.REVIEWER)
    response = browser.post(f"/claims/{claim.id}/sources/new", data={"title": "Somewhere"})
    assert response.status_code == 422
    assert "Give a web address or a full citation (or both)." in text_of(response)
    assert sources_of(db_session, claim) == []


def test_a_source_needs_a_title(db_session, claim, sign_in):
    browser, _ = sign_in(Role.REVIEWER)
    response = browser.post(f"/claims/{claim.id}/sources/new", data={"url": "https://example.org/"})
    assert response.status_code == 422
    assert "Give the source a title." in text_of(response)
    assert sources_of(db_session, claim) == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "ftp://example.org/file",
        "file:///etc/passwd",
        "//example.org/no-scheme",
        "example.org/no-scheme",
        "https://",
        "https://exa mple.org/",
        "https://example.org/\x01",
    ],
)
def test_only_http_and_https_urls_are_accepted(db_session, claim, sign_in, url):
    browser, _ = sign_in(Role.REVIEWER)
    response = browser.post(f"/claims/{claim.id}/sources/new", data={"title": "Bad link", "url": url})
    assert response.status_code == 422
    html = text_of(response)
    assert 'id="url-error"' in html
    assert sources_of(db_session, claim) == []


def test_the_operation_refuses_bad_urls_too(db_session, claim, make_user):
    reviewer = make_user(Role.REVIEWER)
    with pytest.raises(operations.SourceError, match="http:// or https://") as caught:
        operations.add_source(
            db_session, reviewer, claim, operations.SourceValues(title="x", url="javascript:alert(1)")
        )
    assert caught.value.field == "url"
    with pytest.raises(operations.SourceError, match="web address or a full citation"):
        operations.add_source(db_session, reviewer, claim, operations.SourceValues(title="x"))


def test_people_who_are_not_on_the_desk_cannot_add_sources(db_session, claim, make_user):
    values = operations.SourceValues(title="x", url="https://example.org/")
    with pytest.raises(PermissionDenied):
        operations.add_source(db_session, AnonymousUserMixin(), claim, values)
    with pytest.raises(PermissionDenied):
        operations.add_source(db_session, make_user(Role.EDITOR, disabled=True), claim, values)


def test_a_source_of_another_claim_is_not_found_here(db_session, claim, make_user, sign_in):
    from factcheck.claims.models import Claim

    other = Claim(text="Another claim.", claimant="Someone")
    db_session.add(other)
    db_session.commit()
    browser, editor = sign_in(Role.EDITOR)
    source = add(db_session, other, editor)
    assert browser.get(f"/claims/{claim.id}/sources/{source.id}/edit").status_code == 404
    assert browser.get(f"/claims/{claim.id}/sources/{source.id}/remove").status_code == 404
    assert browser.get("/claims/999999/sources/new").status_code == 404


# --- editing and removing: own or any ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_edits_and_removes_their_own_sources(db_session, claim, sign_in, role):
    browser, person = sign_in(role)
    source = add(db_session, claim, person)

    form = browser.get(f"/claims/{claim.id}/sources/{source.id}/edit")
    assert form.status_code == 200
    assert 'id="version" name="version" type="hidden" value="1"' in text_of(form)
    response = browser.post(
        f"/claims/{claim.id}/sources/{source.id}/edit",
        data={**FULL, "title": "The Treaty text", "version": "1"},
    )
    assert response.status_code == 302
    [edited] = sources_of(db_session, claim)
    assert edited.title == "The Treaty text" and edited.version == 2

    assert browser.get(f"/claims/{claim.id}/sources/{source.id}/remove").status_code == 200
    assert (
        browser.post(f"/claims/{claim.id}/sources/{source.id}/remove", data={"version": "2"}).status_code
        == 302
    )
    assert sources_of(db_session, claim) == []
    assert [change.operation for change in changes_to(db_session, "sources")] == [
        "INSERT",
        "UPDATE",
        "DELETE",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_and_admins_change_other_peoples_sources(db_session, claim, make_user, sign_in, role):
    author = make_user(Role.REVIEWER)
    source = add(db_session, claim, author)
    browser, _ = sign_in(role)
    allowed = role != Role.REVIEWER

    edit = browser.post(
        f"/claims/{claim.id}/sources/{source.id}/edit", data={**FULL, "title": "Changed", "version": "1"}
    )
    assert edit.status_code == (302 if allowed else 403)
    assert browser.get(f"/claims/{claim.id}/sources/{source.id}/edit").status_code == (
        200 if allowed else 403
    )
    [current] = sources_of(db_session, claim)
    assert current.title == ("Changed" if allowed else "INF Treaty")

    removal = browser.post(f"/claims/{claim.id}/sources/{source.id}/remove")
    assert removal.status_code == (302 if allowed else 403)
    assert len(sources_of(db_session, claim)) == (0 if allowed else 1)


@pytest.mark.parametrize("role", ROLES)
def test_the_claim_page_offers_edit_and_remove_only_where_allowed(
    db_session, claim, make_user, sign_in, role
):
    author = make_user(Role.REVIEWER)
    theirs = add(db_session, claim, author)
    browser, person = sign_in(role)
    mine = add(db_session, claim, person)
    page = text_of(browser.get(f"/claims/{claim.id}"))
    assert f"/sources/{mine.id}/edit" in page and f"/sources/{mine.id}/remove" in page
    assert (f"/sources/{theirs.id}/edit" in page) is (role != Role.REVIEWER)
    assert (f"/sources/{theirs.id}/remove" in page) is (role != Role.REVIEWER)


@pytest.mark.parametrize("role", ROLES)
def test_the_operations_enforce_own_or_any(db_session, claim, make_user, role):
    author = make_user(Role.REVIEWER)
    source = add(db_session, claim, author)
    actor = make_user(role)
    values = operations.SourceValues(title="Changed", citation="Treaty text")
    if role == Role.REVIEWER:
        with pytest.raises(PermissionDenied):
            operations.edit_source(db_session, actor, source, values, based_on=source.version)
        with pytest.raises(PermissionDenied):
            operations.remove_source(db_session, actor, source)
    else:
        operations.edit_source(db_session, actor, source, values, based_on=source.version)
        operations.remove_source(db_session, actor, source)
        db_session.commit()
        assert sources_of(db_session, claim) == []
    # The author always may.
    if role == Role.REVIEWER:
        operations.edit_source(db_session, author, source, values, based_on=source.version)
        db_session.commit()
        assert source.title == "Changed"


def test_an_edit_refused_by_validation_keeps_the_typed_text(db_session, claim, sign_in):
    browser, person = sign_in(Role.REVIEWER)
    source = add(db_session, claim, person)
    response = browser.post(
        f"/claims/{claim.id}/sources/{source.id}/edit",
        data={"title": "Kept title", "url": "javascript:alert(1)", "version": "1"},
    )
    assert response.status_code == 422
    assert 'value="Kept title"' in text_of(response)
    assert sources_of(db_session, claim)[0].title == "INF Treaty"


# --- two people at once ---------------------------------------------------------------


def test_the_second_of_two_concurrent_edits_gets_a_conflict_page(db_session, claim, sign_in):
    anna, anna_user = sign_in(Role.REVIEWER, name="Anna Author")
    elena, _ = sign_in(Role.EDITOR, name="Elena Editor")
    source = add(db_session, claim, anna_user)
    # Both open the edit form at version 1.
    assert 'value="1"' in text_of(anna.get(f"/claims/{claim.id}/sources/{source.id}/edit"))
    assert 'value="1"' in text_of(elena.get(f"/claims/{claim.id}/sources/{source.id}/edit"))

    first = elena.post(
        f"/claims/{claim.id}/sources/{source.id}/edit",
        data={
            "title": "INF Treaty (1987)",
            "citation": "Treaty text, 1987",
            "stance": "refutes",
            "version": "1",
        },
    )
    assert first.status_code == 302
    second = anna.post(
        f"/claims/{claim.id}/sources/{source.id}/edit",
        data={
            "title": "Anna's title",
            "citation": "Anna's citation",
            "note": "Anna's careful note",
            "version": "1",
        },
    )

    assert second.status_code == 409
    html = text_of(second)
    assert "Someone else changed this source while you were editing it" in html
    assert "Elena Editor" in html and "INF Treaty (1987)" in html and "Refutes" in html
    # What Anna typed is still in the form, now based on the current version.
    assert 'value="Anna&#39;s title"' in html and "Anna&#39;s careful note" in html
    print(html[html.index('<form method="post" novalidate') :][:500])
    assert 'id="version" name="version" type="hidden" value="2"' in html
    [stored] = sources_of(db_session, claim)
    assert stored.title == "INF Treaty (1987)" and stored.note is None

    # Saving again is a deliberate choice to replace Elena's version.
    again = anna.post(
        f"/claims/{claim.id}/sources/{source.id}/edit",
        data={"title": "Anna's title", "citation": "Anna's citation", "version": "2"},
    )
    assert again.status_code == 302
    assert sources_of(db_session, claim)[0].title == "Anna's title"


def test_an_edit_without_a_version_is_a_conflict_not_an_overwrite(db_session, claim, sign_in):
    browser, person = sign_in(Role.REVIEWER)
    source = add(db_session, claim, person)
    response = browser.post(
        f"/claims/{claim.id}/sources/{source.id}/edit", data={"title": "Blind save", "citation": "x"}
    )
    assert response.status_code == 409
    assert sources_of(db_session, claim)[0].title == "INF Treaty"


def test_editing_a_source_someone_removed_keeps_the_text_and_offers_to_add_it(db_session, claim, sign_in):
    anna, anna_user = sign_in(Role.REVIEWER)
    elena, _ = sign_in(Role.EDITOR)
    source = add(db_session, claim, anna_user)
    assert elena.post(f"/claims/{claim.id}/sources/{source.id}/remove").status_code == 302

    response = anna.post(
        f"/claims/{claim.id}/sources/{source.id}/edit",
        data={"title": "My rewritten title", "citation": "Treaty text", "version": "1"},
    )
    assert response.status_code == 409
    html = text_of(response)
    assert "This source was removed while you were editing it" in html
    assert 'value="My rewritten title"' in html
    assert f'action="/claims/{claim.id}/sources/new"' in html
    assert sources_of(db_session, claim) == []


def test_removing_a_source_changed_since_it_was_shown_is_a_conflict(db_session, claim, sign_in):
    anna, anna_user = sign_in(Role.REVIEWER)
    elena, _ = sign_in(Role.EDITOR, name="Elena Editor")
    source = add(db_session, claim, anna_user)
    assert 'value="1"' in text_of(elena.get(f"/claims/{claim.id}/sources/{source.id}/remove"))
    anna.post(
        f"/claims/{claim.id}/sources/{source.id}/edit",
        data={"title": "Improved", "citation": "Treaty text", "version": "1"},
    )

    response = elena.post(f"/claims/{claim.id}/sources/{source.id}/remove", data={"version": "1"})

    assert response.status_code == 409
    assert "Improved" in text_of(response)
    assert len(sources_of(db_session, claim)) == 1
