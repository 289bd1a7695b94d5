"""The claims export through the API: the desk's formats and filters, streamed, ratings blind."""

from __future__ import annotations

import csv
import io
import json
from typing import get_args

import pytest

from factcheck.accounts.models import Role, TokenScope
from factcheck.api.schemas import ExportQuery
from factcheck.claims.models import ClaimState
from factcheck.exports.catalogue import CLAIM_FORMATS
from factcheck.exports.claims import HIDDEN_RATINGS
from tests.api.conftest import assert_problem
from tests.claims.desk import add_rating, make_claim


def _rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_api_offers_the_export_pages_formats():
    assert set(get_args(ExportQuery.model_fields["format"].annotation)) == set(CLAIM_FORMATS)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR, Role.ADMIN])
def test_every_role_exports_with_the_desks_filters_streamed(api, token_for, make_user, db_session, role):
    holder = token_for(role, TokenScope.READ)
    rater = make_user(Role.REVIEWER)
    rated = make_claim(db_session, rater, ClaimState.RESEARCHING, claimant="Russian Ministry of Defence")
    make_claim(db_session, rater, ClaimState.NEW, text="Turnout was 99 percent.", claimant="The minister")
    add_rating(db_session, rated, rater)

    response = api.get("/exports/claims?state=researching", holder)

    assert response.status_code == 200, response.data
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="claims-')
    assert "no-store" in response.headers["Cache-Control"]
    [row] = _rows(response)
    assert row["Claimant"] == "Russian Ministry of Defence"
    # Blind as on the desk: a reviewer who has not rated the claim gets no ratings.
    expected = HIDDEN_RATINGS if role == Role.REVIEWER else f"{rater.name}: False"
    assert expected in row.values()

    ndjson = api.get("/exports/claims?format=ndjson&claimant=minister", holder)
    lines = ndjson.get_data(as_text=True).splitlines()
    assert ndjson.status_code == 200 and len(lines) == 1
    assert json.loads(lines[0])["claimant"] == "The minister"


def test_export_refusals(api, token_for, db_session):
    holder = token_for(Role.REVIEWER)
    unknown = assert_problem(api.get("/exports/claims?label=pants-on-fire", holder), 422)
    assert list(unknown["errors"]) == ["label"]
    assert list(assert_problem(api.get("/exports/claims?format=pdf", holder), 422)["errors"]) == ["format"]
    order = assert_problem(api.get("/exports/claims?date_from=2026-12-02&date_to=2026-12-01", holder), 422)
    assert list(order["errors"]) == ["date_to"]
    assert_problem(api.get("/exports/claims"), 401)
