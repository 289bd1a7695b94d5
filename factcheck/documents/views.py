"""Documents: adding them and reading them with their claims highlighted."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from factcheck import db
from factcheck.claims.models import Appearance
from factcheck.documents import editing, fetching, operations, pdf
from factcheck.documents.extract import (
    DEFAULT_MAX_HTML_BYTES,
    UnreadableUpload,
    extension_of,
    looks_like_html,
    read_pasted_html,
    read_upload,
)
from factcheck.documents.forms import DocumentEditForm, DocumentForm
from factcheck.documents.highlights import render_text
from factcheck.documents.models import Document, FetchState
from factcheck.documents.operations import DocumentError, DocumentValues
from factcheck.security.permissions import Permission, can, requires
from factcheck.web.errors import render_error
from factcheck.web.forms import form_status

bp = Blueprint("documents", __name__, url_prefix="/documents")

PAGE_SIZE = 50


def _max_bytes() -> int:
    return int(current_app.config.get("MAX_DOCUMENT_BYTES", operations.DEFAULT_MAX_BYTES))


def _document_or_404(document_id: int, *options: Any) -> Document:
    document = db.session().get(Document, document_id, options=list(options))
    if document is None:
        abort(404)
    return document


@bp.route("/")
@requires(Permission.READ_DESK)
def index() -> ResponseReturnValue:
    before = request.args.get("before", type=int)
    # The list never shows the texts, which may be megabytes each.
    archived = request.args.get("archived") == "1"
    query = (
        select(Document)
        .options(defer(Document.text))
        .where(Document.archived_at.is_not(None) if archived else Document.archived_at.is_(None))
    )
    if before is not None:
        query = query.where(Document.id < before)
    documents = db.session().scalars(query.order_by(Document.id.desc()).limit(PAGE_SIZE + 1)).all()
    more = len(documents) > PAGE_SIZE
    documents = documents[:PAGE_SIZE]
    claim_counts: dict[int, int] = {}
    if documents:
        rows = db.session().execute(
            select(Appearance.document_id, func.count(func.distinct(Appearance.claim_id)))
            .where(Appearance.document_id.in_([d.id for d in documents]))
            .group_by(Appearance.document_id)
        )
        claim_counts = {document_id: count for document_id, count in rows}
    return render_template(
        "documents/index.html",
        documents=documents,
        claim_counts=claim_counts,
        next_before=documents[-1].id if more and documents else None,
        first_page=before is None,
        archived=archived,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def new() -> ResponseReturnValue:
    form = DocumentForm()
    duplicates: list[Document] = []
    if form.validate_on_submit():
        try:
            if form.fetch_url.data:
                return _fetch(form)
            values = _values(form)
            duplicates = [] if form.add_anyway.data else operations.same_text(db.session(), values.text)
            if duplicates:
                form.text.errors = [*form.text.errors, _("This text is already on the desk (see below).")]
            else:
                document = operations.add_document(db.session(), current_user, values, max_bytes=_max_bytes())
                flash(_("The document was added."), "success")
                return redirect(url_for("documents.show", document_id=document.id))
        except (DocumentError, UnreadableUpload) as error:
            field = error.field if isinstance(error, DocumentError) else "upload"
            form[field].errors = [*form[field].errors, str(error)]
    return _render_new(form, duplicates)


def _fetch(form: DocumentForm) -> ResponseReturnValue:
    """Store the document to be fetched by the worker, and show its page (which says so)."""
    if form.text.data or form.uploaded() is not None:
        raise DocumentError("fetch_url", _("Paste the text, upload a file or give an address: one of them."))
    try:
        document = fetching.request_fetch(
            db.session(),
            current_user,
            form.fetch_url.data,
            title=form.title.data,
            language=form.language.data,
        )
    except DocumentError as error:
        # The address given here is the one to fetch, not the "where published" field.
        raise DocumentError("fetch_url" if error.field == "url" else error.field, str(error)) from None
    flash(_("The page is being fetched; its text appears here once read."), "info")
    return redirect(url_for("documents.show", document_id=document.id))


def _render_new(
    form: DocumentForm, duplicates: list[Document], status: int | None = None
) -> ResponseReturnValue:
    return render_template(
        "documents/new.html", form=form, duplicates=duplicates, max_bytes=_max_bytes()
    ), status or form_status(form)


def _values(form: DocumentForm) -> DocumentValues:
    """What the form holds, with an uploaded file read into the text (and the fields it fills).

    The text read from a file is put in the form's text field, so a form shown
    again (say, to confirm a duplicate) does not need the file a second time.
    Raises UnreadableUpload or DocumentError.
    """
    upload = form.uploaded()
    max_html_bytes = int(current_app.config.get("MAX_HTML_UPLOAD_BYTES", DEFAULT_MAX_HTML_BYTES))
    original: dict[str, Any] = {}
    if upload is not None:
        if form.text.data:
            raise DocumentError("text", _("Paste the text or upload a file, not both."))
        filename = upload.filename or ""
        if extension_of(filename) == ".pdf":
            # A PDF is bounded by the request's size only (MAX_CONTENT_LENGTH): its text, by the document's.
            data = upload.stream.read()
            read = pdf.read_pdf(data)
            form.text.data = read.text
            _fill(form, {"title": read.title or "", "author": read.author or ""})
            original = {
                "page_starts": read.page_starts,
                "file_name": filename,
                "file_type": pdf.MEDIA_TYPE,
                "file_content": data,
            }
        else:
            data = upload.stream.read(_max_bytes() + 1)
            if len(data) > _max_bytes():
                raise UnreadableUpload(
                    _(
                        "The file is too large: the most is %(max)s.",
                        max=operations.readable_size(_max_bytes()),
                    )
                )
            extracted = read_upload(filename, data, max_html_bytes=max_html_bytes)
            form.text.data = extracted.text
            _fill(form, extracted.metadata)
    elif form.text.data and looks_like_html(form.text.data):
        # Pasted page source: read like an uploaded .html file (its text, not its tags).
        extracted = read_pasted_html(form.text.data, max_html_bytes=max_html_bytes)
        form.text.data = extracted.text
        _fill(form, extracted.metadata)
    return DocumentValues(
        title=form.title.data,
        text=form.text.data or "",
        url=form.url.data,
        outlet=form.outlet.data,
        author=form.author.data,
        published_on=form.published_on.data,
        language=form.language.data,
        **original,
    )


def _fill(form: DocumentForm, metadata: dict[str, Any]) -> None:
    """Fill the fields the person left empty with what the file says about itself."""
    for name, value in metadata.items():
        if value and not form[name].data:
            if name == "url" and not _valid_url(str(value)):
                continue
            form[name].data = value


def _valid_url(url: str) -> bool:
    try:
        operations.clean_url(url)
    except DocumentError:
        return False
    return True


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A request over MAX_CONTENT_LENGTH is refused before it is read: say so next to the file field."""
    if request.endpoint != "documents.new" or not can(current_user, Permission.CONTRIBUTE):
        return render_error(413)
    form = DocumentForm(formdata=None)
    form.upload.errors = [
        _(
            "The file or text sent is too large: a document holds at most %(max)s.",
            max=operations.readable_size(_max_bytes()),
        )
    ]
    return _render_new(form, [], 413)


