"""Saving the organisation's public details (admins only): the single settings row, id 1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from factcheck.organisation.details import organisation, publisher
from factcheck.organisation.models import Organisation
from factcheck.security.permissions import Permission, require
from factcheck.web.i18n import DEFAULT_LANGUAGE, is_language


@dataclass
class OrganisationValues:
    name: str
    url: str
    logo_url: str | None = None
    contact_email: str | None = None
    about: str = ""
    corrections_policy: str = ""
    # The language the public site is written in (verdict pages, feeds, ClaimReview inLanguage).
    public_language: str = DEFAULT_LANGUAGE

    def columns(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "url": self.url.strip(),
            "logo_url": (self.logo_url or "").strip() or None,
            "contact_email": (self.contact_email or "").strip() or None,
            "about": (self.about or "").replace("\r\n", "\n"),
            "corrections_policy": (self.corrections_policy or "").replace("\r\n", "\n"),
            "public_language": self.public_language
            if is_language(self.public_language)
            else DEFAULT_LANGUAGE,
        }


def current_values(session: Session) -> OrganisationValues:
    """What the form starts with: the saved row, or the configured defaults before the first save."""
    row = organisation(session)
    if row is None:
        defaults = publisher(session)
        return OrganisationValues(name=defaults.name, url=defaults.url, logo_url=defaults.logo_url)
    return OrganisationValues(
        name=row.name,
        url=row.url,
        logo_url=row.logo_url,
        contact_email=row.contact_email,
        about=row.about,
        corrections_policy=row.corrections_policy,
        public_language=row.public_language,
    )


def save(session: Session, actor: Any, values: OrganisationValues) -> Organisation:
    """Write the details to the settings row, creating it on the first save. Raises PermissionDenied."""
    require(actor, Permission.ADMINISTER)
    row = organisation(session)
    if row is None:
        row = Organisation(id=1)
        session.add(row)
    for name, value in values.columns().items():
        setattr(row, name, value)
    session.flush()
    # Verdict pages show the organisation's details, in its public language: the stored ones are rendered again.
    from factcheck.public import stored

    stored.request_rebuild(session)
    return row
