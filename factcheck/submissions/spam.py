"""Keeping bots out of the public forms without bothering readers.

Two traps, neither visible to people:

- a honeypot: a text field hidden by the stylesheet (class ``trap``), which
  people never see or fill in and form-filling bots do;
- a signed timestamp of when the form was shown: a form sent back sooner than
  ``SUBMISSION_MIN_SECONDS`` after, or with a stamp that is missing or not ours,
  was not filled in by a person.

A caught bot gets the same thank-you page as a reader, and nothing is stored.
"""

from __future__ import annotations

import time

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner

SALT = "factcheck.submissions.shown-at"


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=SALT)


def shown_at_stamp(now: float | None = None) -> str:
    """The value of the form's hidden ``shown_at`` field: the time now, signed."""
    shown = time.time() if now is None else now
    return _signer().sign(f"{shown:.3f}").decode("ascii")


def seconds_since_shown(stamp: str | None, now: float | None = None) -> float | None:
    """How long ago the form holding ``stamp`` was shown, or None if the stamp is not one of ours."""
    if not stamp:
        return None
    try:
        shown = float(_signer().unsign(stamp.encode("ascii", "replace")).decode("ascii"))
    except (BadSignature, ValueError, UnicodeError):
        return None
    return (time.time() if now is None else now) - shown


def looks_automated(honeypot: str | None, stamp: str | None) -> bool:
    """True when the honeypot was filled in, or the form came back too fast or without a valid stamp."""
    if honeypot:
        return True
    elapsed = seconds_since_shown(stamp)
    return elapsed is None or elapsed < float(current_app.config.get("SUBMISSION_MIN_SECONDS", 2))
