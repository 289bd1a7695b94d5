"""Storing what readers send, and the editors' handling of it.

Readers are not users: their writes are attributed in the audit history to
the actor :func:`reader_actor` (no user id, no role, origin ``public``). Only
what the reader typed is kept, never their address or browser.
Editors (Permission.EDIT_VERDICTS) handle an open submission once: turn it
into a claim, answer it, or close it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from factcheck.audit.changesets import Actor
from factcheck.claims import capturing
from factcheck.claims.capturing import AppearanceValues
from factcheck.claims.editing import ClaimValues
from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.security.permissions import Permission, require
from factcheck.submissions.models import ReaderSubmission, SubmissionKind, SubmissionStatus
from factcheck.webhooks import events as webhook_events

READER_NAME = "Reader (public form)"
READER_ORIGIN = "public"


def reader_actor(request_id: str | None = None) -> Actor:
    """Who the audit history says wrote a reader's submission.

    Readers have no account, so no user id and no role; ``origin`` tells the
    history the write came from the public site. The request id links the
    changeset to the server's logs, as for staff writes.
    """
    return Actor(name=READER_NAME, user_id=None, role=None, origin=READER_ORIGIN, request_id=request_id)


class SubmissionError(ValueError):
    """A handling the rules refuse (the submission was already handled, say)."""


@dataclass
class ReaderValues:
    """What the reader typed; optional fields empty or None."""

    text: str
    url: str | None = None
    name: str | None = None
    email: str | None = None

    def columns(self) -> dict[str, Any]:
        return {
            "text": self.text.strip(),
            "url": (self.url or "").strip() or None,
            "name": (self.name or "").strip() or None,
            "email": (self.email or "").strip() or None,
        }


def suggest(db: Session, values: ReaderValues) -> ReaderSubmission:
    """A claim a reader would like checked."""
    submission = ReaderSubmission(
        kind=SubmissionKind.SUGGESTION, status=SubmissionStatus.OPEN, **values.columns()
    )
    db.add(submission)
    db.flush()
    webhook_events.submission_received(db, submission)
    return submission


def report_error(db: Session, claim: Claim, revision: int | None, values: ReaderValues) -> ReaderSubmission:
    """Something a reader thinks is wrong in a published check (``revision``: the one they read)."""
    submission = ReaderSubmission(
        kind=SubmissionKind.ERROR_REPORT,
        status=SubmissionStatus.OPEN,
        claim_id=claim.id,
        revision=revision,
        **values.columns(),
    )
    db.add(submission)
    db.flush()
    webhook_events.submission_received(db, submission)
    return submission


def _handle(submission: ReaderSubmission, actor: Any, status: SubmissionStatus, response: str | None) -> None:
    require(actor, Permission.EDIT_VERDICTS)
    if submission.status != SubmissionStatus.OPEN:
        raise SubmissionError(
            _("This submission was already handled (%(status)s).", status=submission.status.label.lower())
        )
    submission.status = status
    submission.response = (response or "").strip() or None
    submission.handled_by_id = actor.id
    submission.handled_at = utcnow()


def convert(
    db: Session, actor: Any, submission: ReaderSubmission, claim: ClaimValues, appearance_url: str | None
) -> Claim:
    """Turn a suggestion into a new claim on the desk, captured like any other
    (its appearance is the web address given). Raises PermissionDenied,
    SubmissionError, or capturing.CaptureError for the capture's own rules."""
    require(actor, Permission.EDIT_VERDICTS)
    if submission.kind != SubmissionKind.SUGGESTION:
        raise SubmissionError(_("Only suggestions can be turned into claims."))
    if submission.status != SubmissionStatus.OPEN:
        raise SubmissionError(
            _("This submission was already handled (%(status)s).", status=submission.status.label.lower())
        )
    captured = capturing.capture_claim(db, actor, claim, AppearanceValues(url=appearance_url))
    _handle(submission, actor, SubmissionStatus.CONVERTED, None)
    submission.converted_claim_id = captured.id
    db.flush()
    return captured


def answer(db: Session, actor: Any, submission: ReaderSubmission, response: str) -> None:
    """Record the editors' answer and close the submission as answered."""
    if not (response or "").strip():
        raise SubmissionError(_("Write the answer first."))
    _handle(submission, actor, SubmissionStatus.ANSWERED, response)
    db.flush()


def close(db: Session, actor: Any, submission: ReaderSubmission, reason: str | None = None) -> None:
    """Close without an answer (spam, a duplicate, not check-worthy); ``reason`` is for the team."""
    _handle(submission, actor, SubmissionStatus.CLOSED, reason)
    db.flush()
