"""Registering webhook endpoints, and the admins' test ping (Permission.ADMINISTER).

Each function changes the session and flushes; the request commits. The
endpoint's changes are in the audit history; its secret is not (models.py).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from factcheck.security.permissions import Permission, require
from factcheck.web import outgoing
from factcheck.webhooks import signing
from factcheck.webhooks.events import deliver_to
from factcheck.webhooks.models import (
    PING_EVENT,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookSecret,
)

MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 200


class WebhookError(ValueError):
    """An endpoint the rules refuse; ``field`` names the form field the message is for."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class EndpointValues:
    url: str
    events: list[str]
    description: str | None = None
    is_active: bool = True


def check_values(values: EndpointValues, *, allow_private: bool) -> EndpointValues:
    url = (values.url or "").strip()
    if not url:
        raise WebhookError(_("Give the address that receives the deliveries."), "url")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookError(
            ngettext(
                "The address is longer than %(num)d character.",
                "The address is longer than %(num)d characters.",
                MAX_URL_LENGTH,
            ),
            "url",
        )
    try:
        _scheme, host = outgoing.check_url(url)
    except outgoing.OutgoingError as exc:
        raise WebhookError(_("The address is refused: %(reason)s.", reason=exc), "url") from None
    if not allow_private:
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None and not outgoing.is_public_address(str(literal)):
            raise WebhookError(
                _("The address is private or local; deliveries go to public addresses only."), "url"
            )
    known = {event.value for event in WebhookEvent}
    events = [event for event in dict.fromkeys(values.events or []) if event in known]
    if not events or len(events) != len(set(values.events or [])):
        raise WebhookError(_("Choose at least one event from the list."), "events")
    description = (values.description or "").strip() or None
    if description is not None and len(description) > MAX_DESCRIPTION_LENGTH:
        raise WebhookError(
            ngettext(
                "The description is longer than %(num)d character.",
                "The description is longer than %(num)d characters.",
                MAX_DESCRIPTION_LENGTH,
            ),
            "description",
        )
    return EndpointValues(url=url, events=events, description=description, is_active=values.is_active)


def _secret(given: str | None) -> str:
    given = (given or "").strip()
    if not given:
        return signing.generate_secret()
    try:
        signing.key_of(given)
    except signing.SecretError as exc:
        raise WebhookError(_("The secret is refused: %(reason)s.", reason=exc), "secret") from None
    return given


def create_endpoint(
    session: Session,
    actor: Any,
    values: EndpointValues,
    *,
    secret: str | None = None,
    allow_private: bool = False,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret (given, or generated), to be shown once."""
    require(actor, Permission.ADMINISTER)
    values = check_values(values, allow_private=allow_private)
    secret = _secret(secret)
    endpoint = WebhookEndpoint(
        url=values.url,
        events=values.events,
        description=values.description,
        is_active=values.is_active,
        secret_hint=signing.hint(secret),
        created_by_id=getattr(actor, "id", None),
    )
    endpoint.secret = WebhookSecret(secret=secret)
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def update_endpoint(
    session: Session,
    actor: Any,
    endpoint: WebhookEndpoint,
    values: EndpointValues,
    *,
    allow_private: bool = False,
) -> None:
    require(actor, Permission.ADMINISTER)
    values = check_values(values, allow_private=allow_private)
    endpoint.url = values.url
    endpoint.events = values.events
    endpoint.description = values.description
    endpoint.is_active = values.is_active
    session.flush()


def rotate_secret(session: Session, actor: Any, endpoint: WebhookEndpoint) -> str:
    """A new generated secret (the old one stops at once); returned to be shown once."""
    require(actor, Permission.ADMINISTER)
    secret = signing.generate_secret()
    endpoint.secret.secret = secret
    endpoint.secret_hint = signing.hint(secret)
    session.flush()
    return secret


def delete_endpoint(session: Session, actor: Any, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint, its secret and its deliveries (their jobs find nothing and end)."""
    require(actor, Permission.ADMINISTER)
    session.delete(endpoint)
    session.flush()


def ping(session: Session, actor: Any, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test delivery, sent by the worker like any other (active or not, whatever its events)."""
    require(actor, Permission.ADMINISTER)
    return deliver_to(session, endpoint, PING_EVENT, {"endpoint_id": endpoint.id, "message": "ping"})
