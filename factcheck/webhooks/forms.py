"""The admins' webhook endpoint form."""

from __future__ import annotations

from wtforms import BooleanField, SelectMultipleField, StringField, URLField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from factcheck.web.forms import Form, choices
from factcheck.webhooks.models import WebhookEvent

EVENT_CHOICES = choices((event.value, event.label) for event in WebhookEvent)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(Form):
    url = URLField("Address (URL)", validators=[DataRequired(), Length(max=2000)])
    description = StringField("Description", validators=[Length(max=200)])
    events = CheckboxesField("Events", choices=EVENT_CHOICES)
    is_active = BooleanField("Active (deliveries are sent)", default=True)


class NewEndpointForm(EndpointForm):
    secret = StringField("Secret", validators=[Length(max=200)])
