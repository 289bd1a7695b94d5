"""Admin pages for webhooks: endpoints, their secret (shown once), a test ping, each delivery."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from factcheck import db
from factcheck.jobs import admin, queue
from factcheck.jobs.models import Job, JobState
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor, get_or_404
from factcheck.webhooks import operations
from factcheck.webhooks.forms import EndpointForm, NewEndpointForm
from factcheck.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

DELIVERIES_SHOWN = 50


def _allow_private() -> bool:
    return bool(current_app.config.get("OUTGOING_ALLOW_PRIVATE_ADDRESSES"))


def _values(form: EndpointForm) -> operations.EndpointValues:
    return operations.EndpointValues(
        url=form.url.data or "",
        events=list(form.events.data or []),
        description=form.description.data,
        is_active=bool(form.is_active.data),
    )


def _field_error(form: EndpointForm, exc: operations.WebhookError) -> None:
    field = getattr(form, exc.field or "url", form.url)
    field.errors = [*field.errors, str(exc)]


@bp.route("/")
@requires(Permission.ADMINISTER)
def index() -> ResponseReturnValue:
    endpoints = db.session().scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return render_template("webhooks/index.html", endpoints=endpoints, events=WebhookEvent)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def create() -> ResponseReturnValue:
    form = NewEndpointForm()
    if form.validate_on_submit():
        try:
            endpoint, secret = operations.create_endpoint(
                db.session(),
                current_actor(),
                _values(form),
                secret=form.secret.data,
                allow_private=_allow_private(),
            )
        except operations.WebhookError as exc:
            _field_error(form, exc)
        else:
            # Shown in this answer only: not flashed (the session cookie is signed, not secret).
            return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret)
    return render_template("webhooks/new.html", form=form), form_status(form)


@bp.route("/<id:endpoint_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def show(endpoint_id: int) -> ResponseReturnValue:
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    # Filled from the endpoint only for showing it: a POST is judged on what was sent.
    form = EndpointForm(obj=endpoint if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.update_endpoint(
                db.session(), current_actor(), endpoint, _values(form), allow_private=_allow_private()
            )
        except operations.WebhookError as exc:
            _field_error(form, exc)
        else:
            flash(_("Saved the endpoint."), "success")
            return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))
    deliveries = (
        db.session()
        .scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(DELIVERIES_SHOWN)
        )
        .all()
    )
    return render_template(
        "webhooks/show.html", endpoint=endpoint, form=form, deliveries=deliveries
    ), form_status(form)


@bp.route("/<id:endpoint_id>/ping", methods=["POST"])
@requires(Permission.ADMINISTER)
def ping(endpoint_id: int) -> ResponseReturnValue:
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    operations.ping(db.session(), current_actor(), endpoint)
    flash(
        _("A test ping is queued; the worker sends it within seconds. Its delivery is listed below."),
        "success",
    )
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))


@bp.route("/<id:endpoint_id>/secret", methods=["POST"])
@requires(Permission.ADMINISTER)
def rotate_secret(endpoint_id: int) -> ResponseReturnValue:
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    secret = operations.rotate_secret(db.session(), current_actor(), endpoint)
    return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret, rotated=True)


@bp.route("/<id:endpoint_id>/delete", methods=["POST"])
@requires(Permission.ADMINISTER)
def delete(endpoint_id: int) -> ResponseReturnValue:
    endpoint = get_or_404(WebhookEndpoint, endpoint_id)
    url = endpoint.url
    operations.delete_endpoint(db.session(), current_actor(), endpoint)
    flash(_("Removed the endpoint %(url)s and its deliveries.", url=url), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/deliveries/<id:delivery_id>")
@requires(Permission.ADMINISTER)
def delivery(delivery_id: int) -> ResponseReturnValue:
    found = get_or_404(WebhookDelivery, delivery_id)
    job = db.session().get(Job, found.job_id) if found.job_id is not None else None
    return render_template("webhooks/delivery.html", delivery=found, job=job, failed=JobState.FAILED)


@bp.route("/deliveries/<id:delivery_id>/retry", methods=["POST"])
@requires(Permission.ADMINISTER)
def retry_delivery(delivery_id: int) -> ResponseReturnValue:
    found = get_or_404(WebhookDelivery, delivery_id)
    job = db.session().get(Job, found.job_id) if found.job_id is not None else None
    if job is None:
        abort(404)
    try:
        admin.retry_job(db.session(), current_actor(), job)
    except queue.RetryError as exc:
        flash(_("Not retried: %(reason)s.", reason=exc), "error")
        return redirect(url_for("webhooks.delivery", delivery_id=found.id))
    flash(_("The delivery is queued again."), "success")
    return redirect(url_for("webhooks.delivery", delivery_id=found.id))
