"""Publishing a verdict, and every later public revision of it (editors and admins).

:func:`publish` takes a ready claim public: it fixes the claim's slug, freezes
revision 1 and moves the claim to published. :func:`publish_revision` adds a
correction, an update or a retraction, each with its dated public note.
Revisions are immutable snapshots (``factcheck.publishing.snapshot``), so
editing the draft afterwards changes nothing public until the next revision;
:func:`draft_differs` tells whether there is something new to publish.

Both operations flush and never commit. The audit history keeps each revision
with its reason (the first publication's, or the revision's note), and the
claim's move to published is a workflow step like any other
(:func:`factcheck.claims.workflow.record_move`). Each asks for a signed
checkpoint of the history (:mod:`factcheck.audit.checkpoints`), made with the
publication's changeset when it commits, so what readers were shown is vouched for.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from factcheck.accounts.models import Role, User
from factcheck.audit import checkpoints
from factcheck.audit.changesets import set_reason
from factcheck.claims.models import Claim, ClaimState
from factcheck.claims.workflow import (
    WorkflowError,
    configured_four_eyes,
    four_eyes_blocker,
    record_move,
)
from factcheck.db import utcnow
from factcheck.publishing.attribution import carried_over
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.slugs import assign_slug
from factcheck.publishing.snapshot import build_snapshot, search_text
from factcheck.security.permissions import Permission, require
from factcheck.sources.archiving import archive_on_publish
from factcheck.webhooks import events as webhook_events

FIRST_PUBLICATION_REASON = "First publication."
# The public note of a correction, update or retraction: long enough to say what changed and why.
MIN_NOTE_LENGTH = 10
MAX_NOTE_LENGTH = 2000
# The first publication's reason is kept in the audit history and on the workflow step.
MAX_REASON_LENGTH = 2000
REVISION_KINDS = (PublicationKind.CORRECTION, PublicationKind.UPDATE, PublicationKind.RETRACTION)
# The revisions that publish the verdict's draft, and so fall under the four-eyes rule.
FOUR_EYES_KINDS = frozenset({PublicationKind.CORRECTION, PublicationKind.UPDATE})
# Snapshot fields that date a revision rather than say what it shows.
DATE_FIELDS = frozenset({"published_at", "first_published_at"})


class PublishingError(WorkflowError):
    """A publication the rules refuse; the message is meant for the editor who asked.

    ``field`` names the form field the message belongs to (None: the whole
    request); ``forbidden`` is True for the four-eyes rule (this person may not,
    someone else may); ``conflict`` is True when someone else published meanwhile.
    """

    def __init__(
        self, message: str, *, field: str | None = None, forbidden: bool = False, conflict: bool = False
    ) -> None:
        super().__init__(message, forbidden=forbidden)
        self.field = field
        self.conflict = conflict


def refusal_status(error: PublishingError) -> int:
    """The HTTP status of a refusal, on the desk and in the API: someone else published meanwhile
    409, the four-eyes rule 403 (this person may not; another may), anything else 422."""
    if error.conflict:
        return 409
    return 403 if error.forbidden else 422


def as_sentence(message: str) -> str:
    """An operation's message as a sentence for a page or a problem's detail."""
    message = message.strip()
    if not message:
        return message
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def latest_revision(session: Session, claim_id: int) -> Publication | None:
    """The claim's newest publication revision as stored now, or None if it was never published."""
    return session.scalar(
        select(Publication)
        .where(Publication.claim_id == claim_id)
        .order_by(Publication.revision.desc())
        .limit(1)
    )


def first_revision(session: Session, claim_id: int) -> Publication | None:
    return session.scalar(
        select(Publication).where(Publication.claim_id == claim_id, Publication.revision == 1)
    )


def other_publishers(session: Session, actor: Any, limit: int = 3) -> list[str]:
    """Names of a few active editors and admins other than ``actor``: who could publish instead."""
    return list(
        session.scalars(
            select(User.name)
            .where(
                User.role.in_([Role.EDITOR, Role.ADMIN]),
                User.is_disabled.is_(False),
                User.id != getattr(actor, "id", None),
            )
            .order_by(User.name)
            .limit(limit)
        )
    )


def four_eyes_refusal(
    session: Session, claim: Claim, actor: Any, four_eyes: bool | None = None
) -> str | None:
    """Why the four-eyes rule stops ``actor`` publishing the claim's verdict, naming who could
    publish it instead; None when it does not (or the rule is off: ``four_eyes``, else config)."""
    if not (configured_four_eyes() if four_eyes is None else four_eyes):
        return None
    blocker = four_eyes_blocker(claim, actor)
    if blocker is None:
        return None
    names = other_publishers(session, actor)
    if names:
        who = (
            names[0]
            if len(names) == 1
            else _("%(names)s or %(last)s", names=", ".join(names[:-1]), last=names[-1])
        )
        return _("%(refusal)s (ask %(who)s)", refusal=blocker, who=who)
    return _(
        "%(refusal)s (there is no other editor or admin yet: an admin can give someone the editor role)",
        refusal=blocker,
    )


