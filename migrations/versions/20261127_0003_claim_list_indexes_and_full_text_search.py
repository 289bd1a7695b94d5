"""Claim list indexes and full-text search.

Indexes for the claim list's sort orders and filters, and the full-text
indexes (SQLite: FTS5 tables kept in step by triggers; PostgreSQL: GIN indexes
on to_tsvector expressions); see factcheck/search/schema.py.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 01:40:52.150913
"""

from collections.abc import Sequence

from alembic import op

from factcheck.search import schema

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_claims_updated_at_id", ["updated_at", "id"], unique=False)
        batch_op.create_index("ix_claims_claimant_id", ["claimant", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_created_by_id"), ["created_by_id"], unique=False)
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verdicts_label_id"), ["label_id"], unique=False)
    schema.create(op.get_bind())


def downgrade() -> None:
    schema.drop(op.get_bind())
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verdicts_label_id"))
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_created_by_id"))
        batch_op.drop_index("ix_claims_claimant_id")
        batch_op.drop_index("ix_claims_updated_at_id")
        batch_op.drop_index("ix_claims_created_at_id")
