"""The background worker's job queue, and webhook endpoints with their deliveries.

- ``jobs``: the one queue of background work (factcheck/jobs/), written in the same
  transaction as the change that causes a job;
- ``webhook_endpoints``: where admins want events delivered (in the audit history);
- ``webhook_secrets``: each endpoint's signing secret, kept out of the history;
- ``webhook_deliveries``: each event sent to an endpoint, with its last try.

The security log gets a new kind of event, ``job_retried`` (an admin put a failed job
back in the queue): its CHECK constraint is made again with the new value. Going down is
refused once the log holds such an event (the log is append-only).

``jobs``, ``webhook_deliveries`` and ``webhook_secrets`` are not audited
(factcheck/audit/triggers.py, NOT_AUDITED; docs/worker.md says why). The new tables
start empty, so this revision writes no changeset.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:44:09.524201
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SECURITY_EVENT_KINDS = (
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
)
NEW_SECURITY_EVENT_KINDS = ("job_retried",)


def _security_event_kinds(kinds: Sequence[str]) -> None:
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_security_events_security_event_kind"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_security_events_security_event_kind"), sa.column("kind").in_(kinds)
        )


def upgrade() -> None:
    _security_event_kinds((*SECURITY_EVENT_KINDS, *NEW_SECURITY_EVENT_KINDS))
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                name="job_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=True),
        sa.Column("run_after", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locked_until", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("finished_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retried_by", sa.String(length=200), nullable=True),
        sa.Column("retried_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_jobs_idempotency_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_run_after", ["state", "run_after"], unique=False)

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("secret_hint", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "delivered",
                "retrying",
                "failed",
                name="webhook_delivery_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_webhook_deliveries_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_webhook_deliveries_message_id")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_endpoint_id_created_at", ["endpoint_id", "created_at"], unique=False
        )

    op.create_table(
        "webhook_secrets",
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_secrets_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("endpoint_id", name=op.f("pk_webhook_secrets")),
    )


def downgrade() -> None:
    retried = (
        op.get_bind()
        .execute(
            sa.text("SELECT count(*) FROM security_events WHERE kind IN :kinds").bindparams(
                sa.bindparam("kinds", NEW_SECURITY_EVENT_KINDS, expanding=True)
            )
        )
        .scalar_one()
    )
    if retried:
        # The security log is append-only: its job_retried events cannot go, so neither can the kind.
        raise RuntimeError(
            f"the security log holds {retried} job_retried events, which revision 0006 cannot store; "
            "restore the backup taken before the upgrade instead"
        )
    _security_event_kinds(SECURITY_EVENT_KINDS)
    op.drop_table("webhook_secrets")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_endpoint_id_created_at")

    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_state_run_after")

    op.drop_table("jobs")
