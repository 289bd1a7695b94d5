"""Initial schema: every table of the product brief, and the default rating scale.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 01:07:31.516853
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import factcheck.db

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("logo_url", sa.String(length=2000), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("corrections_policy", sa.Text(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_organisation_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "rating_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("value IS NULL OR value >= 1", name=op.f("ck_rating_labels_value_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_labels")),
        sa.UniqueConstraint("key", name=op.f("uq_rating_labels_key")),
        sa.UniqueConstraint("name", name=op.f("uq_rating_labels_name")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "reviewer",
                "editor",
                "admin",
                name="user_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("is_disabled", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("claimant", sa.String(length=200), nullable=False),
        sa.Column("claimed_on", sa.Date(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "new",
                "researching",
                "in_review",
                "ready",
                "published",
                "dismissed",
                name="claim_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("dismissed_reason", sa.Text(), nullable=True),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("slug", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_claims_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("slug", name=op.f("uq_claims_slug")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_state"), ["state"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("outlet", sa.String(length=200), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_documents_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_text_sha256"), ["text_sha256"], unique=False)

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_login_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "appearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("appeared_on", sa.Date(), nullable=True),
        sa.Column("quote_exact", sa.Text(), nullable=True),
        sa.Column("quote_prefix", sa.String(length=200), nullable=True),
        sa.Column("quote_suffix", sa.String(length=200), nullable=True),
        sa.Column("position_start", sa.Integer(), nullable=True),
        sa.Column("position_end", sa.Integer(), nullable=True),
        sa.Column(
            "anchor_status",
            sa.Enum(
                "anchored",
                "orphaned",
                name="anchor_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "document_id IS NOT NULL OR url IS NOT NULL",
            name=op.f("ck_appearances_document_or_url"),
        ),
        sa.CheckConstraint(
            "position_start IS NULL OR (position_start >= 0 AND position_end >= position_start)",
            name=op.f("ck_appearances_position_order"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_appearances_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_appearances_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_appearances_document_id_documents"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appearances")),
    )
    with op.batch_alter_table("appearances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appearances_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appearances_document_id"), ["document_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["users.id"],
            name=op.f("fk_assignments_assigned_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_assignments_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_assignments_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("claim_id", "user_id", name=op.f("uq_assignments_claim_id_user_id")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "claim_tags",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_tags_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_claim_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", "tag_id", name=op.f("pk_claim_tags")),
    )
    with op.batch_alter_table("claim_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "claim_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_state",
            sa.Enum(
                "new",
                "researching",
                "in_review",
                "ready",
                "published",
                "dismissed",
                name="transition_from",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_state",
            sa.Enum(
                "new",
                "researching",
                "in_review",
                "ready",
                "published",
                "dismissed",
                name="transition_to",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_claim_transitions_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_transitions_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_transitions")),
    )
    with op.batch_alter_table("claim_transitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_transitions_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("deleted_at", factcheck.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_comments_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "publication",
                "correction",
                "update",
                "retraction",
                name="publication_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("label_name", sa.String(length=80), nullable=False),
        sa.Column("headline", sa.String(length=300), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("published_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind = 'publication' OR note IS NOT NULL",
            name=op.f("ck_publications_later_revisions_have_note"),
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_publications_revision_positive")),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_publications_claim_id_claims"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_publications_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("claim_id", "revision", name=op.f("uq_publications_claim_id_revision")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("reasoning", sa.Text(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_ratings_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["rating_labels.id"],
            name=op.f("fk_ratings_label_id_rating_labels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["users.id"],
            name=op.f("fk_ratings_reviewer_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("claim_id", "reviewer_id", name=op.f("uq_ratings_claim_id_reviewer_id")),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratings_reviewer_id"), ["reviewer_id"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "primary_document",
                "official_statement",
                "data_set",
                "expert",
                "news_report",
                "other",
                name="source_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "stance",
            sa.Enum(
                "supports",
                "refutes",
                "context",
                name="source_stance",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "url IS NOT NULL OR citation IS NOT NULL", name=op.f("ck_sources_url_or_citation")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_sources_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_sources_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sources_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=True),
        sa.Column("headline", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", factcheck.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_verdicts_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_verdicts_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["label_id"],
            ["rating_labels.id"],
            name=op.f("fk_verdicts_label_id_rating_labels"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_verdicts_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdicts")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_verdicts_claim_id")),
    )
    _insert_default_rating_scale()


# The default scale of PRODUCT.md, ordered from least to most accurate. Kept
# literal here: a migration must not change when the app's code does.
DEFAULT_SCALE = [
    ("false", "False", 1, "The claim is inaccurate."),
    (
        "mostly-false",
        "Mostly false",
        2,
        "The claim has an element of truth but ignores facts that would give a different impression.",
    ),
    (
        "misleading",
        "Misleading",
        3,
        "The claim is partly accurate but leaves out important details or takes things out of context.",
    ),
    (
        "mostly-true",
        "Mostly true",
        4,
        "The claim is accurate but needs clarification or additional information.",
    ),
    ("true", "True", 5, "The claim is accurate and nothing significant is missing."),
    (
        "unverifiable",
        "Unverifiable",
        None,
        "There is not enough evidence either way to say whether the claim is accurate.",
    ),
    (
        "satire",
        "Satire",
        None,
        "The statement is humour or parody and was not meant to be taken as fact.",
    ),
]


def _insert_default_rating_scale() -> None:
    labels = sa.table(
        "rating_labels",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("value", sa.Integer),
        sa.column("definition", sa.Text),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
        sa.column("created_at", factcheck.db.UTCDateTime),
        sa.column("updated_at", factcheck.db.UTCDateTime),
    )
    now = factcheck.db.utcnow()
    op.bulk_insert(
        labels,
        [
            {
                "key": key,
                "name": name,
                "value": value,
                "definition": definition,
                "position": position,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            }
            for position, (key, name, value, definition) in enumerate(DEFAULT_SCALE, start=1)
        ],
    )


def downgrade() -> None:
    op.drop_table("verdicts")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_claim_id"))

    op.drop_table("sources")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratings_reviewer_id"))

    op.drop_table("ratings")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_claim_id"))

    op.drop_table("publications")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_claim_id"))

    op.drop_table("comments")
    with op.batch_alter_table("claim_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_transitions_claim_id"))

    op.drop_table("claim_transitions")
    with op.batch_alter_table("claim_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_tags_tag_id"))

    op.drop_table("claim_tags")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_user_id"))

    op.drop_table("assignments")
    with op.batch_alter_table("appearances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appearances_document_id"))
        batch_op.drop_index(batch_op.f("ix_appearances_claim_id"))

    op.drop_table("appearances")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_user_id"))

    op.drop_table("login_sessions")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_text_sha256"))

    op.drop_table("documents")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_state"))

    op.drop_table("claims")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("tags")
    op.drop_table("rating_labels")
    op.drop_table("organisation")
