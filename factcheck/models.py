"""Every model of the app, imported in one place so the mapper and Alembic see them all."""

from factcheck.accounts.models import ApiToken, ApiTokenUse, LoginSession, Role, TokenScope, User
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
from factcheck.documents.models import Document, DocumentFile
from factcheck.jobs.models import Job, JobState
from factcheck.organisation.models import Organisation
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import Rating, RatingLabel
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
    "Job",
    "JobState",
    "LoginSession",
    "Organisation",
    "Publication",
    "PublicationKind",
    "Rating",
    "RatingLabel",
    "ReaderSubmission",
    "Role",
    "SecurityEvent",
    "SecurityEventKind",
    "Source",
    "SourceKind",
    "Stance",
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
