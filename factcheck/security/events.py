"""Writing the security log.

Events about a change (a role changed, a user disabled, a sign-in) are added
to the same transaction as the change. Events about something refused (a
failed sign-in, a permission denial) must survive the request's rollback, so
they are queued and written in a transaction of their own once the request's
session is closed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from factcheck.audit.changesets import get_actor, set_actor
from factcheck.audit.web import anonymous_actor, request_actor
from factcheck.db import get_database
from factcheck.security.models import SecurityEvent, SecurityEventKind

_QUEUE = "security_events_queue"
_QUEUE_ACTOR = "security_events_queue_actor"


def _clean(text: str | None, limit: int) -> str | None:
    """Typed input as it may be stored: no NUL characters (PostgreSQL refuses them), bounded."""
    return text.replace("\x00", "")[:limit] if text else None


def _request_details() -> dict[str, Any]:
    if not has_request_context():
        return {}
    return {
        "ip_address": request.remote_addr,
        "user_agent": _clean(request.user_agent.string, 255),
        "request_id": g.get("request_id"),
        "path": _clean(request.path, 500),
    }


def record(
    db: Session,
    kind: SecurityEventKind,
    *,
    subject_user_id: int | None = None,
    email: str | None = None,
    actor_id: int | None = None,
    **detail: Any,
) -> SecurityEvent:
    """Add an event to the current transaction; the actor defaults to the session's audit actor."""
    if actor_id is None:
        actor = get_actor(db)
        actor_id = actor.user_id if actor else None
        if actor and actor.user_id is None:
            detail.setdefault("by", actor.name)
    event = SecurityEvent(
        kind=kind,
        actor_id=actor_id,
        subject_user_id=subject_user_id,
        email=email,
        detail=detail,
        **_request_details(),
    )
    db.add(event)
    return event


def record_after_request(kind: SecurityEventKind, *, email: str | None = None, **detail: Any) -> None:
    """Queue an event to be written even if the request's transaction rolls back."""
    actor_id = current_user.id if current_user and current_user.is_authenticated else None
    # Who the audit history names for it, taken now: at teardown the user may be detached.
    g.setdefault(_QUEUE_ACTOR, request_actor() or anonymous_actor())
    g.setdefault(_QUEUE, []).append(
        {
            "kind": kind,
            "actor_id": actor_id,
            "email": _clean(email, 254),
            "detail": detail,
            **_request_details(),
        }
    )


def _write_queue(_exc: BaseException | None) -> None:
    queued = g.pop(_QUEUE, None)
    if not queued:
        return
    db = get_database(current_app).write_sessions()
    # The events enter the audit history like any write: by the signed-in user, or for an
    # anonymous request (a failed sign-in) by the visitor.
    set_actor(db, g.pop(_QUEUE_ACTOR, None) or anonymous_actor())
    try:
        db.add_all(SecurityEvent(**values) for values in queued)
        db.commit()
    except Exception:
        db.rollback()
        current_app.logger.exception("could not write %d security events", len(queued))
    finally:
        db.close()


def init_app(app: Flask) -> None:
    app.teardown_request(_write_queue)
