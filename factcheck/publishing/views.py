"""The desk's publishing pages: publish a ready claim after a preview, publish a later revision.

Editors and admins only; reviewers see a claim's publications on its page but no forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from factcheck import db
from factcheck.claims.models import Claim, ClaimState
from factcheck.claims.workflow import configured_four_eyes, publish_blockers
from factcheck.db import utcnow
from factcheck.publishing import operations
from factcheck.publishing.forms import KIND_HINTS, PublishForm, RevisionForm, version_of
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.publishing.operations import PublishingError, as_sentence, refusal_status
from factcheck.publishing.snapshot import build_snapshot
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import Form, form_status
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("publishing", __name__, url_prefix="/claims")


def _draft_snapshot(claim: Claim) -> dict[str, Any] | None:
    """What publishing the draft now would show readers, or None if it cannot be published (no label)."""
    if claim.verdict is None or claim.verdict.label is None:
        return None
    return build_snapshot(db.session(), claim, published_at=utcnow())


def _verdict_version(claim: Claim) -> int | None:
    return claim.verdict.version if claim.verdict is not None else None


def _publish_problems(claim: Claim) -> list[str]:
    """What stops the signed-in editor publishing the claim, as sentences; empty when nothing."""
    if claim.state == ClaimState.PUBLISHED:
        return [_("The claim is already published: publish a correction, an update or a retraction instead.")]
    problems = []
    if claim.state != ClaimState.READY:
        problems.append(
            _("Only a claim that is Ready can be published; this one is %(state)s.", state=claim.state.label)
        )
    actor = current_actor()
    # The four-eyes refusal as the operation words it, naming who could publish instead.
    problems += [as_sentence(blocker) for blocker in publish_blockers(claim, actor, four_eyes=False)]
    refusal = operations.four_eyes_refusal(db.session(), claim, actor)
    if refusal:
        problems.append(as_sentence(refusal))
    return problems


@bp.route("/<id:claim_id>/publish", methods=["GET", "POST"])
@requires(Permission.EDIT_VERDICTS)
def publish(claim_id: int) -> ResponseReturnValue:
    """A preview of what readers will see; confirming publishes it."""
    claim = get_or_404(Claim, claim_id)
    form = PublishForm()
    if request.method == "GET":
        form.verdict_version.data = str(_verdict_version(claim) or "")
    error = None
    status = 200
    if form.validate_on_submit():
        seen = version_of(form.verdict_version)
        if seen is not None and seen != _verdict_version(claim):
            error, status = _("The verdict changed since this preview was shown: check it again below."), 409
            form.verdict_version.data = str(_verdict_version(claim) or "")
        else:
            done, error, status = _attempt(
                form,
                claim,
                lambda: operations.publish(db.session(), claim, current_actor(), reason=form.reason.data),
            )
            if done is not None:
                return done
    return render_template(
        "publishing/publish.html",
        claim=claim,
        form=form,
        error=error,
        problems=_publish_problems(claim),
        preview=_draft_snapshot(claim),
    ), max(status, form_status(form))


def _attempt(
    form: Form, claim: Claim, operation: Callable[[], Publication]
) -> tuple[ResponseReturnValue | None, str | None, int]:
    """Run a publishing operation: on success flash it and give the redirect to the claim's page;
    on refusal put the message on the form field it names, or give it as the page's error, with its status."""
    try:
        publication = operation()
    except PublishingError as exc:
        if exc.field and hasattr(form, exc.field):
            getattr(form, exc.field).errors = [as_sentence(str(exc))]
            return None, None, refusal_status(exc)
        return None, as_sentence(str(exc)), refusal_status(exc)
    _flash_published(claim, publication)
    return redirect(url_for("claims.show", claim_id=claim.id, _anchor="publications-heading")), None, 200


