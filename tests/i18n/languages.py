"""Asking for a page in a language, the same way before and after the public site's own
language setting (organisations.public_language) exists."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from factcheck.organisation.models import Organisation


def headers_for(language: str) -> dict[str, str]:
    """The browser's language: the desk follows it (unless the person chose one)."""
    return {"Accept-Language": language}


def set_public_language(db: Session, language: str) -> None:
    """The organisation's public language, where the app has the setting (migration 0018);
    requests also send Accept-Language, which the public site followed before it."""
    if not hasattr(Organisation, "public_language"):
        return
    row: Any = db.get(Organisation, 1)
    if row is None:
        row = Organisation(id=1, name="Factcheck demo newsroom", url="https://factcheck.example.org/")
        db.add(row)
    row.public_language = language
    db.commit()
