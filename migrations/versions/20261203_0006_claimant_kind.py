"""The claimant's kind: a person, an organisation, or unknown.

``claims.claimant_kind`` is what ClaimReview's ``itemReviewed.author.@type``
says (Person or Organization). Claims already there become "unknown": nobody
said which they are. migrations/env.py records the new column's values in the
audit history, so this revision writes no changeset of its own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("person", "organisation", "unknown")


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "claimant_kind",
                sa.Enum(*KINDS, name="claimant_kind", native_enum=False, create_constraint=True, length=12),
                server_default=sa.text("'unknown'"),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_claims_claimant_kind"), type_="check")
        batch_op.drop_column("claimant_kind")
