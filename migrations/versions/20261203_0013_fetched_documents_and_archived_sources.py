"""Documents fetched by their address, and archived snapshots of web pages.

- ``snapshots``: one fetch of a web page (address, time, status, hashes), audited;
- ``snapshot_warcs``: its WARC bytes, not audited (``snapshots.warc_sha256`` vouches for them;
  factcheck/archive/models.py says why);
- ``documents``: ``fetch_state``, ``fetch_error`` and ``snapshot_id`` for a document added by
  its address;
- ``sources``: ``snapshot_id`` (the archived copy), ``link_status``, ``link_checked_at`` and
  ``link_problem`` (the last link check).

New columns are empty for existing rows and the new tables start empty, so no data is written.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("final_url", sa.String(length=2000), nullable=False),
        sa.Column("fetched_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("warc_sha256", sa.String(length=64), nullable=False),
        sa.Column("warc_size", sa.Integer(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
    )
    op.create_table(
        "snapshot_warcs",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("warc", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["snapshots.id"],
            name=op.f("fk_snapshot_warcs_snapshot_id_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("snapshot_id", name=op.f("pk_snapshot_warcs")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "fetch_state",
                sa.Enum(
                    "fetching",
                    "fetched",
                    "failed",
                    name="document_fetch_state",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("fetch_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("snapshot_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_snapshot_id_snapshots"),
            "snapshots",
            ["snapshot_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "link_status",
                sa.Enum(
                    "ok",
                    "gone",
                    "changed",
                    name="source_link_status",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("link_checked_at", factcheck.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("link_problem", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sources_snapshot_id_snapshots"),
            "snapshots",
            ["snapshot_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sources_snapshot_id_snapshots"), type_="foreignkey")
        # SQLite's batch mode would copy the CHECK on the dropped column into the new table.
        batch_op.drop_constraint(batch_op.f("ck_sources_source_link_status"), type_="check")
        batch_op.drop_column("link_problem")
        batch_op.drop_column("link_checked_at")
        batch_op.drop_column("link_status")
        batch_op.drop_column("snapshot_id")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_documents_snapshot_id_snapshots"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("ck_documents_document_fetch_state"), type_="check")
        batch_op.drop_column("snapshot_id")
        batch_op.drop_column("fetch_error")
        batch_op.drop_column("fetch_state")
    op.drop_table("snapshot_warcs")
    op.drop_table("snapshots")