@bp.route("/<id:document_id>")
@requires(Permission.READ_DESK)
def show(document_id: int) -> ResponseReturnValue:
    document = _document_or_404(
        document_id, selectinload(Document.appearances).selectinload(Appearance.claim)
    )
    anchors = operations.place_appearances(document)
    claim_urls = {a.claim_id: url_for("claims.show", claim_id=a.claim_id) for a in document.appearances}
    placed = sorted(anchors.placed, key=lambda p: (p.start, p.end))
    same = (
        []
        if document.fetch_state in (FetchState.FETCHING, FetchState.FAILED)
        else db.session()
        .scalars(
            select(Document)
            .where(Document.text_sha256 == document.text_sha256, Document.id != document.id)
            .order_by(Document.id)
        )
        .all()
    )
    return render_template(
        "documents/show.html",
        document=document,
        text_html=render_text(document.text, placed, claim_urls, document.page_starts),
        placed=placed,
        orphaned=anchors.orphaned,
        stale=anchors.stale,
        same_text=same,
    )


@bp.route("/<id:document_id>/reanchor", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def reanchor(document_id: int) -> ResponseReturnValue:
    """Store where the quotes are in the text now; flag the ones no longer found."""
    document = _document_or_404(document_id, selectinload(Document.appearances))
    anchors = operations.reanchor_document(db.session(), current_user, document)
    if anchors.orphaned:
        count = len(anchors.orphaned)
        flash(
            ngettext(
                "%(num)d quote is no longer found and flagged.",
                "%(num)d quotes are no longer found and flagged.",
                count,
            ),
            "info",
        )
    else:
        flash(_("Every quote is anchored in the text."), "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.route("/<id:document_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def edit(document_id: int) -> ResponseReturnValue:
    """Correct the document's details or text; a changed text re-anchors its quotes."""
    document = _document_or_404(document_id, selectinload(Document.appearances))
    form = DocumentEditForm(obj=document)
    if form.validate_on_submit():
        values = DocumentValues(
            title=form.title.data,
            text=form.text.data or "",
            url=form.url.data,
            outlet=form.outlet.data,
            author=form.author.data,
            published_on=form.published_on.data,
            language=form.language.data,
        )
        try:
            correction = editing.correct_document(
                db.session(), current_user, document, values, max_bytes=_max_bytes()
            )
        except DocumentError as error:
            form[error.field].errors = [*form[error.field].errors, str(error)]
        else:
            flash(_correction_message(correction), "success")
            return redirect(url_for("documents.show", document_id=document.id))
    return render_template("documents/edit.html", document=document, form=form), form_status(form)


def _correction_message(correction: editing.Correction) -> str:
    sentences = [_("The document was corrected.")]
    if correction.moved:
        sentences.append(
            ngettext(
                "%(num)d quoted passage moved in the text: check it on its claim.",
                "%(num)d quoted passages moved in the text: check them on their claims.",
                len(correction.moved),
            )
        )
    if correction.orphaned:
        sentences.append(
            ngettext(
                "%(num)d quoted passage is no longer in the text and is flagged.",
                "%(num)d quoted passages are no longer in the text and are flagged.",
                len(correction.orphaned),
            )
        )
    return " ".join(sentences)


@bp.route("/<id:document_id>/archive", methods=["POST"])
@requires(Permission.CONTRIBUTE)
def archive(document_id: int) -> ResponseReturnValue:
    document = _document_or_404(document_id)
    if request.form.get("restore"):
        editing.restore_document(db.session(), current_user, document)
        flash(_("The document is back in the list."), "success")
    else:
        editing.archive_document(db.session(), current_user, document)
        flash(
            _("The document was archived: it is hidden from the list and kept with its history."), "success"
        )
    return redirect(url_for("documents.show", document_id=document.id))


@bp.route("/<id:document_id>/remove", methods=["POST"])
@requires(Permission.EDIT_ANY_CONTRIBUTION)
def remove(document_id: int) -> ResponseReturnValue:
    document = _document_or_404(document_id, selectinload(Document.appearances))
    try:
        editing.remove_document(db.session(), current_user, document)
    except editing.DocumentInUse as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("documents.show", document_id=document.id))
    flash(_("The document was removed."), "success")
    return redirect(url_for("documents.index"))


@bp.route("/<id:document_id>/original")
@requires(Permission.READ_DESK)
def original(document_id: int) -> ResponseReturnValue:
    """The uploaded original (a PDF), for staff: sent as a download, never shown inline."""
    document = _document_or_404(document_id)
    if document.file is None:
        abort(404)
    response = Response(document.file.content, mimetype=document.file_type or "application/octet-stream")
    # Werkzeug encodes a name that is not ASCII (filename*=UTF-8''...).
    response.headers.set("Content-Disposition", "attachment", filename=document.file_name or "document.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
