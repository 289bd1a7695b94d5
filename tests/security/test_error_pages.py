"""Out-of-range ids and failing databases: a 404 or a 503 with the security headers, never a 500.

The attack test of issue 13 sent ``/read/3000000000`` (PostgreSQL: "integer out of range")
and ids of 2**63 (SQLite: OverflowError) to every id route, and saw the error page itself
fail when it needed the database (a signed-in user, an aborted transaction).
"""

from __future__ import annotations

import contextlib
import re

import pytest
from flask import Flask, abort, g
from sqlalchemy import text as sql
from sqlalchemy.exc import OperationalError, PendingRollbackError
from sqlalchemy.orm import Session

from factcheck import create_app, db
from factcheck.accounts.models import Role
from factcheck.security.permissions import public
from factcheck.web.converters import MAX_ROW_ID
from tests.conftest import PASSWORD, config_for_tests
from tests.helpers import counting_selects, text

OUT_OF_RANGE = [0, MAX_ROW_ID + 1, 3_000_000_000, 2**63, 2**64 + 5, 10**40]


def id_routes(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every route with a row id in it, the ids left as ``{id}``."""
    found = set()
    for rule in app.url_map.iter_rules():
        if "<id:" not in rule.rule:
            continue
        path = re.sub(r"<id:\w+>", "{id}", rule.rule)
        path = re.sub(r"<(?:string:)?\w+>", "some-slug", path)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((method, path))
    return sorted(found)


def assert_security_headers(response) -> None:
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Request-ID"]


def test_every_id_route_uses_the_row_id_converter(app):
    int_routes = [rule.rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert int_routes == []
    assert len(id_routes(app)) >= 30


@pytest.mark.parametrize("visitor", ["anonymous", "admin"])
def test_ids_beyond_the_database_range_are_not_found_on_every_route(app, client, login_as, visitor):
    if visitor == "admin":
        login_as(Role.ADMIN)
    for method, route in id_routes(app):
        for number in OUT_OF_RANGE:
            url = route.replace("{id}", str(number))
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
            assert "There is no page at this address." in text(response)
            assert_security_headers(response)


def test_the_largest_id_the_database_holds_is_looked_up_normally(client, login_as):
    # Inside the range: the view runs its query and finds nothing.
    assert client.get(f"/read/{MAX_ROW_ID}").status_code == 404
    login_as(Role.ADMIN)
    assert client.get(f"/admin/users/{MAX_ROW_ID}").status_code == 404
    assert client.get(f"/claims/{MAX_ROW_ID}").status_code == 404


def test_a_signed_in_users_error_page_runs_no_query(client, login_as, connection):
    login_as(Role.EDITOR)
    with counting_selects(connection) as selects:
        response = client.get("/read/3000000000")
    assert response.status_code == 404
    assert selects == []
    assert_security_headers(response)


@pytest.fixture
def failing_app(make_app):
    """The app with a public route that breaks the request's transaction, then fails."""
    # A bug answers 500 as in production instead of reaching the test.
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/_test/aborted/<int:status>")
    @public
    def aborted(status: int):
        # Leaves the transaction aborted on PostgreSQL, as a buggy view that swallows an error would.
        with contextlib.suppress(Exception):
            db.session().execute(sql("SELECT no_such_column FROM no_such_table"))
        if status == 500:
            raise RuntimeError("a bug after a failed statement")
        abort(status)

    return app


@pytest.mark.parametrize("status", [403, 404, 429, 500])
def test_error_pages_render_after_the_transaction_is_aborted_for_a_signed_in_user(
    failing_app, make_user, status
):
    client = failing_app.test_client()
    user = make_user(Role.EDITOR)
    assert (
        client.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code
        == 302
    )

    response = client.get(f"/_test/aborted/{status}")

    assert response.status_code == status
    assert f"<h1>{status}</h1>" in text(response)
    assert_security_headers(response)


def test_an_unreachable_postgresql_answers_503_with_retry_after(tmp_path):
    # Nothing listens on port 1: connecting fails at once.
    app = create_app(
        config_for_tests(tmp_path, "postgresql+psycopg://factcheck@127.0.0.1:1/factcheck?connect_timeout=2")
    )
    client = app.test_client()

    for response in (
        client.get("/checks/"),
        client.post("/login", data={"email": "someone@example.org", "password": "whatever it is"}),
    ):
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert "briefly unavailable" in text(response)
        assert_security_headers(response)


def test_a_commit_that_loses_the_database_answers_503_not_500(make_app, make_user, monkeypatch):
    # bench/load.py found it: PostgreSQL stopping between a view and its commit gave a 500.
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    user = make_user(Role.REVIEWER)

    def lost(_session):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    client = app.test_client()
    monkeypatch.setattr(Session, "commit", lost)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert "briefly unavailable" in text(response)
    assert_security_headers(response)
    monkeypatch.undo()
    # The sign-in was not kept: the desk still sends this browser to the sign-in page.
    assert client.get("/claims/").headers["Location"].startswith("/login")


@pytest.mark.parametrize("lost", [True, False])
def test_a_commit_refused_after_the_connection_was_lost_answers_503_otherwise_500(
    make_app, make_user, monkeypatch, lost
):
    # The other way a restart shows at the commit: a statement lost the connection earlier
    # in the request (and was caught), so the commit refuses to run on it.
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    user = make_user(Role.REVIEWER)

    def refused(_session):
        if lost:
            g.database_lost = OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back.")

    client = app.test_client()
    monkeypatch.setattr(Session, "commit", refused)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == (503 if lost else 500)
    assert_security_headers(response)


@pytest.mark.parametrize("lost", [True, False])
def test_a_query_after_the_connection_was_lost_answers_503_otherwise_500(
    make_app, make_user, monkeypatch, lost
):
    # bench/load.py found it: a page whose earlier statement lost the connection (and was
    # caught) queried again while rendering (the header's unread count), before any commit.
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    make_user(Role.REVIEWER)

    def refused(*_args, **_kwargs):
        if lost:
            g.database_lost = OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        raise PendingRollbackError("Can't reconnect until invalid transaction is rolled back.")

    monkeypatch.setattr(Session, "execute", refused)
    response = app.test_client().get("/checks/")

    assert response.status_code == (503 if lost else 500)
    assert_security_headers(response)


def test_an_unopenable_sqlite_file_answers_503(tmp_path):
    app = create_app(config_for_tests(tmp_path, f"sqlite:///{tmp_path}/no/such/folder/factcheck.sqlite"))

    response = app.test_client().get("/checks/")

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert_security_headers(response)


def test_the_api_gets_problem_json_for_an_out_of_range_id(client):
    response = client.get("/api/v1/claims/3000000000")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["status"] == 404
    assert_security_headers(response)
