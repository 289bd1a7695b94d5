"""The forms of merging a duplicate claim and undoing a merge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import HiddenInput

from factcheck.claims.workflow import MAX_COMMENT_LENGTH
from factcheck.web.forms import Form


class MergeForm(Form):
    into = IntegerField(
        widget=HiddenInput(), validators=[DataRequired(_l("Choose the claim that survives."))]
    )
    reason = TextAreaField(
        _l("Why are these claims duplicates?"),
        validators=[DataRequired(_l("Say why these claims are duplicates.")), Length(max=MAX_COMMENT_LENGTH)],
    )


class UndoMergeForm(Form):
    reason = TextAreaField(
        _l("Why undo the merge?"),
        validators=[DataRequired(_l("Say why the merge is undone.")), Length(max=MAX_COMMENT_LENGTH)],
    )
