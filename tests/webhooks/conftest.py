"""Fixtures for the webhook tests: an app that may reach a local receiver, a team, endpoints."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.webhooks import operations
from factcheck.webhooks.models import WebhookEndpoint
from tests.claims.desk import acting_as
from tests.publishing.building import make_team


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    # The receiver listens on 127.0.0.1, which deliveries may reach only when allowed.
    return make_app(OUTGOING_ALLOW_PRIVATE_ADDRESSES=True, JOBS_MAX_ATTEMPTS=3)


@pytest.fixture
def team(make_user: Any) -> dict[str, User]:
    return make_team(make_user)


@pytest.fixture
def add_endpoint(db_session: Session, team: dict[str, User]) -> Callable[..., tuple[WebhookEndpoint, str]]:
    """Register an endpoint as the admin; returns it and its secret."""

    def add(url: str, events: list[str], **kwargs: Any) -> tuple[WebhookEndpoint, str]:
        acting_as(db_session, team["ada"])
        endpoint, secret = operations.create_endpoint(
            db_session,
            team["ada"],
            operations.EndpointValues(url=url, events=events),
            allow_private=True,
            **kwargs,
        )
        db_session.commit()
        return endpoint, secret

    return add
