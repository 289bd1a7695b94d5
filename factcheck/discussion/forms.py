from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from factcheck.discussion.operations import MAX_BODY
from factcheck.web.forms import Form


class CommentForm(Form):
    body = TextAreaField(
        _l("Comment"), validators=[DataRequired(_l("Write something first.")), Length(max=MAX_BODY)]
    )


class RemoveCommentForm(Form):
    """The confirmation of a removal (CSRF token only)."""
