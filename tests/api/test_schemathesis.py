"""The API against its own OpenAPI document: schemathesis generates requests from
/api/v1/openapi.json (a few examples per operation, with an admin's write token) and
checks that no response is a server error or breaks the document (status codes,
content types, bodies)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from factcheck.accounts.models import Role
from tests.api.conftest import Holder

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Small and bounded: the suite runs on two databases. Dig deeper locally with, e.g.,
# FACTCHECK_SCHEMATHESIS_EXAMPLES=200 .venv/bin/pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("FACTCHECK_SCHEMATHESIS_EXAMPLES", "8"))


@pytest.fixture
def writer(token_for) -> Holder:
    return token_for(Role.ADMIN)


@pytest.fixture
def api_schema(app, api, writer):
    # A document and a claim, so generated ids sometimes hit something.
    document = api.post(
        "/documents", writer, json={"text": "The minister said turnout was 99 percent.", "title": "Turnout"}
    ).get_json()
    api.post(
        "/claims",
        writer,
        json={
            "text": "Turnout was 99 percent.",
            "claimant": "The minister",
            "appearance": {"document_id": document["id"], "quote": "turnout was 99 percent"},
        },
    )
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_api_keeps_its_contract(api_schema, writer):
    # Each operation's strategy run by hypothesis directly (schemathesis's pytest plugin
    # does not run with this pytest's version).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 21

    statuses: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_contract(case):
            response = case.call_and_validate(headers=writer.headers, checks=CHECKS)
            statuses.setdefault(case.operation.label, set()).add(response.status_code)

        keeps_contract()

    # Every operation was called, and some calls got through validation to the operations.
    assert len(statuses) == len(operations)
    # From a text (201) or from a url alone, fetched later (202).
    assert statuses["POST /api/v1/documents"] & {201, 202}
    assert 200 in statuses["GET /api/v1/claims"]
