"""A person's choice of the desk's language (``users.language``; None: the browser's)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.web.i18n import is_language


def choose_language(session: Session, user: User, language: str | None) -> None:
    """Save the person's language (audited like every change to a user). Raises ValueError
    for a language the interface does not ship in."""
    if language is not None and not is_language(language):
        raise ValueError(f"not a language of the interface: {language!r}")
    if user.language == language:
        return
    user.language = language
    session.flush()
