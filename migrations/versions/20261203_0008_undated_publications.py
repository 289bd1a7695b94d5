"""Publications whose date is unknown: imported records without ``datePublished``.

``publications.date_unknown`` is true when the record a revision was imported
from gave no date. Its ``published_at`` still holds a time (when it was
imported: revisions are ordered by it), but readers see "date unknown", and
the index, the feeds, the team report and the exports treat it as undated.

Revisions already there stay dated: a record imported before this revision
without ``datePublished`` was given the time of its import, and the migration
cannot tell those from real dates. Importing the same file again marks them
(factcheck/imports/store.py, ``_forget_import_time``; docs/imports.md).
migrations/env.py records the new column's
values in the audit history, so this revision writes no changeset of its own.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("date_unknown", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("date_unknown")
