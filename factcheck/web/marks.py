"""Marking text for the message catalogues where it is translated later, not where it is written."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue and return it unchanged: it is stored or compared in
    English, and passed through ``gettext`` where it is shown."""
    return message
