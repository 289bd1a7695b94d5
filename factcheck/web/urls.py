"""URL helpers shared by views: safe redirects after login."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import ValidationError


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
    flash(_("Please sign in to see this page."), "info")
    return redirect(url_for("accounts.login", next=target) if target else url_for("accounts.login"))


WEB_SCHEMES = frozenset({"http", "https"})
MAX_URL_LENGTH = 2000


class UrlProblem(ValueError):
    """A web address people typed that the app will not store or link; the message says why."""


def clean_http_url(url: str | None, max_length: int = MAX_URL_LENGTH) -> str | None:
    """The web address as stored, or None when empty.

    Raises UrlProblem unless it is an absolute http(s) address with a host and no
    spaces or control characters: ``javascript:``, ``data:`` and the like never get in.
    """
    url = (url or "").strip()
    if not url:
        return None
    if len(url) > max_length:
        raise UrlProblem(f"The web address is longer than {max_length} characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise UrlProblem("A web address cannot contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise UrlProblem("This is not a valid web address.") from None
    if parts.scheme.lower() not in WEB_SCHEMES:
        raise UrlProblem("Only web addresses starting with http:// or https:// are accepted.")
    if not host:
        raise UrlProblem("The web address has no host name (e.g. https://example.org/page).")
    return url


def http_url(_form: Any, field: Any) -> None:
    """WTForms validator: a web address starting with http:// or https://."""
    try:
        clean_http_url(field.data)
    except UrlProblem as problem:
        raise ValidationError(str(problem)) from None
