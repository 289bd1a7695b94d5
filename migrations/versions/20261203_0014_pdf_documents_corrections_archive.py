"""PDF documents, corrections to documents, archiving, and the page of an appearance.

- ``documents.file_name``, ``file_type``, ``file_sha256``: the uploaded original kept for staff
  (a PDF); its bytes in the new ``document_files`` table (not audited: binary and written
  once; the audited digest vouches for them).
- ``documents.page_starts``: where each page starts in the text, for a text read from a PDF.
- ``documents.archived_at``: archived documents are hidden from the lists, kept, restorable.
- ``appearances.page``: the PDF page of the quote (a W3C FragmentSelector ``page=N``).
- ``appearances.anchor_status`` gains ``moved``: found at another place after a correction.

Existing rows: no file, no pages, not archived, no page; statuses unchanged.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from factcheck.db import UTCDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _anchor_status(*values: str) -> sa.Enum:
    return sa.Enum(*values, name="anchor_status", native_enum=False, create_constraint=True, length=8)


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("file_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("page_starts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("archived_at", UTCDateTime(), nullable=True))
    op.create_table(
        "document_files",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_files_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_files")),
    )
    with op.batch_alter_table("appearances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_appearances_anchor_status"), type_="check")
        batch_op.create_check_constraint(
            "anchor_status", sa.column("anchor_status").in_(["anchored", "moved", "orphaned"])
        )


def downgrade() -> None:
    # A moved quote was found in the text: before this revision that is plainly anchored.
    op.execute("UPDATE appearances SET anchor_status = 'anchored' WHERE anchor_status = 'moved'")
    with op.batch_alter_table("appearances", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_appearances_anchor_status"), type_="check")
        batch_op.create_check_constraint(
            "anchor_status", sa.column("anchor_status").in_(["anchored", "orphaned"])
        )
        batch_op.drop_column("page")
    op.drop_table("document_files")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("page_starts")
        batch_op.drop_column("file_sha256")
        batch_op.drop_column("file_type")
        batch_op.drop_column("file_name")