def _flash_published(claim: Claim, publication: Publication) -> None:
    what = (
        _("Published.")
        if publication.kind == PublicationKind.PUBLICATION
        else _(
            "Published revision %(number)s: %(kind)s.",
            number=publication.revision,
            kind=publication.kind.label.lower(),
        )
    )
    public_url = url_for("public.check", slug=claim.slug)
    flash(
        Markup('{} <a href="{}">{}</a>.').format(what, public_url, _("Read it as readers see it")), "success"
    )


@bp.route("/<id:claim_id>/revise", methods=["GET", "POST"])
@requires(Permission.EDIT_VERDICTS)
def revise(claim_id: int) -> ResponseReturnValue:
    """Publish a correction, an update or a retraction of a published claim, with its public note."""
    session = db.session()
    claim = get_or_404(Claim, claim_id)
    latest = operations.latest_revision(session, claim.id)
    form = RevisionForm()
    if request.method == "GET":
        form.latest_revision.data = str(latest.revision if latest else "")
        form.verdict_version.data = str(_verdict_version(claim) or "")
    error = None
    status = 200
    if form.validate_on_submit():
        seen_revision = version_of(form.latest_revision)
        seen_verdict = version_of(form.verdict_version)
        if seen_revision is not None and latest is not None and seen_revision != latest.revision:
            error = _(
                "Someone published revision %(number)s since you opened this page: "
                "read it below before publishing another.",
                number=latest.revision,
            )
        elif (
            seen_verdict is not None
            and seen_verdict != _verdict_version(claim)
            and form.kind.data != PublicationKind.RETRACTION.value
        ):
            error = _("The verdict changed since you opened this page: check what will be published below.")
        if error:
            status = 409
            form.latest_revision.data = str(latest.revision if latest else "")
            form.verdict_version.data = str(_verdict_version(claim) or "")
        else:
            done, error, status = _attempt(
                form,
                claim,
                lambda: operations.publish_revision(
                    session, claim, current_actor(), kind=form.kind.data or "", note=form.note.data or ""
                ),
            )
            if done is not None:
                return done
    problems = []
    if claim.state != ClaimState.PUBLISHED or latest is None:
        problems.append(
            _(
                "Only a published claim gets corrections, updates or retractions; this one is %(state)s.",
                state=claim.state.label,
            )
        )
    elif latest.kind == PublicationKind.RETRACTION:
        problems.append(
            _(
                "This verdict was retracted on %(date)s: a retraction is final.",
                date=f"{latest.published_at:%Y-%m-%d}",
            )
        )
    return render_template(
        "publishing/revise.html",
        claim=claim,
        form=form,
        error=error,
        problems=problems,
        latest=latest,
        draft=_draft_snapshot(claim),
        differs=operations.draft_differs(session, claim) if latest is not None else False,
        kind_hints=KIND_HINTS,
        four_eyes=configured_four_eyes(),
        # Said before they write the note, as the publish page does: the operation would refuse
        # a sole author's correction or update (a retraction stays open to them).
        four_eyes_warning=operations.four_eyes_refusal(session, claim, current_actor()),
    ), max(status, form_status(form))


@dataclass(frozen=True)
class PublicationStatus:
    """What the desk's claim page says about a published claim."""

    latest: Publication
    # The draft would publish something other than what readers see now.
    differs: bool

    @property
    def retracted(self) -> bool:
        return self.latest.kind == PublicationKind.RETRACTION


@bp.app_context_processor
def _publishing_helpers() -> dict[str, Any]:
    def publication_status(claim: Claim) -> PublicationStatus | None:
        """The latest revision and whether the draft differs from it; None for a claim never published."""
        if not claim.publications:
            return None
        # The claim page asks twice (verdict and publications); build the draft's snapshot once.
        known: dict[int, PublicationStatus] = g.setdefault("publication_status", {})
        if claim.id not in known:
            latest = claim.publications[-1]
            known[claim.id] = PublicationStatus(latest, operations.draft_differs(db.session(), claim))
        return known[claim.id]

    return {"publication_status": publication_status}
