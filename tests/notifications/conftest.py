"""A small desk with a claim to follow, signing in as its people, and a local SMTP server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from factcheck.accounts.models import Role
from factcheck.claims.models import ClaimState
from factcheck.notifications.models import Notification
from tests.claims.desk import make_claim
from tests.conftest import AuthActions


@pytest.fixture
def team(make_user):
    return {
        "anna": make_user(Role.REVIEWER, name="Anna Reviewer", email="anna@example.org"),
        "ben": make_user(Role.REVIEWER, name="Ben Reviewer", email="ben@example.org"),
        "eve": make_user(Role.EDITOR, name="Eve Editor", email="eve@example.org"),
    }


@pytest.fixture
def claim(db_session, team):
    return make_claim(db_session, team["eve"], ClaimState.IN_REVIEW)


class Clients:
    """One signed-in test client per person, all on the same app."""

    def __init__(self, app: Any, team: dict[str, Any]) -> None:
        self.app, self.team, self._clients = app, team, {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._clients:
            client = self.app.test_client()
            assert AuthActions(client).login(self.team[name].email).status_code == 302
            self._clients[name] = client
        return self._clients[name]


@pytest.fixture
def clients(app, team) -> Clients:
    return Clients(app, team)


def notifications_of(db_session, user) -> list[Notification]:
    db_session.expire_all()
    return list(
        db_session.query(Notification).filter(Notification.user_id == user.id).order_by(Notification.id)
    )


class Inbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
