"""Runs :func:`factcheck.notifications.rules.react` at every flush that writes new rows.

A session event rather than a call in each operation: every way a claim moves, is
assigned, rated, commented on or published (pages, the API, bulk actions, imports) adds
the same follows and notifications in the same transaction, and a new operation cannot
forget to. The rows it adds are flushed with the ones that caused them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from factcheck.notifications import rules


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    new = [row for row in session.new if isinstance(row, rules.WATCHED)]
    if new:
        with session.no_autoflush:
            rules.react(session, new)
