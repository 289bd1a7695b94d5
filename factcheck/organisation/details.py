"""The organisation's public details: the admin's settings, or the configured defaults before any are saved."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from factcheck.organisation.models import Organisation
from factcheck.publishing.claimreview import Publisher


def organisation(session: Session) -> Organisation | None:
    """The single settings row, if an admin has saved one."""
    return session.get(Organisation, 1)


def publisher(session: Session) -> Publisher:
    """Who signs the reviews (ClaimReview ``author``, feeds, the about page)."""
    row = organisation(session)
    if row is not None:
        return Publisher(name=row.name, url=row.url, logo_url=row.logo_url or None)
    return Publisher(name=current_app.config["ORGANISATION_NAME"], url=current_app.config["ORGANISATION_URL"])
