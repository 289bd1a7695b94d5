"""The audit log's exports share the writers: XLSX and JSON beside its CSV and NDJSON (tests/audit)."""

from __future__ import annotations

import io
import json

import openpyxl
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role
from factcheck.audit.changesets import Actor, set_actor
from factcheck.audit.history import EXPORT_COLUMNS
from factcheck.claims.models import Claim
from tests.exports.conftest import HYPERLINK
from tests.exports.reading import xlsx_has_formulas


def _claim_with_a_formula(db_session: Session) -> Claim:
    set_actor(db_session, Actor.system("test", "test"))
    claim = Claim(text="+1 more", claimant=HYPERLINK)
    db_session.add(claim)
    db_session.commit()
    return claim


def test_audit_xlsx_holds_the_changes_as_text(client, login_as, db_session: Session) -> None:
    claim = _claim_with_a_formula(db_session)
    login_as(Role.EDITOR)
    response = client.get("/audit/export.xlsx?record=claims")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-log.xlsx"'
    data = response.get_data()
    assert not xlsx_has_formulas(data)
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Audit log"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    inserted = [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]]
    mine = [row for row in inserted if row["claim_id"] == claim.id and row["operation"] == "INSERT"]
    assert len(mine) == 1
    assert json.loads(mine[0]["changes"])["claimant"] == [None, HYPERLINK]


def test_audit_json_is_one_array_of_changes(client, login_as, db_session: Session) -> None:
    claim = _claim_with_a_formula(db_session)
    login_as(Role.EDITOR)
    response = client.get("/audit/export.json?record=claims&action=INSERT")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    changes = json.loads(response.get_data(as_text=True))
    assert changes and all(list(change) == list(EXPORT_COLUMNS) for change in changes)
    assert {change["table"] for change in changes} == {"claims"}
    mine = next(change for change in changes if change["claim_id"] == claim.id)
    assert mine["changes"]["claimant"] == [None, HYPERLINK]


def test_reviewers_may_not_export_the_audit_log(client, login_as) -> None:
    login_as(Role.REVIEWER)
    assert client.get("/audit/export.xlsx").status_code == 403
    assert client.get("/audit/export.json").status_code == 403
