"""The audit log across the system (editors, admins), its exports, and the history's status (admins)."""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from factcheck import db
from factcheck.accounts.models import User
from factcheck.audit import checkpoints, history, keys
from factcheck.audit.checkpoints import CheckpointSourceError
from factcheck.audit.forms import LogFilterForm
from factcheck.audit.keys import AuditKeyError
from factcheck.audit.models import AuditChangeset, AuditCheckpoint
from factcheck.audit.verification import chain_head, last_verification, newest_checkpoint, verify_and_record
from factcheck.exports import formats
from factcheck.exports.streams import download
from factcheck.publishing.urls import absolute_url
from factcheck.security.models import SecurityEvent, SecurityEventKind
from factcheck.security.permissions import Permission, can, requires
from factcheck.web.forms import choices

bp = Blueprint("audit", __name__)

PAGE_SIZE = 50


def _filter_form() -> LogFilterForm:
    form = LogFilterForm(request.args)
    users = db.session().execute(select(User.id, User.name).order_by(User.name)).all()
    form.actor.choices = choices([("", _("Anyone")), *((str(user_id), name) for user_id, name in users)])
    shown = {
        table: name
        for table, name in history.RECORD_NAMES.items()
        if can(current_user, Permission.ADMINISTER) or table not in history.ADMIN_ONLY_TABLES
    }
    form.record.choices = choices([("", _("Any record")), *history.record_types(shown)])
    return form


def _filters(form: LogFilterForm) -> history.LogFilter:
    return history.LogFilter(
        actor_id=int(form.actor.data) if form.actor.data else None,
        table=form.record.data or None,
        operation=form.action.data or None,
        since=form.since.data,
        until=form.until.data,
        hidden=frozenset() if can(current_user, Permission.ADMINISTER) else history.ADMIN_ONLY_TABLES,
    )


@bp.route("/audit/")
@requires(Permission.READ_AUDIT_LOG)
def log() -> ResponseReturnValue:
    form = _filter_form()
    if request.args and not form.validate():
        return render_template("audit/log.html", form=form, page=None, names=None), 422
    before = request.args.get("before", type=int)
    page = history.log_page(db.session(), _filters(form), before=before, size=PAGE_SIZE)
    names = history.load_names(db.session())
    query = {key: value for key, value in request.args.items() if key != "before"}
    return render_template("audit/log.html", form=form, page=page, names=names, query=query)


# The export's columns: each change's fields under their own names (see history.export_rows).
EXPORT_COLUMNS: tuple[formats.Column[dict[str, Any]], ...] = tuple(
    formats.Column(name, name, itemgetter(name), width=24 if name in {"changes", "hash"} else 14)
    for name in history.EXPORT_COLUMNS
)


def _export(format_key: str) -> ResponseReturnValue:
    form = _filter_form()
    if request.args and not form.validate():
        return render_template("audit/log.html", form=form, page=None, names=None), 422
    filters = _filters(form)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    format_ = formats.FORMATS[format_key]

    def chunks() -> Iterator[str | bytes]:
        with db.reading_session(app) as reader:
            rows = history.export_rows(reader, filters)
            yield from formats.chunks(format_key, EXPORT_COLUMNS, rows, sheet="Audit log")

    return download(chunks(), f"audit-log.{format_.extension}", format_.mimetype)


@bp.route("/audit/export.csv")
@requires(Permission.READ_AUDIT_LOG)
def export_csv() -> ResponseReturnValue:
    return _export("csv")


@bp.route("/audit/export.xlsx")
@requires(Permission.READ_AUDIT_LOG)
def export_xlsx() -> ResponseReturnValue:
    return _export("xlsx")


@bp.route("/audit/export.json")
@requires(Permission.READ_AUDIT_LOG)
def export_json() -> ResponseReturnValue:
    return _export("json")


@bp.route("/audit/export.ndjson")
@requires(Permission.READ_AUDIT_LOG)
def export_ndjson() -> ResponseReturnValue:
    return _export("ndjson")


@bp.route("/admin/audit")
@requires(Permission.ADMINISTER)
def chain_status() -> ResponseReturnValue:
    session = db.session()
    verification = last_verification(session)
    newest = newest_checkpoint(session)
    return render_template(
        "audit/chain.html",
        head=chain_head(session),
        count=session.scalar(select(func.count()).select_from(AuditChangeset)),
        verification=verification,
        # The time it took, written the locale's way (a decimal comma in Spanish).
        verification_seconds=format_decimal(verification.seconds, format="0.00") if verification else None,
        # AuditVerification.problem holds the findings, one a line.
        findings=(verification.problem or "").splitlines() if verification else [],
        checkpoint=checkpoints.Statement.from_row(newest) if newest else None,
        checkpoint_count=session.scalar(select(func.count()).select_from(AuditCheckpoint)),
        checkpoint_directory=checkpoints.policy().directory,
        json_url=absolute_url("public.checkpoints_json"),
        atom_url=absolute_url("public.checkpoints_feed"),
        key_id=keys.active().current.key_id,
    )


@bp.route("/admin/audit/verify", methods=["POST"])
@requires(Permission.ADMINISTER)
def verify_now() -> ResponseReturnValue:
    try:
        report = verify_and_record(db.session().connection())
    except (AuditKeyError, CheckpointSourceError) as exc:
        flash(_("The history could not be verified: %(problem)s", problem=exc), "error")
        return redirect(url_for("audit.chain_status"))
    if report.ok:
        flash(
            _(
                "The history holds: %(changesets)s, %(checkpoints)s and the data checked in %(seconds)s s.",
                changesets=ngettext("%(num)d changeset", "%(num)d changesets", report.chain.checked),
                checkpoints=ngettext("%(num)d checkpoint", "%(num)d checkpoints", report.checkpoints),
                seconds=format_decimal(report.seconds, format="0.00"),
            ),
            "success",
        )
    else:
        flash(
            ngettext(
                "The history does not verify: %(num)d problem, listed below.",
                "The history does not verify: %(num)d problems, listed below.",
                len(report.findings),
            ),
            "error",
        )
    return redirect(url_for("audit.chain_status"))


@bp.route("/admin/security-log")
@requires(Permission.ADMINISTER)
def security_log() -> ResponseReturnValue:
    kind = request.args.get("kind") or None
    before = request.args.get("before", type=int)
    query = select(SecurityEvent)
    if kind in {k.value for k in SecurityEventKind}:
        query = query.where(SecurityEvent.kind == SecurityEventKind(kind))
    else:
        kind = None
    if before is not None:
        query = query.where(SecurityEvent.id < before)
    events = db.session().scalars(query.order_by(SecurityEvent.id.desc()).limit(PAGE_SIZE + 1)).all()
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    names = dict(db.session().execute(select(User.id, User.name)).all())
    return render_template(
        "audit/security_log.html",
        events=events,
        names=names,
        kinds=list(SecurityEventKind),
        kind=kind,
        next_before=events[-1].id if more and events else None,
    )
