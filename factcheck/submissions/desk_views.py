"""The editors' queue of reader submissions.

Everyone on the desk may read the queue (Permission.READ_DESK: reviewers see
what readers report about the checks they worked on); only editors and admins
(Permission.EDIT_VERDICTS) act on a submission: turn a suggestion into a claim,
answer it, or close it. Every change is recorded by the audit triggers and
attributed to the editor; the detail page shows that history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from factcheck import db
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.capturing import CaptureError
from factcheck.claims.editing import ClaimValues
from factcheck.security.permissions import Permission, requires
from factcheck.submissions import operations
from factcheck.submissions.blueprint import bp
from factcheck.submissions.forms import AnswerForm, CloseForm, ConvertForm
from factcheck.submissions.models import ReaderSubmission, SubmissionKind, SubmissionStatus
from factcheck.submissions.operations import SubmissionError
from factcheck.web.forms import Form
from factcheck.web.keyset import InvalidCursor, Key, Ordering, fetch_page
from factcheck.web.lookups import current_actor

PAGE_SIZE = 50
# The status filter's "every status".
ALL = "all"
NEWEST_FIRST = Ordering(
    "submissions-newest",
    (
        Key(ReaderSubmission.created_at, datetime, descending=True),
        Key(ReaderSubmission.id, int, descending=True),
    ),
)
STATUS_VALUES = {status.value for status in SubmissionStatus} | {ALL}
KIND_VALUES = {"", *(kind.value for kind in SubmissionKind)}


def _status_choices() -> list[tuple[str, str]]:
    """The status filter's links, labelled in the page's language."""
    return [(status.value, status.label) for status in SubmissionStatus] + [(ALL, _("All"))]


def _kind_choices() -> list[tuple[str, str]]:
    return [("", _("Both kinds"))] + [(kind.value, kind.plural_label) for kind in SubmissionKind]


def _filters() -> tuple[str, str]:
    """The queue's filters from the query string; unknown values fall back to the defaults."""
    status = request.args.get("status", SubmissionStatus.OPEN.value)
    if status not in STATUS_VALUES:
        status = SubmissionStatus.OPEN.value
    kind = request.args.get("kind", "")
    if kind not in KIND_VALUES:
        kind = ""
    return status, kind


@bp.route("/desk/submissions")
@requires(Permission.READ_DESK)
def queue() -> ResponseReturnValue:
    status, kind = _filters()
    query = select(ReaderSubmission).options(selectinload(ReaderSubmission.claim))
    if status != ALL:
        query = query.where(ReaderSubmission.status == SubmissionStatus(status))
    if kind:
        query = query.where(ReaderSubmission.kind == SubmissionKind(kind))
    filters = {"status": status, "kind": kind or None}
    try:
        page = fetch_page(
            db.session(),
            query,
            NEWEST_FIRST,
            size=PAGE_SIZE,
            after=request.args.get("after"),
            before=request.args.get("before"),
        )
    except InvalidCursor:
        return render_template(
            "submissions/queue.html",
            page=None,
            submissions=[],
            filters=filters,
            status_choices=_status_choices(),
            kind_choices=_kind_choices(),
        ), 422
    return render_template(
        "submissions/queue.html",
        page=page,
        submissions=[row[0] for row in page.rows],
        filters=filters,
        status_choices=_status_choices(),
        kind_choices=_kind_choices(),
    )


def _submission_or_404(submission_id: int) -> ReaderSubmission:
    submission = db.session().get(
        ReaderSubmission,
        submission_id,
        options=[
            selectinload(ReaderSubmission.claim),
            selectinload(ReaderSubmission.converted_claim),
            selectinload(ReaderSubmission.handled_by),
        ],
    )
    if submission is None:
        abort(404)
    return submission


def _history(submission: ReaderSubmission) -> list[tuple[AuditChangeset, AuditChange]]:
    """The audit history of this submission's row, oldest first."""
    rows = db.session().execute(
        select(AuditChangeset, AuditChange)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(
            AuditChange.table_name == ReaderSubmission.__tablename__,
            AuditChange.row_key["id"].as_integer() == submission.id,
        )
        .order_by(AuditChange.id)
    )
    return [(changeset, change) for changeset, change in rows]


def _render_show(
    submission: ReaderSubmission,
    *,
    convert_form: ConvertForm | None = None,
    answer_form: AnswerForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if convert_form is None:
        convert_form = ConvertForm(formdata=None, text=submission.text, url=submission.url)
    return render_template(
        "submissions/show.html",
        submission=submission,
        convert_form=convert_form,
        answer_form=answer_form or AnswerForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        history=_history(submission),
        status_labels={status.value: status.label.lower() for status in SubmissionStatus},
    ), status


@bp.route("/desk/submissions/<id:submission_id>")
@requires(Permission.READ_DESK)
def show(submission_id: int) -> ResponseReturnValue:
    return _render_show(_submission_or_404(submission_id))


def _refused(submission: ReaderSubmission, error: SubmissionError, **forms: Any) -> ResponseReturnValue:
    flash(str(error), "error")
    return _render_show(submission, status=409, **forms)


def _done(submission: ReaderSubmission, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("submissions.show", submission_id=submission.id))


def _invalid(form: Form) -> bool:
    return not form.validate_on_submit()


@bp.route("/desk/submissions/<id:submission_id>/convert", methods=["POST"])
@requires(Permission.EDIT_VERDICTS)
def convert(submission_id: int) -> ResponseReturnValue:
    """Turn a suggestion into a claim on the desk, captured like any other."""
    submission = _submission_or_404(submission_id)
    form = ConvertForm()
    if _invalid(form):
        return _render_show(submission, convert_form=form, status=422)
    try:
        claim = operations.convert(
            db.session(),
            current_actor(),
            submission,
            ClaimValues(text=form.text.data or "", claimant=form.claimant.data or ""),
            form.url.data,
        )
    except CaptureError as error:
        name = error.field if error.field in form else "url"
        form[name].errors = [*form[name].errors, str(error)]
        return _render_show(submission, convert_form=form, status=422)
    except SubmissionError as error:
        return _refused(submission, error, convert_form=form)
    flash(_("Claim #%(id)s was captured from the reader's suggestion.", id=claim.id), "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/desk/submissions/<id:submission_id>/answer", methods=["POST"])
@requires(Permission.EDIT_VERDICTS)
def answer(submission_id: int) -> ResponseReturnValue:
    submission = _submission_or_404(submission_id)
    form = AnswerForm()
    if _invalid(form):
        return _render_show(submission, answer_form=form, status=422)
    try:
        operations.answer(db.session(), current_actor(), submission, form.response.data or "")
    except SubmissionError as error:
        return _refused(submission, error, answer_form=form)
    return _done(submission, _("The answer was recorded and the submission closed as answered."))


@bp.route("/desk/submissions/<id:submission_id>/close", methods=["POST"])
@requires(Permission.EDIT_VERDICTS)
def close(submission_id: int) -> ResponseReturnValue:
    submission = _submission_or_404(submission_id)
    form = CloseForm()
    if _invalid(form):
        return _render_show(submission, close_form=form, status=422)
    try:
        operations.close(db.session(), current_actor(), submission, form.response.data)
    except SubmissionError as error:
        return _refused(submission, error, close_form=form)
    return _done(submission, _("The submission was closed without an answer."))
