"""The notifications page, the follow button and the e-mail setting: thin views over operations."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.notifications import operations
from factcheck.notifications.forms import ButtonForm, EmailModeForm
from factcheck.security.permissions import Permission, can, requires
from factcheck.web.lookups import current_actor, get_or_404

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _notification_helpers() -> dict[str, Any]:
    """The header's unread count and the claim page's follow button, asked for by the templates."""

    def unread_notifications() -> int:
        if not can(current_user, Permission.READ_DESK):
            return 0
        return operations.unread_count(db.session(), current_user.id)

    def following(claim: Claim) -> bool:
        return operations.is_following(db.session(), current_user.id, claim.id)

    def email_mode_form() -> EmailModeForm:
        mode = operations.email_mode(db.session(), current_user.id)
        return EmailModeForm(formdata=None, email=mode.value)

    return {
        "unread_notifications": unread_notifications,
        "following": following,
        "email_mode_form": email_mode_form,
        "button_form": ButtonForm,
    }


@bp.route("/notifications/")
@requires(Permission.READ_DESK)
def index() -> ResponseReturnValue:
    session = db.session()
    return render_template(
        "notifications/index.html",
        notifications=operations.latest(session, current_user.id),
        unread=operations.unread_count(session, current_user.id),
        form=ButtonForm(formdata=None),
    )


@bp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@requires(Permission.READ_DESK)
def mark_read(notification_id: int) -> ResponseReturnValue:
    if ButtonForm().validate_on_submit():
        # Only one's own: another person's id matches nothing.
        operations.mark_read(db.session(), current_user.id, notification_id)
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@requires(Permission.READ_DESK)
def mark_all_read() -> ResponseReturnValue:
    if ButtonForm().validate_on_submit():
        count = operations.mark_read(db.session(), current_user.id)
        flash(
            ngettext("Marked %(num)d notification read.", "Marked %(num)d notifications read.", count),
            "success",
        )
    return redirect(url_for("notifications.index"))


@bp.route("/claims/<id:claim_id>/follow", methods=["POST"])
@requires(Permission.READ_DESK)
def follow(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    if ButtonForm().validate_on_submit():
        operations.follow(db.session(), current_actor(), claim)
        flash(_("You follow this claim: you will be told when it moves or someone comments."), "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/claims/<id:claim_id>/unfollow", methods=["POST"])
@requires(Permission.READ_DESK)
def unfollow(claim_id: int) -> ResponseReturnValue:
    claim = get_or_404(Claim, claim_id)
    if ButtonForm().validate_on_submit():
        operations.unfollow(db.session(), current_actor(), claim)
        flash(_("You no longer follow this claim."), "success")
    return redirect(url_for("claims.show", claim_id=claim.id))


@bp.route("/account/notifications", methods=["POST"])
@requires(Permission.USE_ACCOUNT)
def email_setting() -> ResponseReturnValue:
    form = EmailModeForm()
    if form.validate_on_submit():
        mode = operations.set_email_mode(db.session(), current_actor(), form.email.data or "")
        flash(_("Notification e-mail: %(mode)s.", mode=mode.label), "success")
    else:
        flash(_("Choose at once, daily digest or off."), "error")
    return redirect(url_for("accounts.account", _anchor="notification-email"))
