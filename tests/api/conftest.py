"""API test fixtures: users with tokens, and requests that carry them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, TokenScope, User
from factcheck.api import tokens


@dataclass
class Holder:
    """A user and one of their tokens."""

    user: User
    token: str
    prefix: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def token_for(db_session: Session, make_user: Callable[..., User]) -> Callable[..., Holder]:
    """A new user of ``role`` with a token of ``scope`` (write unless told)."""

    def make(role: Role = Role.REVIEWER, scope: TokenScope = TokenScope.WRITE, **options: Any) -> Holder:
        user = options.pop("user", None) or make_user(role)
        made = tokens.issue_token(db_session, user, name=options.pop("name", "test"), scope=scope, **options)
        db_session.commit()
        assert made.record.prefix is not None
        return Holder(user, made.token, made.record.prefix)

    return make


class Api:
    """The test client, speaking JSON with a token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def call(self, method: str, path: str, holder: Holder | None = None, **kwargs: Any) -> Any:
        headers = {**(holder.headers if holder else {}), **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, holder: Holder | None = None, **kwargs: Any) -> Any:
        return self.call("GET", path, holder, **kwargs)

    def post(self, path: str, holder: Holder | None = None, **kwargs: Any) -> Any:
        return self.call("POST", path, holder, **kwargs)

    def patch(self, path: str, holder: Holder | None = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, holder, **kwargs)

    def put(self, path: str, holder: Holder | None = None, **kwargs: Any) -> Any:
        return self.call("PUT", path, holder, **kwargs)


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body
