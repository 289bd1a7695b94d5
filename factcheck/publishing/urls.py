"""Absolute public addresses, the same in a page, a feed, an export and the CLI.

``PUBLIC_URL`` (config) fixes the site's address, so canonical links do not
depend on the Host header a request arrived with; without it the request's
own address is used, and outside a request ``http://localhost:5000``.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from flask import current_app, has_request_context, request, url_for

FALLBACK_BASE = "http://localhost:5000"


def public_base() -> str:
    configured = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.host_url.rstrip("/")
    return FALLBACK_BASE


def absolute_url(endpoint: str, **values: Any) -> str:
    """``url_for`` made absolute against :func:`public_base`."""
    # Outside a request (CLI exports) url_for needs one to know the app's routes and script root.
    context = nullcontext() if has_request_context() else current_app.test_request_context()
    with context:
        path = url_for(endpoint, **values)
    return public_base() + path


def check_url(slug: str) -> str:
    """The canonical address of a verdict page."""
    return absolute_url("public.check", slug=slug)
