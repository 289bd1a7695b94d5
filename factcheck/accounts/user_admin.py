"""Admin pages: create users, change roles, disable accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from factcheck import db
from factcheck.accounts import operations
from factcheck.accounts.forms import CreateUserForm, EditUserForm
from factcheck.accounts.models import Role, User
from factcheck.api import tokens as api_tokens
from factcheck.security.permissions import Permission, requires
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor

bp = Blueprint("user_admin", __name__, url_prefix="/admin/users")


@bp.route("/")
@requires(Permission.ADMINISTER)
def index() -> ResponseReturnValue:
    users = db.session().scalars(select(User).order_by(User.is_disabled, User.name)).all()
    return render_template("accounts/admin/index.html", users=users)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def create() -> ResponseReturnValue:
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                db.session(),
                email=form.email.data or "",
                name=form.name.data or "",
                password=form.password.data or "",
                role=Role(form.role.data),
            )
        except operations.AccountError as exc:
            field = getattr(form, exc.field or "password", form.password)
            field.errors = [str(exc)]
        else:
            flash(_("Created %(name)s (%(role)s).", name=user.name, role=user.role.label), "success")
            return redirect(url_for("user_admin.index"))
    return render_template("accounts/admin/create.html", form=form), form_status(form)


@bp.route("/<id:user_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def edit(user_id: int) -> ResponseReturnValue:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    form = EditUserForm(obj=None, role=user.role.value, is_disabled=user.is_disabled)
    if form.validate_on_submit():
        actor = current_actor()
        try:
            operations.set_role(db.session(), user, Role(form.role.data), actor=actor)
        except operations.AccountError as exc:
            form.role.errors = [str(exc)]
        try:
            operations.set_disabled(db.session(), user, form.is_disabled.data, actor=actor)
        except operations.AccountError as exc:
            form.is_disabled.errors = [str(exc)]
        if not form.errors and form.require_new_password.data:
            operations.require_password_change(db.session(), user)
            flash(_("%(name)s must set a new password at the next sign-in.", name=user.name), "info")
        if not form.errors:
            if user.is_disabled:
                saved = _("Saved %(name)s: %(role)s, disabled.", name=user.name, role=user.role.label)
            else:
                saved = _("Saved %(name)s: %(role)s, active.", name=user.name, role=user.role.label)
            flash(saved, "success")
            return redirect(url_for("user_admin.index"))
    return render_template(
        "accounts/admin/edit.html",
        form=form,
        user=user,
        tokens=api_tokens.tokens_of(db.session(), user),
        token_status=api_tokens.status_of,
    ), form_status(form)
