"""The team's discussion of a claim: add, edit and remove comments."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.discussion import operations
from factcheck.discussion.forms import CommentForm, RemoveCommentForm
from factcheck.discussion.models import Comment
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("discussion", __name__, url_prefix="/claims")


def _comment_or_404(claim: Claim, comment_id: int) -> Comment:
    """A comment of the claim that is still there (removed ones cannot be changed)."""
    comment = db.session().get(Comment, comment_id)
    if comment is None or comment.claim_id != claim.id or comment.deleted_at is not None:
        abort(404)
    return comment


def _to_thread(claim: Claim, comment: Comment | None = None) -> ResponseReturnValue:
    anchor = f"comment-{comment.id}" if comment is not None else "discussion-heading"
    return redirect(url_for("claims.show", claim_id=claim.id, _anchor=anchor))


@bp.route("/<id:claim_id>/comments/new", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def add(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = operations.add_comment(db.session(), current_actor(), claim, form.body.data or "")
        except operations.CommentError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            flash(_("Your comment is posted."), "success")
            return _to_thread(claim, comment)
    return render_template("discussion/form.html", form=form, claim=claim, comment=None), form_status(form)


@bp.route("/<id:claim_id>/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def edit(claim_id: int, comment_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    comment = _comment_or_404(claim, comment_id)
    operations.require_can_edit(current_user, comment)
    # The saved text fills the form on GET; on POST only what was sent counts.
    form = CommentForm(obj=comment if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.edit_comment(db.session(), current_actor(), comment, form.body.data or "")
        except operations.CommentError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            flash(_("The comment is saved."), "success")
            return _to_thread(claim, comment)
    return render_template("discussion/form.html", form=form, claim=claim, comment=comment), form_status(form)


@bp.route("/<id:claim_id>/comments/<id:comment_id>/remove", methods=["GET", "POST"])
@requires(Permission.CONTRIBUTE)
def remove(claim_id: int, comment_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    comment = _comment_or_404(claim, comment_id)
    operations.require_can_edit(current_user, comment)
    form = RemoveCommentForm()
    if form.validate_on_submit():
        operations.remove_comment(db.session(), current_actor(), comment)
        flash(_("The comment is removed."), "success")
        return _to_thread(claim, comment)
    return render_template("discussion/remove.html", form=form, claim=claim, comment=comment), form_status(
        form
    )
