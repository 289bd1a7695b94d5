"""Configuration defaults for factcheck, and how they are overridden.

Precedence, lowest first:

1. the defaults in :class:`DefaultConfig`;
2. a Python config file named by ``FACTCHECK_CONFIG`` (upper-case names only);
3. ``FACTCHECK_*`` environment variables (``FACTCHECK_DATABASE_URL`` sets ``DATABASE_URL``);
4. the mapping passed to ``create_app(config)``, which tests use.

Environment values are parsed to the type of the default they override, so
``FACTCHECK_MIN_RATINGS=3`` is an int and ``FACTCHECK_FOUR_EYES=false`` a bool.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

ENV_PREFIX = "FACTCHECK_"

# Secret keys that must never reach production: the empty one and the ones
# people paste from examples.
KNOWN_BAD_SECRETS = frozenset({"", "dev", "changeme", "change-me", "secret", "development"})
MIN_SECRET_LENGTH = 32


class DefaultConfig:
    # "development" or "production". Production refuses to start without a
    # real secret key and sends cookies only over HTTPS.
    ENV = "development"

    # None means a SQLite file in the instance folder (see factcheck.db).
    DATABASE_URL: str | None = None
    # Log SQL statements (noisy; for debugging).
    DATABASE_ECHO = False
    # SQLite waits this long for a lock before giving up.
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # PostgreSQL: the role the app connects as, when migrations run as an owner role
    # (docs/audit.md, PostgreSQL roles). Every migration run grants it the app's rights again.
    DATABASE_APP_ROLE = ""

    SECRET_KEY: str | None = None

    # The audit key (docs/audit.md): keys the history's links and signs its checkpoints.
    # Kept outside the database and its backups; required in production (32+ characters);
    # in development a random key is kept in the instance folder (audit_key).
    AUDIT_KEY: str | None = None
    # Earlier audit keys after a rotation, oldest first, separated by spaces or commas.
    AUDIT_RETIRED_KEYS = ""
    # Append-only directory for signed checkpoints, outside the database (empty: the
    # instance folder's audit-checkpoints/). One is made every so many changesets or
    # minutes, whichever comes first, and at every publication.
    AUDIT_CHECKPOINT_DIR = ""
    AUDIT_CHECKPOINT_EVERY = 1000
    AUDIT_CHECKPOINT_MINUTES = 60

    SESSION_COOKIE_NAME = "factcheck_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # How long a sign-in lasts, in hours, counted from the moment of signing in.
    LOGIN_SESSION_HOURS = 12

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600 * 8

    # Failed sign-ins allowed per client address (any accounts) and per account from one address.
    # Several limits separated by ";" make the waits progressive (OWASP): 5 failures wait out
    # at most 15 minutes, 10 up to 2 hours, 20 up to a day (each window starts at its first failure).
    LOGIN_THROTTLE = "5 per 15 minutes;10 per 2 hours;20 per day"
    # Failed sign-ins allowed per account from all addresses the owner has not signed in from
    # (a spread-out guessing attack). Addresses the account signed in from within
    # LOGIN_FAMILIAR_DAYS are exempt, so a stranger's failures cannot lock the owner out.
    LOGIN_ACCOUNT_THROTTLE = "20 per hour"
    LOGIN_FAMILIAR_DAYS = 90
    # Where rate-limit counters live: redis://host:6379 so that every worker and host shares
    # them; memory:// keeps them per process (4 workers would allow 4 times the limits).
    RATELIMIT_STORAGE_URI = "memory://"
    # Production refuses to start with memory:// unless this says the app runs as one process.
    RATELIMIT_SINGLE_PROCESS = False

    # Workflow rules (PRODUCT.md).
    MIN_RATINGS = 2
    FOUR_EYES = True

    # Documents: the largest text (pasted or read from an upload) accepted, in bytes of UTF-8.
    MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
    # Uploaded HTML pages: the largest file read (extracting a 1.8 MB page took 6 s;
    # a request must stay well inside gunicorn's 30 s timeout). docs/limits.md.
    MAX_HTML_UPLOAD_BYTES = 1024 * 1024
    # Dossier PDFs of claims with more sources than this are rendered by the background
    # worker behind a "being prepared" page; smaller ones in the request. docs/limits.md.
    DOSSIER_INLINE_MAX_SOURCES = 50
    # Where rendered dossier PDFs are cached (web and worker processes must share it);
    # empty: "dossiers" in the instance folder.
    DOSSIER_CACHE_DIR = ""
    # Requests larger than this are refused (413) before they are read; keep it above
    # MAX_DOCUMENT_BYTES so an oversized document gets a message next to the form field.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # Flask keeps at most this much of a form's text fields in memory (a pasted document is one).
    MAX_FORM_MEMORY_SIZE = 8 * 1024 * 1024
    # Similar-claim suggestions while capturing: the least score shown, 0 to 100 (rapidfuzz token set ratio).
    SIMILAR_CLAIMS_THRESHOLD = 70

    # The site's public address (e.g. https://factcheck.example.org): canonical links, feeds,
    # sitemaps and exports use it. Empty: the address each request arrived at.
    PUBLIC_URL = ""

    # Reader submissions (suggest a claim, report an error): POSTs allowed per client address,
    # and the least time in seconds between showing a form and a real person sending it.
    SUBMISSION_RATE_LIMIT = "5 per hour"
    SUBMISSION_MIN_SECONDS = 2

    # Rendered public pages kept in memory per process (verdict pages; lists, feeds and sitemaps).
    # Each entry is one page's HTML; 0 turns the cache off (HTTP validators still work).
    PUBLIC_PAGE_CACHE_SIZE = 512
    # Shared public responses answered from memory in front of the app for this many seconds
    # (factcheck/public/microcache.py): how long a new revision may take to reach anonymous readers.
    # 0 turns it off.
    PUBLIC_MICROCACHE_SECONDS = 5
    PUBLIC_LIST_CACHE_SIZE = 128

    # Notification e-mail (docs/notifications.md), sent by the background worker through this
    # SMTP server; no host: no e-mail at all (in-app notifications still work). STARTTLS is
    # required when on; the digest goes out daily at NOTIFICATIONS_DIGEST_HOUR o'clock, UTC.
    SMTP_HOST = ""
    SMTP_PORT = 587
    SMTP_USERNAME = ""
    SMTP_PASSWORD = ""
    SMTP_STARTTLS = True
    SMTP_FROM = ""
    SMTP_TIMEOUT_SECONDS = 30.0
    NOTIFICATIONS_DIGEST_HOUR = 7

    # The background worker (docs/worker.md): tries per job before it is failed; the lease a
    # worker holds on a job (a worker that dies mid-job holds it this long); the first retry's
    # wait in seconds, doubled at each try up to the cap, with jitter; an idle worker's poll.
    JOBS_MAX_ATTEMPTS = 8
    JOBS_LEASE_SECONDS = 300
    JOBS_BACKOFF_SECONDS = 10.0
    JOBS_BACKOFF_MAX_SECONDS = 3600.0
    JOBS_POLL_SECONDS = 1.0

    # Requests the app sends (webhook deliveries; factcheck/web/outgoing.py): timeouts in
    # seconds, the most of a response read, and whether private, loopback and link-local
    # addresses may be reached (off: only public addresses; tests turn it on for a local receiver).
    OUTGOING_CONNECT_TIMEOUT = 5.0
    OUTGOING_READ_TIMEOUT = 10.0
    OUTGOING_MAX_BYTES = 1024 * 1024
    OUTGOING_ALLOW_PRIVATE_ADDRESSES = False
    # Fetching web pages (documents added by their address, archived sources; docs/documents.md):
    # the User-Agent sent, the most of a page read (bytes), the connect and read timeouts
    # (seconds), the redirects followed, whether private, loopback and link-local addresses may
    # be fetched (off: refused), and whether the site's robots.txt is obeyed.
    FETCH_USER_AGENT = "factcheck-fetcher/1.0 (+https://github.com/factcheck)"
    FETCH_MAX_BYTES = 1024 * 1024
    FETCH_TIMEOUT = 10.0
    FETCH_MAX_REDIRECTS = 5
    FETCH_PRIVATE_ADDRESSES = False
    FETCH_RESPECT_ROBOTS = True
    # Archive the web sources of a claim when it is published (a job per source).
    ARCHIVE_SOURCES_ON_PUBLISH = True
    # How often the worker checks the links of cited sources (hours; 0: never, only
    # `factcheck sources check-links`).
    LINK_CHECK_HOURS = 24.0
    # The JSON API (docs/api.md): requests allowed per token (Flask-Limiter's syntax), and the
    # browser origins allowed to call it (space- or comma-separated; empty: no CORS headers at all).
    API_RATE_LIMIT = "300 per minute"
    API_CORS_ORIGINS = ""

    # Imports (docs/imports.md): other publishers' rating labels -> our label keys, matched
    # case-insensitively; `factcheck import claimreview --map FILE.json` adds or overrides
    # entries (null unmaps one). As an environment variable: JSON text.
    IMPORT_LABEL_MAP: dict[str, str | None] = {
        # PolitiFact's Truth-O-Meter
        "True": "true",
        "Mostly True": "mostly-true",
        "Half True": "misleading",
        "Mostly False": "mostly-false",
        "False": "false",
        "Pants on Fire": "false",
        # The Washington Post's Pinocchios
        "Geppetto Checkmark": "true",
        "One Pinocchio": "mostly-true",
        "Two Pinocchios": "misleading",
        "Three Pinocchios": "mostly-false",
        "Four Pinocchios": "false",
        "Bottomless Pinocchio": "false",
        # Meta's third-party fact-checking ratings
        "Altered": "false",
        "Partly False": "mostly-false",
        "Missing Context": "misleading",
        "Satire": "satire",
    }

    ORGANISATION_NAME = "Factcheck demo newsroom"
    ORGANISATION_URL = "http://127.0.0.1:5000/"


def _parse(raw: str, default: Any, name: str) -> Any:
    """Turn an environment string into the type of the default it replaces."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"{ENV_PREFIX}{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name} must be a whole number, not {raw!r}") from None
    return raw


