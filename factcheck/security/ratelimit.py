"""Rate limiting (Flask-Limiter). Counters live in RATELIMIT_STORAGE_URI:
memory for one process, Redis when several workers or hosts must share them."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def submitted_email() -> str:
    """Key for per-account throttles: the email typed into the form."""
    return "account:" + (request.form.get("email") or "").strip().lower()


def submitted_email_and_address() -> str:
    """Key for the per-account, per-address throttle: failures from one place against one account."""
    return f"{submitted_email()}|{get_remote_address()}"


def init_app(app: Flask) -> None:
    limiter.init_app(app)
