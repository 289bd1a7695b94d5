"""Adding a document by its address on the desk: fetched by the worker, read, archived, audited."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.archive import warc
from factcheck.archive.models import Snapshot
from factcheck.documents.models import Document, FetchState
from factcheck.jobs.runner import run_all
from tests.archive.helpers import writers_of
from tests.archive.site import Site
from tests.conftest import AuthActions


def _add_by_address(client: FlaskClient, url: str, **fields: str) -> str:
    response = client.post("/documents/new", data={"fetch_url": url, **fields})
    assert response.status_code == 302, response.data
    return response.headers["Location"]


def _only_document(db: Session) -> Document:
    db.expire_all()
    return db.scalars(select(Document)).one()


def test_a_page_is_fetched_read_and_archived(
    app: Flask, client: FlaskClient, db_session: Session, login_as: object, site: Site
) -> None:
    login_as(Role.REVIEWER)  # type: ignore[operator]
    url = site.put("/news/missile")
    location = _add_by_address(client, url)

    page = client.get(location).get_data(as_text=True)
    assert "This document is being fetched from" in page
    assert _only_document(db_session).fetch_state == FetchState.FETCHING

    assert run_all(app) == 1
    document = _only_document(db_session)
    assert document.fetch_state == FetchState.FETCHED
    assert document.title == "Ministry says missile range is 480 km"
    assert (document.author, document.outlet, document.language) == ("Jane Reporter", "Example Herald", "en")
    assert "480 kilometres" in document.text
    assert document.snapshot is not None and document.snapshot.url == url

    page = client.get(location).get_data(as_text=True)
    assert f'Fetched from <a href="{url}"' in page
    assert "480 kilometres" in page
    assert "being fetched" not in page

    # The worker's writes are in the history, attributed to it.
    assert (
        writers_of(db_session, "documents", document.id)[-1][1]
        == f"Background worker, fetching document {document.id}"
    )
    assert writers_of(db_session, "snapshots", document.snapshot.id)[0][:2] == (
        "INSERT",
        f"Background worker, fetching document {document.id}",
    )


def test_the_archived_copy_is_served_sandboxed_and_as_a_warc(
    app: Flask, client: FlaskClient, db_session: Session, login_as: object, site: Site
) -> None:
    login_as(Role.REVIEWER)  # type: ignore[operator]
    _add_by_address(client, site.put("/news/missile"))
    run_all(app)
    snapshot = db_session.scalars(select(Snapshot)).one()

    archived = client.get(f"/snapshots/{snapshot.id}")
    assert archived.status_code == 200
    assert archived.mimetype == "text/html"
    policy = archived.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "allow-scripts" not in policy and "default-src 'none'" in policy
    assert archived.headers["X-Content-Type-Options"] == "nosniff"
    assert b"window.tracker" in archived.data  # the page as it was, inert

    download = client.get(f"/snapshots/{snapshot.id}.warc.gz")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == f'attachment; filename="snapshot-{snapshot.id}.warc.gz"'
    assert warc.read_response(download.data).body == site.pages["/news/missile"].body


def test_a_tampered_warc_is_not_served(
    app: Flask, client: FlaskClient, db_session: Session, login_as: object, site: Site
) -> None:
    from sqlalchemy import update

    from factcheck.archive.models import SnapshotWarc

    login_as(Role.REVIEWER)  # type: ignore[operator]
    _add_by_address(client, site.put("/news/missile"))
    run_all(app)
    snapshot = db_session.scalars(select(Snapshot)).one()
    db_session.execute(update(SnapshotWarc).values(warc=b"forged"))
    db_session.commit()
    assert client.get(f"/snapshots/{snapshot.id}").status_code == 410


def test_a_failed_fetch_shows_the_reason_and_can_be_retried(
    app: Flask, client: FlaskClient, db_session: Session, login_as: object, site: Site
) -> None:
    login_as(Role.REVIEWER)  # type: ignore[operator]
    url = site.put("/news/later", "not yet", status=404)
    location = _add_by_address(client, url, title="The ministry's statement")
    run_all(app)
    document = _only_document(db_session)
    assert (document.fetch_state, document.fetch_error) == (FetchState.FAILED, "the server answered 404")
    page = html.unescape(client.get(location).get_data(as_text=True))
    assert "failed: the server answered 404." in page
    assert "Fetch it again" in page

    site.put("/news/later")
    assert client.post(f"/documents/{document.id}/fetch").status_code == 302
    assert _only_document(db_session).fetch_state == FetchState.FETCHING
    run_all(app)
    document = _only_document(db_session)
    assert document.fetch_state == FetchState.FETCHED
    assert document.title == "The ministry's statement"  # the title given is kept


def test_a_private_address_is_refused_without_the_setting(
    make_app: object, db_session: Session, make_user: object, site: Site
) -> None:
    app = make_app()  # type: ignore[operator]
    client = app.test_client()
    user: User = make_user(Role.REVIEWER)  # type: ignore[operator]
    AuthActions(client).login(user.email)
    _add_by_address(client, site.put("/internal"))
    run_all(app)
    document = _only_document(db_session)
    assert document.fetch_state == FetchState.FAILED
    assert "resolves to a private or local address (127.0.0.1); refused" in (document.fetch_error or "")
    assert site.requests == []


def test_text_and_address_together_are_refused(
    client: FlaskClient, login_as: object, db_session: Session
) -> None:
    login_as(Role.REVIEWER)  # type: ignore[operator]
    response = client.post(
        "/documents/new", data={"fetch_url": "https://example.org/a", "text": "Some pasted text."}
    )
    assert response.status_code == 422
    assert "one of them" in response.get_data(as_text=True)
    assert db_session.scalars(select(Document)).all() == []


def test_signed_out_visitors_cannot_add_retry_or_read_snapshots(
    app: Flask, client: FlaskClient, db_session: Session, make_user: object, site: Site
) -> None:
    from tests.documents.helpers import make_document

    user: User = make_user(Role.REVIEWER)  # type: ignore[operator]
    document = make_document(db_session, user, "x", fetch_state=FetchState.FAILED, url=site.url + "/a")
    for method, path in (
        ("post", "/documents/new"),
        ("post", f"/documents/{document.id}/fetch"),
        ("get", "/snapshots/1"),
        ("get", "/snapshots/1.warc.gz"),
    ):
        response = getattr(client, method)(path, data={"fetch_url": site.url + "/a"})
        assert response.status_code in (302, 401), path
        assert "/login" in response.headers.get("Location", "/login")
    assert db_session.scalars(select(Document)).all() == [document]
