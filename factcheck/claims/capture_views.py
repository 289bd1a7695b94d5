"""Capturing claims: from a passage of a document, from a web address, and adding appearances.

While a claim is being captured, similar claims already on the desk are shown,
each with a button that attaches the new appearance to that claim instead.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from factcheck import db
from factcheck.claims import capturing
from factcheck.claims.blueprint import bp
from factcheck.claims.capture_forms import (
    AddQuoteForm,
    AddUrlForm,
    AppearanceForm,
    CaptureFromDocumentForm,
    CaptureWithUrlForm,
)
from factcheck.claims.capturing import CaptureError
from factcheck.claims.models import Claim
from factcheck.claims.similar import DEFAULT_THRESHOLD, Suggestion, similar_claims
from factcheck.documents.models import Document
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import get_or_404

# Documents offered in the "add an appearance" list, newest first.
DOCUMENT_CHOICES = 200


def _document_or_404(document_id: int) -> Document:
    document = db.session().get(Document, document_id)
    if document is None:
        abort(404)
    return document


def _suggestions(wording: str, *, exclude: tuple[int, ...] = ()) -> list[Suggestion]:
    threshold = current_app.config.get("SIMILAR_CLAIMS_THRESHOLD", DEFAULT_THRESHOLD)
    return similar_claims(db.session(), wording, threshold=threshold, exclude=exclude)


def _show_error(form: AppearanceForm, error: CaptureError) -> None:
    if error.field not in form:
        flash(str(error), "error")
        return
    field = form[error.field]
    field.errors = [*field.errors, str(error)]


def _render_capture(form: Any, document: Document | None, *, checked: bool = False) -> ResponseReturnValue:
    return render_template(
        "claims/capture.html",
        form=form,
        document=document,
        suggestions=_suggestions(form.wording()),
        checked=checked,
    ), form_status(form)


def _captured(claim: Claim) -> Response:
    flash(_("Claim #%(id)s was captured.", id=claim.id), "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/capture/document/<id:document_id>", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def capture_from_document(document_id: int) -> ResponseReturnValue:
    """Capture a claim from a passage of a document: selected in its page (the
    selectors arrive in the query string) or pasted into the quote field."""
    document = _document_or_404(document_id)
    if request.method == "GET":
        form = CaptureFromDocumentForm(formdata=request.args)
        form.text.data = form.text.data or form.quote_exact.data
        form.claimed_on.data = form.claimed_on.data or document.published_on
    else:
        form = CaptureFromDocumentForm()
    form.document_id.data = str(document.id)
    if request.method == "POST" and "check_similar" not in request.form and form.validate():
        try:
            claim = capturing.capture_claim(
                db.session(), current_user, form.claim_values(), form.appearance(document)
            )
        except CaptureError as error:
            _show_error(form, error)
        else:
            return _captured(claim)
    return _render_capture(form, document, checked="check_similar" in request.form)


@bp.route("/capture", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def capture() -> ResponseReturnValue:
    """Capture a claim that appeared outside the desk's documents (a post, a broadcast)."""
    form = CaptureWithUrlForm(formdata=request.args) if request.method == "GET" else CaptureWithUrlForm()
    if request.method == "POST" and "check_similar" not in request.form and form.validate():
        try:
            claim = capturing.capture_claim(
                db.session(), current_user, form.claim_values(), form.appearance()
            )
        except CaptureError as error:
            _show_error(form, error)
        else:
            return _captured(claim)
    return _render_capture(form, None, checked="check_similar" in request.form)


@bp.route("/<id:claim_id>/appearances/attach", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def attach_appearance(claim_id: int) -> ResponseReturnValue:
    """From the capture form: add the appearance being captured to this existing claim instead."""
    claim = get_or_404(Claim, claim_id)
    document_id = request.form.get("document_id", type=int)
    document = _document_or_404(document_id) if document_id is not None else None
    form: CaptureFromDocumentForm | CaptureWithUrlForm
    if document is not None:
        form = CaptureFromDocumentForm()
        appearance = form.appearance(document) if form.validate_appearance() else None
    else:
        form = CaptureWithUrlForm()
        appearance = form.appearance() if form.validate_appearance() else None
    if appearance is not None:
        try:
            capturing.add_appearance(db.session(), current_user, claim, appearance)
        except CaptureError as error:
            _show_error(form, error)
        else:
            flash(_("The appearance was added to claim #%(id)s.", id=claim.id), "success")
            return redirect(url_for("claims.show", claim_id=claim.id))
    return render_template(
        "claims/capture.html",
        form=form,
        document=document,
        suggestions=_suggestions(form.wording()),
        checked=False,
    ), 422


@bp.route("/<id:claim_id>/appearances/new", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def add_appearance(claim_id: int) -> ResponseReturnValue:
    """Record one more place the claim appeared: a quote from a document, or a web address."""
    claim = get_or_404(Claim, claim_id)
    quote_form = AddQuoteForm(prefix="document-")
    url_form = AddUrlForm(prefix="web-")
    submitted: AddQuoteForm | AddUrlForm | None = None
    if request.method == "GET":
        quote_form.document.data = request.args.get("document_id", type=int)
    quote_form.document.choices = _document_choices(quote_form.document.data)
    if request.method == "POST":
        submitted = quote_form if request.form.get("document-kind") == "document" else url_form
        if submitted.validate():
            try:
                if submitted is quote_form:
                    document = _document_or_404(quote_form.document.data)
                    values = quote_form.appearance(document)
                else:
                    values = url_form.appearance()
                capturing.add_appearance(db.session(), current_user, claim, values)
            except CaptureError as error:
                _show_error(submitted, error)
            else:
                flash(_("The appearance was added."), "success")
                return redirect(url_for("claims.show", claim_id=claim.id))
    # Only the submitted form shows what was sent back.
    if submitted is url_form:
        quote_form = AddQuoteForm(prefix="document-", formdata=None)
        quote_form.document.choices = _document_choices(None)
    elif submitted is quote_form:
        url_form = AddUrlForm(prefix="web-", formdata=None)
    status = form_status(submitted) if submitted is not None else 200
    return render_template(
        "claims/capture_appearance.html", claim=claim, quote_form=quote_form, url_form=url_form
    ), status


def _document_choices(selected: int | None) -> list[tuple[int, str]]:
    """The newest documents not archived (ids and titles, not texts), and the selected one wherever it is."""
    rows = list(
        db.session().execute(
            select(Document.id, Document.title)
            .where(Document.archived_at.is_(None))
            .order_by(Document.id.desc())
            .limit(DOCUMENT_CHOICES)
        )
    )
    if selected is not None and all(row.id != selected for row in rows):
        rows[:0] = db.session().execute(select(Document.id, Document.title).where(Document.id == selected))
    return [(row.id, f"#{row.id} {row.title}") for row in rows]