def _check_four_eyes(session: Session, claim: Claim, actor: Any, four_eyes: bool | None) -> None:
    refusal = four_eyes_refusal(session, claim, actor, four_eyes)
    if refusal is not None:
        raise PublishingError(refusal, forbidden=True)


def _lock(session: Session, claim: Claim) -> None:
    """Reload the claim, locking its row until the transaction ends (PostgreSQL), so two
    editors publishing at once take turns and the second sees what the first did."""
    session.flush()
    session.refresh(claim, with_for_update=True)


def _check_verdict(claim: Claim) -> None:
    verdict = claim.verdict
    if verdict is None:
        raise PublishingError(_("the claim has no verdict to publish"))
    if verdict.label is None:
        raise PublishingError(_("the verdict needs a label before it is published"))
    if not (verdict.headline or "").strip():
        raise PublishingError(_("the verdict needs a headline before it is published"))


def _insert(session: Session, claim: Claim, publication: Publication, then: Any = None) -> None:
    """Insert the revision (and run ``then``) in a savepoint; a revision number or slug taken by
    someone else meanwhile becomes a PublishingError and leaves the session usable.

    A checkpoint of the audit history is asked for once the revision is in, and still inside
    the savepoint: a refused revision leaves no request behind, and the changeset (which may be
    sealed as the savepoint is released) carries it.
    """
    try:
        with session.begin_nested():
            session.add(publication)
            if then is not None:
                then()
            session.flush()
            checkpoints.request(session, checkpoints.PUBLICATION)
        # The revision was added by id: let the claim's list of revisions load again.
        session.expire(claim, ["publications"])
    except (IntegrityError, StaleDataError):
        session.expire(claim)
        raise PublishingError(
            _("someone else published this claim meanwhile; look at it again before publishing"),
            conflict=True,
        ) from None


def publish(
    session: Session, claim: Claim, actor: Any, *, reason: str | None = None, four_eyes: bool | None = None
) -> Publication:
    """Publish a ready claim: revision 1, its public address, and the move to published.

    The claim gets its slug now (kept for good; :mod:`factcheck.publishing.slugs`).
    ``reason`` is kept in the audit history (default "First publication.") and
    as the comment of the workflow step. ``four_eyes`` overrides config
    ``FOUR_EYES`` (default True): then the publisher must not be the verdict's
    sole author (:func:`factcheck.claims.workflow.four_eyes_blocker`).

    Raises PermissionDenied for anyone but editors and admins, and
    PublishingError when the claim is not ready, its verdict lacks a label or
    headline, the four-eyes rule forbids it (``forbidden``), or someone else
    published it meanwhile (``conflict``).
    """
    require(actor, Permission.EDIT_VERDICTS)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise PublishingError(
            _("the reason is longer than %(max)s characters", max=MAX_REASON_LENGTH), field="reason"
        )
    _lock(session, claim)
    if claim.state == ClaimState.PUBLISHED:
        raise PublishingError(
            _("the claim is already published; publish a correction, an update or a retraction instead")
        )
    if claim.state != ClaimState.READY:
        raise PublishingError(
            _("only a claim that is Ready can be published; this one is %(state)s", state=claim.state.label)
        )
    _check_verdict(claim)
    _check_four_eyes(session, claim, actor, four_eyes)
    if latest_revision(session, claim.id) is not None:
        # No workflow move leaves published, so only a hand-edited database gets here: refuse
        # rather than number a second "revision 1".
        raise PublishingError(_("the claim already has publications, so it cannot be published afresh"))

    verdict = claim.verdict
    assert verdict is not None and verdict.label is not None
    now = utcnow()
    snapshot = build_snapshot(session, claim, published_at=now, first_published_at=now)
    publication = Publication(
        claim_id=claim.id,
        revision=1,
        kind=PublicationKind.PUBLICATION,
        label_name=verdict.label.name,
        headline=verdict.headline,
        snapshot=snapshot,
        search_text=search_text(snapshot),
        published_at=now,
        published_by_id=actor.id,
    )
    set_reason(session, reason or FIRST_PUBLICATION_REASON)

    def go_public() -> None:
        assign_slug(session, claim)
        record_move(session, claim, actor, ClaimState.PUBLISHED, reason)

    _insert(session, claim, publication, go_public)
    webhook_events.publication_made(session, claim, publication)
    # The pages the verdict cites, archived as they are now (factcheck/sources/archiving.py).
    archive_on_publish(session, claim)
    return publication


