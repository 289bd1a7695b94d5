"""The interface's language: each person's choice, and the public site's language.

``users.language``: the language a person chose for the desk (``en``, ``es``, ``ar``), or
NULL for "the browser's language" (every existing user). Audited like any change to a user.
``organisation.public_language``: the language the public site is written in, set by admins;
existing rows: ``en``, the only language the site had.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 19:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_language", sa.String(length=16), server_default="en", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("public_language")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
