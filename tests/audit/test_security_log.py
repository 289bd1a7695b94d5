"""The security log: one event per sign-in, refusal and account change, with who did it and to whom.

Refusals (a failed sign-in, a permission denial) roll the request's transaction
back; their events are written afterwards in a transaction of their own and
are kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from factcheck import db
from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Tag
from factcheck.security.models import SecurityEvent, SecurityEventKind
from tests.audit.helpers import audited_session, connection_of, observe, tag_names
from tests.conftest import PASSWORD, AuthActions

EVENTS = SecurityEvent.__table__


def last_event_id(db_: Connection | Session) -> int:
    return connection_of(db_).execute(select(func.coalesce(func.max(EVENTS.c.id), 0))).scalar_one()


def events_after(db_: Connection | Session, event_id: int) -> list[Any]:
    return list(
        connection_of(db_).execute(select(EVENTS).where(EVENTS.c.id > event_id).order_by(EVENTS.c.id))
    )


def summary(events: list[Any]) -> list[tuple[SecurityEventKind, int | None, int | None]]:
    return [(event.kind, event.actor_id, event.subject_user_id) for event in events]


# --- each event, once, with actor and subject ------------------------------------------------


def test_sign_in(auth: AuthActions, make_user: Callable[..., User], db_session: Session) -> None:
    user = make_user()
    since = last_event_id(db_session)

    assert auth.login(user.email).status_code == 302

    (event,) = events_after(db_session, since)
    assert summary([event]) == [(SecurityEventKind.LOGIN, user.id, user.id)]
    assert event.path == "/login"
    assert event.request_id


def test_failed_sign_in(auth: AuthActions, make_user: Callable[..., User], db_session: Session) -> None:
    user = make_user()
    since = last_event_id(db_session)

    assert auth.login(user.email, "not the password").status_code == 422

    (event,) = events_after(db_session, since)
    assert summary([event]) == [(SecurityEventKind.LOGIN_FAILED, None, None)]
    assert event.email == user.email


def test_sign_out(auth: AuthActions, login_as: Callable[[Role], User], db_session: Session) -> None:
    user = login_as(Role.EDITOR)
    since = last_event_id(db_session)

    assert auth.logout().status_code == 302

    assert summary(events_after(db_session, since)) == [(SecurityEventKind.LOGOUT, user.id, user.id)]


def test_permission_denied(
    client: FlaskClient, login_as: Callable[[Role], User], db_session: Session
) -> None:
    reviewer = login_as(Role.REVIEWER)
    since = last_event_id(db_session)

    assert client.get("/admin/users/").status_code == 403

    (event,) = events_after(db_session, since)
    assert summary([event]) == [(SecurityEventKind.PERMISSION_DENIED, reviewer.id, None)]
    assert event.path == "/admin/users/"


def test_role_changed_on_the_admin_page(
    client: FlaskClient, login_as: Callable[[Role], User], make_user: Callable[..., User], db_session: Session
) -> None:
    admin = login_as(Role.ADMIN)
    target = make_user(Role.REVIEWER)
    since = last_event_id(db_session)

    assert client.post(f"/admin/users/{target.id}", data={"role": "editor"}).status_code == 302

    (event,) = events_after(db_session, since)
    assert summary([event]) == [(SecurityEventKind.ROLE_CHANGED, admin.id, target.id)]
    assert (event.detail["old"], event.detail["new"]) == ("reviewer", "editor")


def test_user_disabled_on_the_admin_page(
    client: FlaskClient, login_as: Callable[[Role], User], make_user: Callable[..., User], db_session: Session
) -> None:
    admin = login_as(Role.ADMIN)
    target = make_user(Role.REVIEWER)
    since = last_event_id(db_session)

    response = client.post(f"/admin/users/{target.id}", data={"role": "reviewer", "is_disabled": "y"})
    assert response.status_code == 302

    assert summary(events_after(db_session, since)) == [
        (SecurityEventKind.USER_DISABLED, admin.id, target.id)
    ]


# --- refusals are kept though the request's transaction rolls back (real commits) ---------------


def write_during_every_request(app: Flask) -> None:
    """Before anything else in each request, write an audited row in the request's transaction."""

    def write() -> None:
        session = db.session()
        set_actor(session, Actor.system("probe", "test"))
        session.add(Tag(name=f"probe {request.method} {request.path} {uuid.uuid4().hex[:8]}"))
        session.flush()

    app.before_request_funcs.setdefault(None, []).insert(0, write)


@pytest.fixture
def real_user(committed_engine: Engine) -> Callable[[Role], User]:
    def make(role: Role) -> User:
        with audited_session(committed_engine) as session:
            user = accounts.create_user(
                session,
                email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.org",
                name=f"Real {role.label}",
                password=PASSWORD,
                role=role,
            )
            session.commit()
            return user

    return make


@pytest.mark.parametrize("refusal", ["failed sign-in", "permission denied"])
def test_refusal_events_outlive_the_rolled_back_request(
    real_app: Flask, committed_engine: Engine, real_user: Callable[[Role], User], refusal: str
) -> None:
    client = real_app.test_client()
    reviewer = real_user(Role.REVIEWER)
    if refusal == "permission denied":
        assert client.post("/login", data={"email": reviewer.email, "password": PASSWORD}).status_code == 302
    write_during_every_request(real_app)
    with observe(committed_engine) as observer:
        since = last_event_id(observer)
        probes_before = {name for name in tag_names(observer) if name.startswith("probe")}

    if refusal == "failed sign-in":
        response = client.post("/login", data={"email": reviewer.email, "password": "wrong password"})
        expected = [(SecurityEventKind.LOGIN_FAILED, None, None)]
    else:
        response = client.get("/admin/users/")
        expected = [(SecurityEventKind.PERMISSION_DENIED, reviewer.id, None)]
    assert response.status_code in (403, 422)

    with observe(committed_engine) as observer:
        # The request's own write was rolled back ...
        assert {name for name in tag_names(observer) if name.startswith("probe")} == probes_before
        # ... and its security event was kept.
        assert summary(events_after(observer, since)) == expected

    # The control: a request that succeeds keeps its write.
    assert client.get("/login").status_code < 400
    with observe(committed_engine) as observer:
        assert len({name for name in tag_names(observer) if name.startswith("probe")} - probes_before) == 1
