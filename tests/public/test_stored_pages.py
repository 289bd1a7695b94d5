"""Verdict pages rendered on publication, stored, and served to anonymous readers by the lean path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, event, select, update
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role
from factcheck.claims.models import Claim
from factcheck.jobs.models import Job
from factcheck.jobs.runner import run_all
from factcheck.organisation.models import Organisation
from factcheck.public import stored
from factcheck.public.models import StoredPage
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.web.headers import CONTENT_SECURITY_POLICY
from tests.public.conftest import when

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]


def publish(app: Flask, published_check: PublishedCheck, **overrides: object) -> Claim:
    """Publish as an editor's request would: inside the app, on the site's address."""
    with app.test_request_context():
        return published_check(**overrides)


def revise(
    app: Flask, revise_check: ReviseCheck, claim: Claim, *args: object, **kwargs: object
) -> Publication:
    with app.test_request_context():
        return revise_check(claim, *args, **kwargs)


def statements_during(connection: Connection) -> tuple[list[str], Callable[[], None]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        # The test's savepoints (conftest.py) are not the app's statements.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    return seen, lambda: event.remove(connection, "before_cursor_execute", record)


def page_of(db_session: Session, claim: Claim) -> StoredPage | None:
    return db_session.get(StoredPage, f"/checks/{claim.slug}")


def test_a_published_page_is_stored_and_served_with_one_query_and_no_session(
    app: Flask,
    client: FlaskClient,
    connection: Connection,
    db_session: Session,
    published_check: PublishedCheck,
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    page = page_of(db_session, claim)
    assert page is not None and page.revision == 1
    assert b"<h1" in page.body

    seen, stop = statements_during(connection)
    try:
        response = client.get(f"/checks/{claim.slug}")
    finally:
        stop()
    assert response.status_code == 200
    assert response.data == page.body
    # One statement: the stored page by its path (no session, login or rate-limit work).
    assert len(seen) == 1 and "stored_pages" in seen[0]
    assert "Set-Cookie" not in response.headers
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Request-ID"]
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert response.headers["Last-Modified"] == "Tue, 05 Feb 2019 12:00:00 GMT"
    assert response.mimetype == "text/html"


def test_the_stored_page_is_the_page_the_app_renders(
    app: Flask, client: FlaskClient, db_session: Session, published_check: PublishedCheck
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    served = client.get(f"/checks/{claim.slug}")
    db_session.execute(update(StoredPage).values(body=b"gone"))
    db_session.execute(update(StoredPage).values(site="other"))
    rendered = client.get(f"/checks/{claim.slug}")
    assert rendered.data == served.data
    assert rendered.headers["ETag"] == served.headers["ETag"]


def test_validators_give_304_and_head_has_no_body(
    app: Flask, client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    url = f"/checks/{claim.slug}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    since = format_datetime(datetime(2019, 2, 6, tzinfo=when(5).tzinfo), usegmt=True)
    not_modified = client.get(url, headers={"If-Modified-Since": since})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    head = client.head(url)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(first.data))


def test_a_correction_renders_the_page_again(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    published_check: PublishedCheck,
    revise_check: ReviseCheck,
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    before = client.get(f"/checks/{claim.slug}")
    revise(app, revise_check, claim, headline="A corrected headline", published_at=when(7))
    page = page_of(db_session, claim)
    assert page is not None and page.revision == 2
    after = client.get(f"/checks/{claim.slug}")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert "A corrected headline" in after.get_data(as_text=True)
    assert after.data == page.body


def test_a_retraction_renders_the_page_again(
    app: Flask, client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    revise(
        app, revise_check, claim, PublicationKind.RETRACTION, "We withdraw this check: the source was forged."
    )
    text = client.get(f"/checks/{claim.slug}").get_data(as_text=True)
    assert "We withdraw this check: the source was forged." in text
    assert "Retracted" in text


def test_an_outdated_stored_page_is_never_served(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    published_check: PublishedCheck,
    revise_check: ReviseCheck,
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    # A revision published outside the app (a script): nothing rendered it.
    revise_check(claim, headline="Revised by a script", published_at=when(7))
    assert page_of(db_session, claim).revision == 1  # type: ignore[union-attr]
    assert "Revised by a script" in client.get(f"/checks/{claim.slug}").get_data(as_text=True)


def test_new_settings_serve_the_app_page_and_the_worker_renders_again(
    app: Flask, client: FlaskClient, db_session: Session, published_check: PublishedCheck, login_as: Callable
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/organisation", data={"name": "Treaty Watch", "url": "https://treatywatch.example.org/"}
    )
    assert response.status_code == 302
    client.delete_cookie("session")
    assert db_session.scalar(select(Job).where(Job.kind == stored.JOB_KIND)) is not None
    # Before the worker ran: the app's page, with the new name.
    assert "Treaty Watch" in client.get(f"/checks/{claim.slug}").get_data(as_text=True)
    run_all(app)
    page = page_of(db_session, claim)
    db_session.refresh(page)
    assert page is not None and b"Treaty Watch" in page.body
    assert page.settings_changed_at == db_session.get(Organisation, 1).updated_at  # type: ignore[union-attr]


def test_a_new_site_fingerprint_triggers_a_rebuild(
    make_app: Callable[..., Flask], db_session: Session, published_check: PublishedCheck
) -> None:
    # With PUBLIC_URL the pages do not depend on the address a request came to.
    app = make_app(PUBLIC_URL="https://checks.example.org")
    claim = publish(app, published_check, published_at=when(5))
    assert not stored.ensure_current(app)
    # What an upgrade with new templates looks like to the stored pages.
    db_session.execute(update(StoredPage).values(site="templates-of-the-previous-release"))
    db_session.commit()
    assert stored.ensure_current(app)
    run_all(app)
    db_session.expire_all()
    assert page_of(db_session, claim).site != "templates-of-the-previous-release"  # type: ignore[union-attr]
    assert not stored.ensure_current(app)


def test_the_rebuild_command_renders_missing_pages(
    app: Flask, runner, db_session: Session, published_check: PublishedCheck
) -> None:
    claims = [published_check(published_at=when(5)) for _ in range(2)]  # outside the app: not stored
    assert all(page_of(db_session, claim) is None for claim in claims)
    result = runner.invoke(args=["pages", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rendered 2 pages" in result.output
    db_session.expire_all()
    assert all(page_of(db_session, claim) is not None for claim in claims)
    assert "rendered 0 pages" in runner.invoke(args=["pages", "rebuild"]).output
    assert "rendered 2 pages" in runner.invoke(args=["pages", "rebuild", "--all"]).output


def test_unpublished_and_unknown_slugs_are_404(
    app: Flask, client: FlaskClient, check_builder: object
) -> None:
    draft = check_builder.draft(slug="not-yet-public")  # type: ignore[attr-defined]
    assert client.get(f"/checks/{draft.slug}").status_code == 404
    assert client.get("/checks/no-such-check").status_code == 404


def test_signed_in_staff_get_the_app_page(
    app: Flask,
    client: FlaskClient,
    connection: Connection,
    published_check: PublishedCheck,
    login_as: Callable,
) -> None:
    claim = publish(app, published_check, published_at=when(5))
    login_as(Role.EDITOR)
    seen, stop = statements_during(connection)
    try:
        response = client.get(f"/checks/{claim.slug}")
    finally:
        stop()
    assert response.status_code == 200
    assert not any("stored_pages" in statement for statement in seen)
