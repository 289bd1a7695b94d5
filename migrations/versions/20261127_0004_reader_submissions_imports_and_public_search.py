"""Reader submissions, the import key of claims, and the public search text.

- ``reader_submissions``: claims readers suggest and errors they report in
  published checks, with the editors' handling (audited like every table:
  migrations/env.py syncs the audit triggers after this runs);
- ``claims.imported_from``: the key a claim was imported by, unique (a unique
  index, so SQLite adds it without copying the claims table);
- ``publications.search_text``: the casefolded public text the public search
  matches, and an index on ``publications.published_at`` for the public lists.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:18:50.145303
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reader_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "suggestion",
                "error_report",
                name="submission_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "converted",
                "answered",
                "closed",
                name="submission_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("converted_claim_id", sa.Integer(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_reader_submissions_claim_id_claims"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["converted_claim_id"],
            ["claims.id"],
            name=op.f("fk_reader_submissions_converted_claim_id_claims"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["users.id"],
            name=op.f("fk_reader_submissions_handled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reader_submissions")),
    )
    with op.batch_alter_table("reader_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reader_submissions_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            "ix_reader_submissions_status_created_at", ["status", "created_at"], unique=False
        )

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_from", sa.String(length=2000), nullable=True))
        batch_op.create_index(batch_op.f("ix_claims_imported_from"), ["imported_from"], unique=True)

    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.create_index(batch_op.f("ix_publications_published_at"), ["published_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_published_at"))
        batch_op.drop_column("search_text")

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_imported_from"))
        batch_op.drop_column("imported_from")

    with op.batch_alter_table("reader_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_reader_submissions_status_created_at")
        batch_op.drop_index(batch_op.f("ix_reader_submissions_claim_id"))

    op.drop_table("reader_submissions")
