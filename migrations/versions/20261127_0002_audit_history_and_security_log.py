"""Audit history (field-level, append-only, hash-chained) and the security log.

Installs the triggers (factcheck.audit.triggers) and records every row that
already exists as the first changeset, so the history accounts for all data.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 01:14:11.397465
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import factcheck.db
from factcheck.audit import chain, triggers
from factcheck.audit.changesets import Actor, OpenChangeset, open_changeset

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_changesets",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("occurred_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_audit_changesets_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_changesets")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_changesets_hash")),
    )
    with op.batch_alter_table("audit_changesets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_changesets_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_changesets_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "audit_context",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_context_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_context")),
    )
    op.create_table(
        "audit_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verified_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("checked", sa.BigInteger(), nullable=False),
        sa.Column("head_seq", sa.BigInteger(), nullable=True),
        sa.Column("head_hash", sa.String(length=64), nullable=True),
        sa.Column("first_bad_seq", sa.BigInteger(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verifications")),
    )
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "login",
                "login_failed",
                "login_throttled",
                "logout",
                "permission_denied",
                "user_created",
                "role_changed",
                "user_disabled",
                "user_enabled",
                "password_changed",
                name="security_event_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_events_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "audit_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("changeset_seq", sa.BigInteger(), nullable=False),
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column(
            "row_key",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("operation", sa.String(length=6), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changeset_seq"],
            ["audit_changesets.seq"],
            name=op.f("fk_audit_changes_changeset_seq_audit_changesets"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_changes")),
    )
    with op.batch_alter_table("audit_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_changes_changeset_seq"), ["changeset_seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_changes_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_changes_table_name"), ["table_name"], unique=False)

    bind = op.get_bind()
    triggers.sync(bind)
    opened = open_changeset(bind, Actor.system("migration 0002: audit history installed", "migration"))
    triggers.record_existing_rows(bind, opened.seq)
    _seal_unkeyed(bind, opened)


def _seal_unkeyed(bind: sa.Connection, opened: OpenChangeset) -> None:
    """Seal the first changeset as this revision's schema knows it: an unkeyed (legacy) link,
    which the next keyed changeset covers (see factcheck/audit/chain.py)."""
    changes = chain.fetch_changes(bind, opened.seq)
    if changes:
        record = chain.ChangesetRecord(
            seq=opened.seq,
            occurred_at=opened.occurred_at,
            actor_id=None,
            actor_name=opened.actor.name,
            actor_role=None,
            origin=opened.actor.origin,
            request_id=None,
            reason=None,
            prev_hash=opened.prev_hash,
            key_id=None,
        )
        values = {
            name: value
            for name, value in record.values().items()
            if name not in ("key_id", "client_request_id")
        }
        changesets = sa.table(
            "audit_changesets",
            *(
                sa.column(name, factcheck.db.UTCDateTime() if name == "occurred_at" else None)
                for name in [*values, "hash"]
            ),
        )
        bind.execute(sa.insert(changesets).values(**values, hash=chain.changeset_hash(record, changes, None)))
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(f"SELECT set_config('{triggers.CHANGESET_SETTING}', '', true)")
    else:
        bind.exec_driver_sql("DELETE FROM audit_context")


def downgrade() -> None:
    bind = op.get_bind()
    triggers.remove(bind)
    if bind.dialect.name == "postgresql":
        triggers.drop_postgresql_functions(bind)
    with op.batch_alter_table("audit_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_changes_table_name"))
        batch_op.drop_index(batch_op.f("ix_audit_changes_claim_id"))
        batch_op.drop_index(batch_op.f("ix_audit_changes_changeset_seq"))

    op.drop_table("audit_changes")
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_security_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_security_events_actor_id"))

    op.drop_table("security_events")
    op.drop_table("audit_verifications")
    op.drop_table("audit_context")
    with op.batch_alter_table("audit_changesets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_changesets_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_changesets_actor_id"))

    op.drop_table("audit_changesets")