def defaults() -> dict[str, Any]:
    return {k: getattr(DefaultConfig, k) for k in dir(DefaultConfig) if k.isupper()}


def from_file(path: str) -> dict[str, Any]:
    """Read upper-case names from a Python config file."""
    namespace: dict[str, Any] = {"__file__": path}
    with open(path, encoding="utf-8") as handle:
        code = compile(handle.read(), path, "exec")
    exec(code, namespace)  # noqa: S102 - the operator's own config file, like Flask's from_pyfile
    return {k: v for k, v in namespace.items() if k.isupper()}


def from_environment(environ: Mapping[str, str], base: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in environ.items():
        if not key.startswith(ENV_PREFIX) or key == f"{ENV_PREFIX}CONFIG":
            continue
        name = key.removeprefix(ENV_PREFIX)
        values[name] = _parse(raw, base.get(name), name)
    return values


def load(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The effective configuration: defaults, config file, environment, overrides."""
    environ = os.environ if environ is None else environ
    values = defaults()
    config_file = environ.get(f"{ENV_PREFIX}CONFIG")
    if config_file:
        values.update(from_file(config_file))
    values.update(from_environment(environ, values))
    values.update(overrides or {})
    return values


def check_production(values: Mapping[str, Any]) -> None:
    """Raise RuntimeError when production settings are unsafe."""
    if values.get("ENV") != "production":
        return
    secret = values.get("SECRET_KEY") or ""
    if secret.strip().lower() in KNOWN_BAD_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            f"refusing to start in production without a real secret key: set {ENV_PREFIX}SECRET_KEY "
            f"to at least {MIN_SECRET_LENGTH} random characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )


def check_rate_limit_storage(values: Mapping[str, Any]) -> None:
    """Raise RuntimeError when production would keep rate limits per process without saying so."""
    if values.get("ENV") != "production":
        return
    storage = str(values.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://") and not values.get("RATELIMIT_SINGLE_PROCESS"):
        raise RuntimeError(
            f"refusing to start in production with rate limits kept per process (memory://): set "
            f"{ENV_PREFIX}RATELIMIT_STORAGE_URI=redis://host:6379 to share them between workers, or "
            f"{ENV_PREFIX}RATELIMIT_SINGLE_PROCESS=true if the app really runs as one process"
        )
