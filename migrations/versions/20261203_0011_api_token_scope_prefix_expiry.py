"""API tokens for the JSON API: a lookup prefix, a scope, an expiry; last use kept apart.

``api_tokens`` gains ``prefix`` (``fct_`` and 8 characters, shown in lists; NULL
for tokens stored before, of which the app made none), ``scope`` (read or write;
earlier rows read only) and ``expires_at``. The last use is kept in the new
table ``api_token_uses``, which the audit history leaves out (like login sessions):
recording a use is not a change anyone makes. ``api_tokens.last_used_at`` is left
unused, so a downgrade restores revision 0006's schema exactly. migrations/env.py records the new
columns' values in the audit history.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prefix", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column(
                "scope",
                sa.Enum(
                    "read",
                    "write",
                    name="api_token_scope",
                    native_enum=False,
                    create_constraint=True,
                    length=5,
                ),
                server_default=sa.text("'read'"),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_api_tokens_prefix"), ["prefix"])
    op.create_table(
        "api_token_uses",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_api_token_uses_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_api_token_uses")),
    )


def downgrade() -> None:
    op.drop_table("api_token_uses")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_api_tokens_prefix"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_api_tokens_api_token_scope"), type_="check")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scope")
        batch_op.drop_column("prefix")
