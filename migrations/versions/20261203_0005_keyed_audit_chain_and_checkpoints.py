"""Keyed audit chain, signed checkpoints, client request ids, and the security log in the history.

- ``audit_changesets.key_id``: the audit key each link is made with (empty for the
  links made before this revision, which stay valid as an unkeyed prefix);
- ``audit_changesets.client_request_id``: what a client sent as X-Request-ID, kept
  apart from the id the app gives each request;
- ``audit_checkpoints``: signed statements of the chain head (append-only);
- ``security_events`` is audited from now on: migrations/env.py installs its
  triggers and records the events already there (as it does for every table
  new to the history), so deleting one shows as a row the history cannot explain.

Downgrading is refused once the history holds keyed links or checkpoints: the
columns that verify them would be dropped. Restore the backup taken before the
upgrade instead.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db
from factcheck.audit import triggers

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_changesets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_request_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))

    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("made_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_checkpoints_seq"), ["seq"], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    keyed = bind.exec_driver_sql(
        "SELECT count(*) FROM audit_changesets WHERE key_id IS NOT NULL"
    ).scalar_one()
    signed = bind.exec_driver_sql("SELECT count(*) FROM audit_checkpoints").scalar_one()
    if keyed or signed:
        raise RuntimeError(
            f"refusing to downgrade below 0005: the audit history holds {keyed} keyed changesets and "
            f"{signed} checkpoints, which the older schema cannot verify; restore the backup taken "
            "before upgrading instead"
        )
    triggers.remove(bind)
    with op.batch_alter_table("audit_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_checkpoints_seq"))
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("audit_changesets", schema=None) as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("client_request_id")
