"""The team's discussion of a claim: comments in Markdown.

Anyone on the desk may comment; authors edit and remove their own comments,
editors and admins anyone's. Removing keeps the comment's place in the thread
("comment removed"): the row stays, marked with ``deleted_at``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.db import utcnow
from factcheck.discussion.models import Comment
from factcheck.security.permissions import Permission, PermissionDenied, can_edit_contribution, require

MAX_BODY = 20000


class CommentError(ValueError):
    """A comment change the rules refuse, with a message for the person."""


def _clean_body(body: str | None) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentError(_("Write something first."))
    if len(body) > MAX_BODY:
        raise CommentError(
            ngettext(
                "A comment can be at most %(num)d character long.",
                "A comment can be at most %(num)d characters long.",
                MAX_BODY,
            )
        )
    return body


def require_can_edit(actor: Any, comment: Comment) -> None:
    """Raise PermissionDenied unless the actor wrote the comment or may edit anyone's."""
    if not can_edit_contribution(actor, comment.author_id):
        raise PermissionDenied(
            Permission.EDIT_ANY_CONTRIBUTION,
            _("Only the author of this comment, or an editor, may change it."),
        )


def add_comment(db: Session, actor: Any, claim: Claim, body: str) -> Comment:
    require(actor, Permission.CONTRIBUTE)
    comment = Comment(claim=claim, author_id=actor.id, body=_clean_body(body))
    db.add(comment)
    db.flush()
    return comment


def edit_comment(db: Session, actor: Any, comment: Comment, body: str) -> Comment:
    """Change the text of a comment; a removed comment cannot be edited."""
    require_can_edit(actor, comment)
    if comment.deleted_at is not None:
        raise CommentError(_("This comment was removed."))
    comment.body = _clean_body(body)
    db.flush()
    return comment


def remove_comment(db: Session, actor: Any, comment: Comment) -> None:
    """Mark the comment removed; removing it twice changes nothing."""
    require_can_edit(actor, comment)
    if comment.deleted_at is None:
        comment.deleted_at = utcnow()
        db.flush()
