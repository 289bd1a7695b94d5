"""One search entry per claim: its own words and its sources', in one index.

SQLite: an FTS5 table whose rowid is the claim id; PostgreSQL: a side table with a
stored tsvector and a GIN index; both kept in step by triggers on claims and sources
(see factcheck/search/entries.py). The upgrade indexes the claims already there.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 19:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

from factcheck.search import entries

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    entries.create(op.get_bind())


def downgrade() -> None:
    entries.drop(op.get_bind())
