"""Fixtures for fetching and archiving: a local web site the app may fetch from, and a team."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from factcheck.accounts.models import User
from tests.archive.site import Site, running_site
from tests.publishing.building import make_team


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as running:
        yield running


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    # The site listens on 127.0.0.1, which fetches may reach only when allowed.
    return make_app(
        FETCH_PRIVATE_ADDRESSES=True,
        FETCH_TIMEOUT=1.0,
        FETCH_MAX_BYTES=64 * 1024,
        ARCHIVE_SOURCES_ON_PUBLISH=True,
    )


@pytest.fixture
def team(make_user: Any) -> dict[str, User]:
    return make_team(make_user)


# The API's fixtures (a token holder, a JSON client), for the API's fetch flow.
from tests.api.conftest import api, token_for  # noqa: E402, F401
