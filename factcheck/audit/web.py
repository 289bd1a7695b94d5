"""Attributing web requests' writes to the signed-in user."""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user
from sqlalchemy.orm import Session

from factcheck.audit.changesets import Actor, set_actor_resolver
from factcheck.db import get_database


def request_actor() -> Actor | None:
    if not current_user.is_authenticated:
        return None
    token = g.get("api_token")
    if token is not None:
        # An API request (factcheck/api/core.py): the token's user, and the token by its prefix.
        return Actor(
            name=f"{current_user.name} (API token {token.prefix})",
            user_id=current_user.id,
            role=str(current_user.role),
            origin="api",
            request_id=g.get("request_id"),
            client_request_id=g.get("client_request_id"),
        )
    return Actor.for_user(
        current_user,
        origin="web",
        request_id=g.get("request_id"),
        client_request_id=g.get("client_request_id"),
    )


def anonymous_actor() -> Actor:
    """A visitor who is not signed in (a failed sign-in is written on their behalf)."""
    return Actor(
        name="Anonymous visitor",
        origin="web",
        request_id=g.get("request_id"),
        client_request_id=g.get("client_request_id"),
    )


def _attach(session: Session) -> None:
    set_actor_resolver(session, request_actor)


def init_app(app: Flask) -> None:
    get_database(app).request_session_hooks.append(_attach)
