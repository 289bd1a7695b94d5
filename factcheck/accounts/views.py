"""Signing in and out, and the signed-in user's own account page."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from factcheck import db
from factcheck.accounts import operations
from factcheck.accounts.forms import ChangePasswordForm, LoginForm, NewTokenForm
from factcheck.accounts.models import ApiToken, User
from factcheck.accounts.passwords import verify_password
from factcheck.api import tokens as api_tokens
from factcheck.audit import changesets as audit
from factcheck.audit.changesets import Actor
from factcheck.audit.web import request_actor
from factcheck.security import events as security_events
from factcheck.security.models import SecurityEventKind
from factcheck.security.permissions import Permission, public, requires
from factcheck.security.ratelimit import limiter, submitted_email, submitted_email_and_address
from factcheck.web.forms import form_status
from factcheck.web.lookups import current_actor, get_or_404
from factcheck.web.urls import is_safe_next

bp = Blueprint("accounts", __name__)


def _login_throttle() -> str:
    return current_app.config["LOGIN_THROTTLE"]


def _account_throttle() -> str:
    return current_app.config["LOGIN_ACCOUNT_THROTTLE"]


def _from_a_familiar_address() -> bool:
    """The owner's own address (a recent sign-in from it) is exempt from the account-wide limit."""
    return operations.has_signed_in_from(
        db.session(),
        request.form.get("email") or "",
        request.remote_addr,
        days=int(current_app.config["LOGIN_FAMILIAR_DAYS"]),
    )


def _counts_as_failed_login(_response: object) -> bool:
    return bool(g.get("login_failed"))


def sign_in(user: User) -> None:
    """Start a fresh login session for the user; the old cookie's contents are dropped."""
    session.clear()
    audit.set_actor(
        db.session(),
        Actor.for_user(user, request_id=g.get("request_id"), client_request_id=g.get("client_request_id")),
    )
    started = operations.start_session(
        db.session(),
        user,
        hours=current_app.config["LOGIN_SESSION_HOURS"],
        ip_address=request.remote_addr,
        user_agent=request.user_agent.string,
    )
    user.login_token = started.token
    security_events.record(db.session(), SecurityEventKind.LOGIN, subject_user_id=user.id)
    login_user(user)
    g.login_session = started.record


# Three throttles, counting failed sign-ins only (OWASP Authentication Cheat Sheet):
# - per client address, whatever the accounts: one place guessing is stopped;
# - per account from one address: the same, for one account (the owner elsewhere is unaffected);
# - per account from addresses it never signed in from: a guessing attack spread over many
#   addresses is stopped too, while the owner's familiar addresses stay open.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_throttle, methods=["POST"], deduct_when=_counts_as_failed_login)
@limiter.limit(
    _login_throttle,
    key_func=submitted_email_and_address,
    methods=["POST"],
    deduct_when=_counts_as_failed_login,
)
@limiter.limit(
    _account_throttle,
    key_func=submitted_email,
    methods=["POST"],
    deduct_when=_counts_as_failed_login,
    exempt_when=_from_a_familiar_address,
)
@public
def login() -> ResponseReturnValue:
    target = request.args.get("next")
    next_url = target if is_safe_next(target) else url_for("main.home")
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is not None:
            sign_in(user)
            flash(_("Signed in as %(name)s.", name=user.name), "success")
            return redirect(next_url)
        g.login_failed = True
        security_events.record_after_request(
            SecurityEventKind.LOGIN_FAILED, email=(form.email.data or "")[:254]
        )
        form.password.errors = [_("Wrong email or password, or the account is disabled.")]
    return render_template("accounts/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
@requires(Permission.USE_ACCOUNT)
def logout() -> ResponseReturnValue:
    record = g.get("login_session")
    if record is not None:
        operations.end_session(db.session(), record)
    security_events.record(db.session(), SecurityEventKind.LOGOUT, subject_user_id=current_user.id)
    # Attributed now: once signed out, the request has no user to attribute the event to.
    audit.set_actor(db.session(), request_actor())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@requires(Permission.USE_ACCOUNT)
def account() -> ResponseReturnValue:
    form = ChangePasswordForm()
    user: User = current_actor()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.current_password.data or ""):
            form.current_password.errors = [_("This is not your current password.")]
        else:
            try:
                operations.set_password(db.session(), user, form.password.data or "")
            except operations.AccountError as exc:
                form.password.errors = [str(exc)]
            else:
                # Every other login of this account ends; this browser gets a fresh one.
                sign_in(user)
                flash(
                    _("Your password is changed. Other sessions of your account were signed out."),
                    "success",
                )
                return redirect(url_for("accounts.account"))
    return _account_page(user, form=form, status=form_status(form))


def _account_page(
    user: User,
    *,
    form: ChangePasswordForm | None = None,
    token_form: NewTokenForm | None = None,
    new_token: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    response = make_response(
        render_template(
            "accounts/account.html",
            form=form or ChangePasswordForm(formdata=None),
            token_form=token_form or NewTokenForm(formdata=None),
            tokens=api_tokens.tokens_of(db.session(), user),
            token_status=api_tokens.status_of,
            new_token=new_token,
            user=user,
        ),
        status,
    )
    # The page may hold a new token (shown once): no copy in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/tokens", methods=["POST"])
@requires(Permission.USE_ACCOUNT)
def create_token() -> ResponseReturnValue:
    user: User = current_actor()
    token_form = NewTokenForm()
    if not token_form.validate_on_submit():
        return _account_page(user, token_form=token_form, status=form_status(token_form))
    try:
        made = api_tokens.create_token(
            db.session(),
            user,
            user,
            name=token_form.name.data,
            scope=token_form.scope.data or "read",
            expires_in_days=token_form.expires_in_days.data,
        )
    except api_tokens.TokenError as exc:
        getattr(token_form, exc.field, token_form.name).errors = [str(exc)]
        return _account_page(user, token_form=token_form, status=422)
    return _account_page(user, new_token=made.token, status=201)


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@requires(Permission.USE_ACCOUNT)
def revoke_token(token_id: int) -> ResponseReturnValue:
    """Revoke a token: its owner may, and admins may revoke anyone's (from the user's admin page)."""
    token = get_or_404(ApiToken, token_id)
    api_tokens.revoke_token(db.session(), current_actor(), token)
    flash(_("The token %(prefix)s is revoked; it stops working at once.", prefix=token.prefix), "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("accounts.account"))


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the cookie's token must name an open login session."""
    record = operations.load_session(db.session(), token)
    if record is None:
        return None
    user = record.user
    user.login_token = token
    g.login_session = record
    return user
