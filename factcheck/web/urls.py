"""URL helpers shared by views: safe redirects after login."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site is a safe place to go after login.

    Refuses absolute URLs, scheme-relative ``//evil.example`` and the
    backslash forms browsers normalise into them.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def login_redirect() -> Response:
    """Send an anonymous visitor to the login page, remembering where they were going."""
    target = request.full_path if request.query_string else request.path
    if request.method != "GET":
        target = None
    flash("Please sign in to see this page.", "info")
    return redirect(url_for("accounts.login", next=target) if target else url_for("accounts.login"))
