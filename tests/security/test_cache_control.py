"""Desk pages and downloads are never stored by browsers or proxies (issue 13, item 7);
public pages keep their caching. Request ids are the server's own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.security.models import SecurityEvent
from tests.claims.desk import make_claim


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/claims/",
        "/admin/users/",
        "/account",
        "/audit/",
        "/audit/export.csv",
        "/exports/",
        "/exports/claims",
    ],
)
def test_desk_pages_and_downloads_are_not_stored(client, login_as, url):
    login_as(Role.ADMIN)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"] == "no-store"


def test_the_dossier_is_not_stored(client, login_as, db_session):
    editor = login_as(Role.EDITOR)
    response = client.get(f"/claims/{make_claim(db_session, editor).id}/dossier")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_a_desk_page_asked_for_anonymously_is_not_stored_either(client):
    response = client.get("/claims/")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("signed_in", [False, True])
def test_public_pages_keep_their_caching(client, login_as, signed_in):
    if signed_in:
        login_as(Role.EDITOR)
    for url in ("/checks/", "/methodology", "/checks/feed.atom"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response.headers["Cache-Control"], url
        assert "no-store" not in response.headers["Cache-Control"], url


def test_a_client_request_id_is_kept_beside_the_servers_own(client, db_session):
    response = client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "not the password"},
        headers={"X-Request-ID": "client-chosen-id-1"},
    )

    assert response.headers["X-Request-ID"] != "client-chosen-id-1"
    assert len(response.headers["X-Request-ID"]) == 32
    db_session.expire_all()
    event = db_session.scalars(select(SecurityEvent).where(SecurityEvent.email == "nobody@example.org")).one()
    assert event.request_id == response.headers["X-Request-ID"]
