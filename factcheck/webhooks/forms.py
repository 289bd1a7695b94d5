"""The admins' webhook endpoint form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, StringField, URLField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from factcheck.web.forms import Form, choices
from factcheck.webhooks.models import WEBHOOK_EVENT_LABELS, WebhookEvent

EVENT_CHOICES = choices((event.value, WEBHOOK_EVENT_LABELS[event.value]) for event in WebhookEvent)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(Form):
    url = URLField(_l("Address (URL)"), validators=[DataRequired(), Length(max=2000)])
    description = StringField(_l("Description"), validators=[Length(max=200)])
    events = CheckboxesField(_l("Events"), choices=EVENT_CHOICES)
    is_active = BooleanField(_l("Active (deliveries are sent)"), default=True)


class NewEndpointForm(EndpointForm):
    secret = StringField(_l("Secret"), validators=[Length(max=200)])
