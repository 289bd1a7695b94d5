"""Every model of the app, imported in one place so the mapper and Alembic see them all."""

from factcheck.accounts.models import ApiToken, ApiTokenUse, LoginSession, Role, TokenScope, User
from factcheck.archive.models import Snapshot, SnapshotWarc
from factcheck.audit.models import AuditChange, AuditChangeset, AuditContext, AuditVerification
from factcheck.claims.models import (
    AnchorStatus,
    Appearance,
    Assignment,
    Claim,
    ClaimState,
    ClaimTransition,
    Tag,
    claim_tags,
)
from factcheck.db import Base
from factcheck.discussion.models import Comment
from factcheck.documents.models import Document, DocumentFile, FetchState
from factcheck.jobs.models import Job, JobState
from factcheck.notifications import events as _notification_events  # noqa: F401 - follows and notifications at every flush
from factcheck.notifications.models import (
    EmailMode,
    Follow,
    Notification,
    NotificationKind,
    NotificationSettings,
)
from factcheck.organisation.models import Organisation
from factcheck.public.models import StoredPage
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import Rating, RatingLabel, RatingLabelTranslation
from factcheck.security.models import SecurityEvent, SecurityEventKind
from factcheck.sources.models import Source, SourceKind, Stance
from factcheck.submissions.models import ReaderSubmission, SubmissionKind, SubmissionStatus
from factcheck.verdicts.models import Verdict
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSecret

__all__ = [
    "AnchorStatus",
    "ApiToken",
    "ApiTokenUse",
    "Appearance",
    "Assignment",
    "AuditChange",
    "AuditChangeset",
    "AuditContext",
    "AuditVerification",
    "Base",
    "Claim",
    "ClaimState",
    "ClaimTransition",
    "Comment",
    "Document",
    "DocumentFile",
    "EmailMode",
    "FetchState",
    "Follow",
    "Job",
    "JobState",
    "LoginSession",
    "Notification",
    "NotificationKind",
    "NotificationSettings",
    "Organisation",
    "Publication",
    "PublicationKind",
    "Rating",
    "RatingLabel",
    "RatingLabelTranslation",
    "ReaderSubmission",
    "Role",
    "SecurityEvent",
    "SecurityEventKind",
    "Snapshot",
    "SnapshotWarc",
    "Source",
    "SourceKind",
    "Stance",
    "StoredPage",
    "SubmissionKind",
    "SubmissionStatus",
    "Tag",
    "TokenScope",
    "User",
    "Verdict",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSecret",
    "claim_tags",
]
