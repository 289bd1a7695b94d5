"""Running a chain verification and keeping its result for the admin page."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from factcheck.audit import chain
from factcheck.audit.models import AuditChangeset, AuditVerification


def verify_and_record(connection: Connection) -> chain.Verification:
    """Verify the whole chain and append the outcome to ``audit_verifications``."""
    result = chain.verify(connection)
    connection.execute(
        insert(AuditVerification).values(
            ok=result.ok,
            checked=result.checked,
            head_seq=result.head_seq,
            head_hash=result.head_hash,
            first_bad_seq=result.first_bad_seq,
            problem=result.problem,
            seconds=result.seconds,
        )
    )
    return result


def last_verification(db: Session) -> AuditVerification | None:
    return db.scalar(select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1))


def chain_head(db: Session) -> AuditChangeset | None:
    return db.scalar(select(AuditChangeset).order_by(AuditChangeset.seq.desc()).limit(1))
