"""Fixtures of the language tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import Claim


@pytest.fixture
def claim(db_session: Session, make_user: Callable[..., User]) -> Claim:
    capturer = make_user(Role.REVIEWER, name="Claire Capturer")
    claim = Claim(
        text="Russia's 9M729 missile has a range of 480 km.",
        claimant="Russian Ministry of Defence",
        claimed_on=date(2019, 1, 23),
        created_by_id=capturer.id,
    )
    db_session.add(claim)
    db_session.commit()
    return claim
