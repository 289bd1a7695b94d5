"""Merging duplicate claims: ``claim_merges`` records each merge and the ids of what moved.

Audited like every table of newsroom data (the audit triggers are created by
``triggers.sync`` after the migration run, migrations/env.py). No data is written.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_merges_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"],
            ["users.id"],
            name=op.f("fk_claim_merges_merged_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"],
            ["claims.id"],
            name=op.f("fk_claim_merges_survivor_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_merges")),
    )
    with op.batch_alter_table("claim_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_merges_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_merges_survivor_id"), ["survivor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_merges_survivor_id"))
        batch_op.drop_index(batch_op.f("ix_claim_merges_claim_id"))
    op.drop_table("claim_merges")
