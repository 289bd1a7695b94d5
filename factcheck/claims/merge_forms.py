"""The forms of merging a duplicate claim and undoing a merge."""

from __future__ import annotations

from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import HiddenInput

from factcheck.claims.workflow import MAX_COMMENT_LENGTH
from factcheck.web.forms import Form


class MergeForm(Form):
    into = IntegerField(widget=HiddenInput(), validators=[DataRequired("Choose the claim that survives.")])
    reason = TextAreaField(
        "Why are these claims duplicates?",
        validators=[DataRequired("Say why these claims are duplicates."), Length(max=MAX_COMMENT_LENGTH)],
    )


class UndoMergeForm(Form):
    reason = TextAreaField(
        "Why undo the merge?",
        validators=[DataRequired("Say why the merge is undone."), Length(max=MAX_COMMENT_LENGTH)],
    )
