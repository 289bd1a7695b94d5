from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from factcheck.discussion.operations import MAX_BODY
from factcheck.web.forms import Form


class CommentForm(Form):
    body = TextAreaField("Comment", validators=[DataRequired("Write something first."), Length(max=MAX_BODY)])


class RemoveCommentForm(Form):
    """The confirmation of a removal (CSRF token only)."""
