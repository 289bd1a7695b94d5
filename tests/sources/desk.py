"""Fixtures and helpers shared by the review-desk tests (sources, ratings, verdicts, discussion, XSS corpus).

Import the fixtures into a conftest (or a test module) to use them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Claim
from factcheck.ratings.models import RatingLabel
from tests.conftest import PASSWORD

ROLES = (Role.REVIEWER, Role.EDITOR, Role.ADMIN)


@pytest.fixture
def claim(db_session: Session, make_user: Callable[..., User]) -> Claim:
    capturer = make_user(Role.REVIEWER, name="Claire Capturer")
    claim = Claim(
        text="Russia's 9M729 missile has a range of 480 km.",
        claimant="Russian Ministry of Defence",
        created_by_id=capturer.id,
    )
    db_session.add(claim)
    db_session.commit()
    return claim


SignIn = Callable[..., tuple[FlaskClient, User]]


@pytest.fixture
def sign_in(app: Flask, make_user: Callable[..., User]) -> SignIn:
    """A new browser (test client) signed in as ``user`` or a new person of ``role``.

    Several can be open at once, for two people working on the same record.
    """

    def sign(
        role: Role = Role.REVIEWER, user: User | None = None, **user_options: object
    ) -> tuple[FlaskClient, User]:
        person = user or make_user(role, **user_options)
        browser = app.test_client()
        response = browser.post("/login", data={"email": person.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser, person

    return sign


def label(db: Session, key: str) -> RatingLabel:
    return db.scalars(select(RatingLabel).where(RatingLabel.key == key)).one()


def changeset_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditChangeset)) or 0


def latest_changeset(db: Session) -> AuditChangeset:
    return db.scalars(select(AuditChangeset).order_by(AuditChangeset.seq.desc()).limit(1)).one()


def changes_to(db: Session, table: str, operation: str | None = None) -> list[AuditChange]:
    query = select(AuditChange).where(AuditChange.table_name == table)
    if operation:
        query = query.where(AuditChange.operation == operation)
    return list(db.scalars(query.order_by(AuditChange.id)))


def text_of(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]
