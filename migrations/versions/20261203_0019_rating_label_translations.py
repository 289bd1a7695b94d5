"""Rating labels' names and definitions in the interface's other languages.

``rating_label_translations``: one row per label and language (unique), given by admins on
the rating scale page. Audited like the labels themselves (the audit triggers are created by
``triggers.sync`` after the migration run, migrations/env.py). No data is written.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rating_label_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["rating_labels.id"],
            name=op.f("fk_rating_label_translations_label_id_rating_labels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_label_translations")),
        sa.UniqueConstraint(
            "label_id", "language", name=op.f("uq_rating_label_translations_label_id_language")
        ),
    )


def downgrade() -> None:
    op.drop_table("rating_label_translations")
