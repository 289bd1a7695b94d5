"""Imported ClaimReview records keyed by their identity, not by their review URL alone.

``claims.imported_from`` held the review URL of an imported record, so an article
reviewing several claims could be imported as one claim only. The importer now keys
a record by its own identifier, else by its review URL with the claim it reviews
(:mod:`factcheck.imports.identity`). This revision gives every claim imported
before the key the importer computes for it now (from the claim as the last
imported revision published it), so that importing the same file again finds it.
The schema does not change. The new keys enter the audit history in one changeset
of this migration.

The downgrade gives back the review URL (the last imported revision's
``review_url``) to the first claim of each review; the other claims of the same
review keep their new key (the old importer would not find them, but nothing is lost).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:00:00.000000
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

from factcheck.audit import keys, triggers
from factcheck.audit.changesets import Actor, connection_changeset
from factcheck.imports.identity import CLAIM_SEPARATOR, OWN_ID_PREFIX, url_claim_key

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# The schema stays as it is (tests/test_migrations.py's stairway allows it for this revision only).
DATA_ONLY = True

_URL_KEYED = sa.text(
    "SELECT id, imported_from, text FROM claims WHERE imported_from LIKE 'http%' ORDER BY id"
)
_NEW_KEYED = sa.text(
    "SELECT id, imported_from, text FROM claims WHERE imported_from LIKE :separated OR imported_from LIKE :own "
    "ORDER BY id"
).bindparams(separated=f"%{CLAIM_SEPARATOR}%", own=f"{OWN_ID_PREFIX}%")
# Each claim's imported revisions (published by nobody), latest last.
_IMPORTED_REVISIONS = sa.text(
    "SELECT claim_id, snapshot FROM publications WHERE published_by_id IS NULL "
    "AND claim_id IN (SELECT id FROM claims WHERE imported_from IS NOT NULL) ORDER BY claim_id, revision"
)
_SET_KEY = sa.text("UPDATE claims SET imported_from = :key WHERE id = :id")


def _latest_imported_snapshots(connection: sa.Connection) -> dict[int, dict[str, Any]]:
    latest: dict[int, dict[str, Any]] = {}
    for claim_id, snapshot in connection.execute(_IMPORTED_REVISIONS):
        value = json.loads(snapshot) if isinstance(snapshot, str | bytes) else snapshot
        if isinstance(value, dict):
            latest[claim_id] = value
    return latest


@contextmanager
def _changeset(connection: sa.Connection, what: str) -> Iterator[None]:
    """The writes in one audited changeset when the history is kept (as migrations/env.py does)."""
    if not triggers.audit_installed(connection):
        yield
        return
    try:
        keys.active()
    except keys.AuditKeyError:
        from factcheck import create_app

        create_app()  # installs the configured audit key
    # An earlier revision of the same run may have rebuilt the table (SQLite batch mode), which
    # drops its triggers until migrations/env.py puts them back at the end: without them now,
    # these writes would go unrecorded.
    triggers.sync(connection)
    with connection_changeset(connection, Actor.system(f"migration 0007: {what}", "migration")):
        yield


def upgrade() -> None:
    connection = op.get_bind()
    claims = connection.execute(_URL_KEYED).all()
    if not claims:
        return
    snapshots = _latest_imported_snapshots(connection)
    changes = []
    for claim_id, url, text in claims:
        claim = snapshots.get(claim_id, {}).get("claim")
        key = url_claim_key(url, claim if isinstance(claim, str) and claim.strip() else text)
        if key != url:
            changes.append({"id": claim_id, "key": key})
    if changes:
        with _changeset(connection, "imported claims keyed by review URL and claim"):
            connection.execute(_SET_KEY, changes)


def downgrade() -> None:
    connection = op.get_bind()
    claims = connection.execute(_NEW_KEYED).all()
    if not claims:
        return
    snapshots = _latest_imported_snapshots(connection)
    taken = set(
        connection.execute(
            sa.text("SELECT imported_from FROM claims WHERE imported_from IS NOT NULL")
        ).scalars()
    )
    changes = []
    for claim_id, _key, _text in claims:
        url = snapshots.get(claim_id, {}).get("review_url")
        if not isinstance(url, str) or not url or url in taken:
            continue
        taken.add(url)
        changes.append({"id": claim_id, "key": url})
    if changes:
        with _changeset(connection, "imported claims keyed by review URL again"):
            connection.execute(_SET_KEY, changes)
