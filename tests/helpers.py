"""Small helpers the tests of several features share: reading rendered pages, counting queries."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from factcheck.audit.models import AuditChange, AuditChangeset


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def field_error(response: Any, field_id: str) -> str | None:
    """The error shown under a form field, as the reader sees it, or None."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', text(response), re.S)
    return html.unescape(match.group(1)).strip() if match else None


def csrf_token(response: Any) -> str:
    """The CSRF token of the first form on the page (or of the sign-out button)."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(response))
    assert match, "no CSRF token on the page"
    return match.group(1)


def audit_rows(db: Session, table: str) -> list[tuple[AuditChangeset, AuditChange]]:
    """Every recorded change to ``table``, with its changeset, oldest first."""
    rows = db.execute(
        select(AuditChangeset, AuditChange)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.table_name == table)
        .order_by(AuditChange.id)
    ).all()
    return [(changeset, change) for changeset, change in rows]


@contextmanager
def counting_selects(connection: Connection) -> Iterator[list[str]]:
    """The SELECT statements run on the test's connection meanwhile."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)
