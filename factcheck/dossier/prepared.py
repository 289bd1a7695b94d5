"""Dossier PDFs with a bounded cost per request: cached, and rendered by the worker when large.

A PDF of a claim with hundreds of sources takes longer to render than a request
may last (gunicorn's 30 s timeout). So:

- every PDF is cached as a file, keyed by the claim, its **content version**
  (the sequence number of the last audited change to the claim or anything of
  it: a new source, rating or revision makes a new version) and the viewer (the
  PDF names who generated it, and blind ratings depend on who looks);
- a claim with at most ``DOSSIER_INLINE_MAX_SOURCES`` sources is rendered in
  the request, as before (well under a second);
- a larger one is rendered by the background worker (job kind
  ``dossier.pdf``); the request answers a "being prepared" page that reloads
  itself until the file is there.

The cache folder is ``DOSSIER_CACHE_DIR`` (default: ``dossiers`` in the
instance folder); web processes and workers must share it.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck import db
from factcheck.accounts.models import User
from factcheck.audit.models import AuditChange
from factcheck.claims.models import Claim
from factcheck.dossier.content import build_dossier
from factcheck.jobs import queue
from factcheck.jobs.models import Job, JobState
from factcheck.jobs.runner import handler
from factcheck.web import formatting
from factcheck.web.formatting import SOURCE_LANGUAGE
from factcheck.web.pdf import render_pdf

JOB_KIND = "dossier.pdf"
# bench/dossier_pdf.py on a busy 2-core machine: 50 sources 12 s, 100 37 s, 300 147 s
# (rendering grows faster than the sources); 50 keeps the request well inside 30 s.
DEFAULT_INLINE_MAX_SOURCES = 50


@dataclass(frozen=True)
class CacheKey:
    claim_id: int
    version: int
    viewer_id: int
    # The interface language the PDF is written in (its dates, numbers and words).
    language: str = SOURCE_LANGUAGE

    @property
    def _language_part(self) -> str:
        return "" if self.language == SOURCE_LANGUAGE else f"-{self.language}"

    @property
    def job_key(self) -> str:
        return f"{JOB_KIND}:{self.claim_id}:{self.version}:{self.viewer_id}{self._language_part}"

    @property
    def file_name(self) -> str:
        return f"claim-{self.claim_id}-v{self.version}-u{self.viewer_id}{self._language_part}.pdf"


def content_version(session: Session, claim_id: int) -> int:
    """The last audited change to the claim or its records (0 for none): a new one, a new PDF."""
    return (
        session.scalar(select(func.max(AuditChange.changeset_seq)).where(AuditChange.claim_id == claim_id))
        or 0
    )


def cache_key(session: Session, claim: Claim, viewer: User, language: Any = SOURCE_LANGUAGE) -> CacheKey:
    return CacheKey(
        claim_id=claim.id,
        version=content_version(session, claim.id),
        viewer_id=viewer.id,
        language=formatting.locale_of(language).language,
    )


def cache_dir(app: Flask) -> str:
    return app.config.get("DOSSIER_CACHE_DIR") or os.path.join(app.instance_path, "dossiers")


def cached_path(app: Flask, key: CacheKey) -> str | None:
    """The cached PDF for ``key``, if it was rendered."""
    path = os.path.join(cache_dir(app), key.file_name)
    return path if os.path.isfile(path) else None


def inline_max_sources(app: Flask) -> int:
    return int(app.config.get("DOSSIER_INLINE_MAX_SOURCES", DEFAULT_INLINE_MAX_SOURCES))


def download_name(claim: Claim, rendered_on: date) -> str:
    """The file name of the download (the same as an inline render's)."""
    parts = ["dossier", "claim", str(claim.id)]
    if claim.slug:
        parts.append(re.sub(r"[^A-Za-z0-9-]+", "-", claim.slug).strip("-")[:80])
    parts.append(rendered_on.isoformat())
    return "-".join(parts) + ".pdf"


def render_and_store(
    app: Flask, session: Session, claim: Claim, viewer: User, key: CacheKey, base_url: str
) -> str:
    """Render the dossier PDF and store it under ``key``; returns the file's path.

    Needs a request context (the templates build URLs). The file appears whole
    or not at all (written beside it, then renamed).
    """
    dossier = build_dossier(session, claim, viewer)
    html = render_template("dossier/pdf.html", dossier=dossier)
    data = render_pdf(html, base_url=base_url)
    folder = cache_dir(app)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    path = os.path.join(folder, key.file_name)
    os.replace(temporary, path)
    return path


def request_render(session: Session, key: CacheKey, base_url: str) -> Job:
    """Queue the worker's render of ``key`` (once: the job is keyed), in the caller's transaction.

    A job that succeeded but whose file is gone (the cache folder was emptied)
    is queued again.
    """
    job = queue.enqueue(
        session,
        JOB_KIND,
        {
            "claim_id": key.claim_id,
            "version": key.version,
            "viewer_id": key.viewer_id,
            "base_url": base_url,
            "language": key.language,
        },
        key=key.job_key,
        max_attempts=3,
    )
    if job.state == JobState.SUCCEEDED and job.id is not None:
        queue.requeue(session, job)
    return job


@handler(JOB_KIND)
def render_job(_session: Session, claimed: queue.Claimed) -> None:
    """The worker's render. It reads through a GET request context's session (a read
    transaction: on SQLite no write lock is held while rendering, which takes seconds)
    and leaves the job's own session alone until the runner marks the job done."""
    payload: dict[str, Any] = claimed.payload
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    language = payload.get("language") or SOURCE_LANGUAGE
    with app.test_request_context(base_url=payload["base_url"]), force_locale(language):
        read = db.session()
        claim = read.get(Claim, payload["claim_id"])
        viewer = read.get(User, payload["viewer_id"])
        if claim is None or viewer is None or not viewer.is_active:
            return  # deleted, or the account was disabled: nothing to prepare
        key = cache_key(read, claim, viewer, language)
        if cached_path(app, key) is None:
            render_and_store(app, read, claim, viewer, key, base_url=payload["base_url"])
