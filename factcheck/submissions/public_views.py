"""Public forms: readers suggest a claim to check, or report an error in a published check.

No login. POSTs are rate-limited per client address (SUBMISSION_RATE_LIMIT);
bots caught by the traps of :mod:`factcheck.submissions.spam` see the same
thank-you page as readers, and nothing is stored for them. These pages carry
a CSRF token, so they are never cached.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from factcheck import db
from factcheck.audit.changesets import set_actor
from factcheck.claims.models import Claim
from factcheck.publishing.claimreview import shown_label
from factcheck.publishing.models import Publication
from factcheck.publishing.queries import revisions_of
from factcheck.security.permissions import public
from factcheck.security.ratelimit import limiter
from factcheck.submissions import operations, spam
from factcheck.submissions.blueprint import bp
from factcheck.submissions.forms import ReaderForm, ReportErrorForm, SuggestForm
from factcheck.web.forms import form_status

NOT_STORED = "no-store"


def _rate_limit() -> str:
    return current_app.config["SUBMISSION_RATE_LIMIT"]


# One allowance per client address for both forms together.
_submission_limit = limiter.shared_limit(_rate_limit, scope="reader-submissions", methods=["POST"])


def _uncached(body: str, status: int) -> ResponseReturnValue:
    return body, status, {"Cache-Control": NOT_STORED}


def _values(form: ReaderForm) -> operations.ReaderValues:
    return operations.ReaderValues(
        text=form.text.data or "",  # type: ignore[attr-defined]
        url=form.url.data,  # type: ignore[attr-defined]
        name=form.name.data,
        email=form.email.data,
    )


def _from_a_person(form: ReaderForm) -> bool:
    return not spam.looks_automated(form.website.data, form.shown_at.data)


def _attribute_to_reader() -> None:
    """Readers have no account: the audit history names the public form instead.
    (Staff who use the form while signed in are attributed to themselves.)"""
    if not current_user.is_authenticated:
        set_actor(db.session(), operations.reader_actor(g.get("request_id")))


def _start(form: ReaderForm) -> None:
    if request.method == "GET":
        form.shown_at.data = spam.shown_at_stamp()


@bp.route("/suggest", methods=["GET", "POST"])
@_submission_limit
@public
def suggest() -> ResponseReturnValue:
    form = SuggestForm()
    _start(form)
    if form.validate_on_submit():
        if _from_a_person(form):
            _attribute_to_reader()
            operations.suggest(db.session(), _values(form))
        return redirect(url_for("submissions.suggest_thanks"))
    return _uncached(render_template("submissions/suggest.html", form=form), form_status(form))


@bp.route("/suggest/thanks")
@public
def suggest_thanks() -> ResponseReturnValue:
    return render_template("submissions/thanks.html", kind="suggestion", check=None)


def _published_or_404(slug: str) -> tuple[Claim, list[Publication]]:
    claim = db.session().scalar(select(Claim).where(Claim.slug == slug))
    revisions = revisions_of(db.session(), claim.id) if claim is not None else []
    if claim is None or not revisions:
        abort(404)
    return claim, revisions


def _check(claim: Claim, revisions: list[Publication]) -> dict[str, Any]:
    """What the report form says about the check, from the published snapshot only."""
    latest = revisions[-1]
    return {
        "slug": claim.slug,
        "claim": latest.snapshot.get("claim", ""),
        "claimant": latest.snapshot.get("claimant", ""),
        "headline": latest.headline,
        "label": shown_label(revisions),
        "revision": latest.revision,
    }


def _revision_seen(raw: str | None, revisions: list[Publication]) -> int:
    """The revision the reader was reading: the one named if it exists, else the latest."""
    known = {publication.revision for publication in revisions}
    try:
        number = int(raw or "")
    except ValueError:
        return revisions[-1].revision
    return number if number in known else revisions[-1].revision


@bp.route("/checks/<slug>/report-error", methods=["GET", "POST"])
@_submission_limit
@public
def report_error(slug: str) -> ResponseReturnValue:
    claim, revisions = _published_or_404(slug)
    form = ReportErrorForm()
    _start(form)
    raw_revision = request.args.get("revision") if request.method == "GET" else form.revision.data
    seen = _revision_seen(raw_revision, revisions)
    form.revision.data = str(seen)
    if form.validate_on_submit():
        if _from_a_person(form):
            _attribute_to_reader()
            operations.report_error(db.session(), claim, seen, _values(form))
        return redirect(url_for("submissions.report_error_thanks", slug=slug))
    return _uncached(
        render_template(
            "submissions/report_error.html", form=form, check=_check(claim, revisions), revision_seen=seen
        ),
        form_status(form),
    )


@bp.route("/checks/<slug>/report-error/thanks")
@public
def report_error_thanks(slug: str) -> ResponseReturnValue:
    claim, revisions = _published_or_404(slug)
    return render_template("submissions/thanks.html", kind="error_report", check=_check(claim, revisions))


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> ResponseReturnValue:
    """Over the limit: a page in the public site's look saying what to do, not a bare error."""
    retry_after = getattr(error, "retry_after", None)
    headers = {"Cache-Control": NOT_STORED}
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    limit = getattr(error, "limit", None)
    return (
        render_template("submissions/too_many.html", limit=str(limit.limit) if limit else None),
        429,
        headers,
    )
