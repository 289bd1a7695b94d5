"""The bulk action form under the claim list: the chosen claims, the action and what it needs."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from factcheck.claims.bulk import MAX_CLAIMS, BulkAction
from factcheck.claims.editing import MAX_TAG_LENGTH
from factcheck.claims.models import ClaimState
from factcheck.claims.workflow import MAX_COMMENT_LENGTH
from factcheck.web.forms import Form, choices

# The states a bulk move may go to (publishing has its own page, dismissing its own action).
MOVE_TARGETS = [state for state in ClaimState if state not in (ClaimState.PUBLISHED, ClaimState.DISMISSED)]


class _Ids(SelectMultipleField):
    """Claim ids as sent by the checkboxes; any id is accepted here, the operation reports unknown ones."""

    def pre_validate(self, form: Any) -> None:
        pass


class BulkForm(Form):
    claim_ids = _Ids(_l("Claims"), coerce=int, validators=[Optional()])
    # Every claim listed on the page, and whether the person ticked "all claims on this page":
    # select-all works without JavaScript.
    page_ids = _Ids(coerce=int, validators=[Optional()])
    all_on_page = BooleanField(_l("All claims on this page"))
    action = SelectField(
        _l("Action"),
        choices=choices([(action.value, action.lazy_label) for action in BulkAction]),
        validators=[DataRequired(_l("Choose an action."))],
    )
    user_id = IntegerField(_l("Person"), validators=[Optional()])
    tag = StringField(_l("Tag"), validators=[Optional(), Length(max=MAX_TAG_LENGTH)])
    to_state = SelectField(
        _l("State"),
        choices=choices(
            [("", _l("Choose a state")), *((state.value, state.lazy_label) for state in MOVE_TARGETS)]
        ),
        default="",
        validators=[Optional()],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=MAX_COMMENT_LENGTH)],
    )

    def chosen_ids(self) -> list[int]:
        """The claims chosen: every claim of the page when "all" is ticked, else the ticked ones."""
        ids = self.page_ids.data if self.all_on_page.data else self.claim_ids.data
        return list(dict.fromkeys(ids or []))[: MAX_CLAIMS + 1]
