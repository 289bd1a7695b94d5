"""Verdict pages rendered once per revision and stored for the lean public path.

``stored_pages``: the HTML of each published check's page with its validators, written when
a revision is published and by ``factcheck pages rebuild``. Derived from the publications,
so not audited (factcheck/audit/triggers.py, NOT_AUDITED); the table starts empty and the
pages are rendered by the rebuild that follows an upgrade (docs/PERFORMANCE.md), so this
revision writes no changeset.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_pages",
        sa.Column("path", sa.String(length=400), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("settings_changed_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("last_modified", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("rendered_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_stored_pages_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_stored_pages")),
    )
    with op.batch_alter_table("stored_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_pages_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stored_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_pages_claim_id"))
    op.drop_table("stored_pages")
