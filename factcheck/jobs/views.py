"""The admins' view of the job queue: what is waiting, running and failed; retrying a failed job."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from factcheck import db
from factcheck.jobs import admin, queue
from factcheck.jobs.models import Job, JobState
from factcheck.security.permissions import Permission, requires
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

JOBS_SHOWN = 100


@bp.route("/")
@requires(Permission.ADMINISTER)
def index() -> ResponseReturnValue:
    try:
        state = JobState(request.args.get("state", JobState.FAILED.value))
    except ValueError:
        state = JobState.FAILED
    jobs = (
        db.session()
        .scalars(
            select(Job)
            .where(Job.state == state)
            .order_by(Job.updated_at.desc(), Job.id.desc())
            .limit(JOBS_SHOWN)
        )
        .all()
    )
    return render_template(
        "jobs/index.html",
        jobs=jobs,
        state=state,
        states=list(JobState),
        counts=queue.counts(db.session()),
        default_max_attempts=queue.Policy.from_config(current_app.config).max_attempts,
    )


@bp.route("/<id:job_id>/retry", methods=["POST"])
@requires(Permission.ADMINISTER)
def retry(job_id: int) -> ResponseReturnValue:
    job = get_or_404(Job, job_id)
    try:
        admin.retry_job(db.session(), current_actor(), job)
    except queue.RetryError as exc:
        flash(_("Job %(id)s was not retried: %(reason)s.", id=job.id, reason=exc), "error")
        return redirect(url_for("jobs.index", state=job.state.value))
    flash(_("Job %(id)s (%(kind)s) is queued again with all its tries.", id=job.id, kind=job.kind), "success")
    return redirect(url_for("jobs.index"))
