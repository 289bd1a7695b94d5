"""What real archives bring that was lost on import: raw labels, languages, venues.

- ``verdicts.imported_label`` and ``verdicts.imported_publisher``: an imported
  verdict's label as its source wrote it, and who gave it, kept whether or not
  it maps onto our scale (an unmapped label was stored nowhere before);
- ``claims.language``: the language of the claim's wording (a BCP 47 tag);
- ``appearances.venue``: where a claim appeared when there is no web address
  nor document ("a mailer", "a TV ad"); the check constraint now accepts an
  appearance with only a venue.

All new columns are empty for existing rows. migrations/env.py records the new
columns in the audit history, so this revision writes no changeset of its own.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("imported_label", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("imported_publisher", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_verdicts_imported_label"), ["imported_label"], unique=False)
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=35), nullable=True))
    with op.batch_alter_table("appearances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("venue", sa.String(length=200), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_appearances_document_or_url"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_appearances_document_url_or_venue"),
            "document_id IS NOT NULL OR url IS NOT NULL OR venue IS NOT NULL",
        )


def downgrade() -> None:
    # An appearance known only by its venue cannot exist without the column: it goes too.
    op.execute("DELETE FROM appearances WHERE document_id IS NULL AND url IS NULL")
    with op.batch_alter_table("appearances", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_appearances_document_url_or_venue"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_appearances_document_or_url"), "document_id IS NOT NULL OR url IS NOT NULL"
        )
        batch_op.drop_column("venue")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verdicts_imported_label"))
        batch_op.drop_column("imported_publisher")
        batch_op.drop_column("imported_label")
