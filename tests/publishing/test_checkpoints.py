"""Every publication is vouched for: a signed checkpoint of the audit history made with its changeset."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.audit import checkpoints, keys
from factcheck.audit.models import AuditChange, AuditChangeset, AuditCheckpoint
from factcheck.claims.models import ClaimState
from factcheck.publishing import operations
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.operations import PublishingError
from tests.claims.desk import acting_as, make_claim
from tests.publishing.building import NOTE, make_team, published_claim


@pytest.fixture
def team(make_user):
    return make_team(make_user)


def publication_changeset(db: Session, publication: Publication) -> AuditChangeset:
    """The changeset that inserted the revision."""
    seq = db.scalars(
        select(AuditChange.changeset_seq).where(
            AuditChange.table_name == "publications",
            AuditChange.operation == "INSERT",
            AuditChange.row_key["id"].as_integer() == publication.id,
        )
    ).one()
    changeset = db.get(AuditChangeset, seq)
    assert changeset is not None
    return changeset


def published_key(key_id: str) -> Ed25519PublicKey:
    """The public key as the transparency page publishes it, read the way anyone outside would."""
    (entry,) = [entry for entry in keys.active().public_keys() if entry["key_id"] == key_id]
    assert entry["algorithm"] == "Ed25519"
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(entry["public_key"]))


def checkpoint_rows(db: Session) -> list[AuditCheckpoint]:
    return list(db.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))


def test_publishing_and_each_revision_make_a_signed_checkpoint_of_their_changeset(db_session, team):
    before = len(checkpoint_rows(db_session))
    claim = published_claim(db_session, team)
    acting_as(db_session, team["ada"])
    operations.publish_revision(db_session, claim, team["ada"], kind=PublicationKind.RETRACTION, note=NOTE)
    db_session.commit()

    made = checkpoint_rows(db_session)[before:]
    revisions = list(db_session.scalars(select(Publication).where(Publication.claim_id == claim.id)))
    assert [row.cause for row in made] == [checkpoints.PUBLICATION, checkpoints.PUBLICATION]
    for row, publication in zip(made, sorted(revisions, key=lambda p: p.revision), strict=True):
        changeset = publication_changeset(db_session, publication)
        assert (row.seq, row.head_hash) == (changeset.seq, changeset.hash)
        statement = checkpoints.Statement.from_row(row)
        # Checked with nothing but the published public key and the statement's own bytes.
        published_key(row.key_id).verify(bytes.fromhex(row.signature), statement.message())
        assert row.key_id == keys.active().current.key_id


def test_a_refused_publication_leaves_no_checkpoint_behind(db_session, team):
    claim = make_claim(db_session, team["anna"], ClaimState.RESEARCHING)
    before = len(checkpoint_rows(db_session))
    acting_as(db_session, team["ada"])
    with pytest.raises(PublishingError):
        operations.publish(db_session, claim, team["ada"])
    # The session's next changeset is an ordinary one: no checkpoint was left asked for.
    claim.claimant = "The Russian Ministry of Defence"
    db_session.commit()
    assert len(checkpoint_rows(db_session)) == before