def check_note(note: str | None) -> str:
    """The note trimmed; raises PublishingError (field ``note``) when it is missing, too short or too long."""
    note = (note or "").strip()
    if not note:
        raise PublishingError(
            _("Write the public note: what changed and why. Readers see it with its date."), field="note"
        )
    if len(note) < MIN_NOTE_LENGTH:
        raise PublishingError(
            _(
                "The note is too short: say what changed and why (at least %(min)s characters).",
                min=MIN_NOTE_LENGTH,
            ),
            field="note",
        )
    if len(note) > MAX_NOTE_LENGTH:
        raise PublishingError(
            _("The note is longer than %(max)s characters.", max=MAX_NOTE_LENGTH), field="note"
        )
    return note


def publish_revision(
    session: Session,
    claim: Claim,
    actor: Any,
    *,
    kind: PublicationKind | str,
    note: str,
    four_eyes: bool | None = None,
) -> Publication:
    """Publish a correction, an update or a retraction of a published claim, with its public note.

    A correction (we were wrong) or an update (new facts) freezes the current
    draft, keeping the first publication's date. A retraction republishes the
    previous revision's content unchanged (that is what is retracted; only its
    ``published_at`` is this revision's) and is final: nothing is published
    after it. ``note`` (10 to 2000 characters) is shown to readers with the
    revision's date and is the audit reason.

    The four-eyes rule (config ``FOUR_EYES``, or ``four_eyes``) applies to
    corrections and updates, which publish the draft: their publisher must not
    be the verdict's sole author, as at first publication. A retraction
    publishes no new verdict text, and a wrong verdict should come down at
    once, so any editor or admin may retract.

    Raises PermissionDenied for anyone but editors and admins, and
    PublishingError (``field`` "kind" or "note" for form errors) when the
    kind or note is wrong, the claim is not published or already retracted,
    the verdict lacks a label or headline, the four-eyes rule forbids it, or
    someone else published a revision meanwhile (``conflict``).
    """
    require(actor, Permission.EDIT_VERDICTS)
    try:
        kind = PublicationKind(kind)
    except ValueError:
        kind = PublicationKind.PUBLICATION
    if kind not in REVISION_KINDS:
        raise PublishingError(_("Choose a correction, an update or a retraction."), field="kind")
    note = check_note(note)
    _lock(session, claim)
    latest = latest_revision(session, claim.id)
    if claim.state != ClaimState.PUBLISHED or latest is None:
        raise PublishingError(
            _(
                "only a published claim gets corrections, updates or retractions; this one is %(state)s",
                state=claim.state.label,
            )
        )
    if latest.kind == PublicationKind.RETRACTION:
        raise PublishingError(
            _(
                "this verdict was retracted on %(date)s; a retraction is final, so nothing more is published on it",
                date=f"{latest.published_at:%Y-%m-%d}",
            )
        )
    if kind in FOUR_EYES_KINDS:
        _check_four_eyes(session, claim, actor, four_eyes)

    now = utcnow()
    if kind == PublicationKind.RETRACTION:
        snapshot = {**latest.snapshot, "published_at": now.isoformat()}
        label_name, headline = latest.label_name, latest.headline
    else:
        _check_verdict(claim)
        verdict = claim.verdict
        assert verdict is not None and verdict.label is not None
        first = first_revision(session, claim.id)
        first_published_at = first.published_at if first is not None else latest.published_at
        snapshot = build_snapshot(session, claim, published_at=now, first_published_at=first_published_at)
        # A correction here of another publisher's check is still their check: it keeps their name.
        snapshot.update(carried_over(latest.snapshot))
        label_name, headline = verdict.label.name, verdict.headline
    publication = Publication(
        claim_id=claim.id,
        revision=latest.revision + 1,
        kind=kind,
        note=note,
        label_name=label_name,
        headline=headline,
        snapshot=snapshot,
        search_text=search_text(snapshot),
        published_at=now,
        published_by_id=actor.id,
    )
    set_reason(session, note)
    _insert(session, claim, publication)
    webhook_events.publication_made(session, claim, publication)
    if kind != PublicationKind.RETRACTION:
        # Sources cited for the first time in this revision are archived too.
        archive_on_publish(session, claim)
    return publication


def comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without its dates: what readers would see, whenever it was published."""
    return {key: value for key, value in snapshot.items() if key not in DATE_FIELDS}


def draft_differs(session: Session, claim: Claim) -> bool:
    """Whether publishing the draft now would show readers something other than the latest revision.

    True for a claim never published, and for a draft that cannot be published
    as it is (no label). Compares snapshots without their dates.
    """
    latest = latest_revision(session, claim.id)
    if latest is None:
        return True
    try:
        draft = build_snapshot(session, claim, published_at=utcnow())
    except ValueError:
        return True
    return comparable(draft) != comparable(latest.snapshot)
