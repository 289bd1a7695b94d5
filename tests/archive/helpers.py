"""Reading back what fetching stored: documents, snapshots, and who the history says wrote them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.audit.models import AuditChange, AuditChangeset


def writers_of(db: Session, table: str, row_id: int) -> list[tuple[str, str, list[str]]]:
    """(operation, actor name, fields changed) of each recorded change to the row, oldest first."""
    rows = db.execute(
        select(AuditChange.operation, AuditChangeset.actor_name, AuditChange.changes, AuditChange.row_key)
        .join(AuditChangeset, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.table_name == table)
        .order_by(AuditChange.id)
    ).all()
    return [(op, actor, sorted(changes)) for op, actor, changes, key in rows if _id_of(key) == row_id]


def _id_of(key: Any) -> int | None:
    return key.get("id") if isinstance(key, dict) else None
