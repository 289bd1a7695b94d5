"""factcheck: a web app for newsroom fact-checking teams."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

import config as app_config
from factcheck.public import fastpath, microcache
from factcheck.web import converters, headers, language_prefix
from factcheck.web.headers import CONTENT_SECURITY_POLICY  # noqa: F401 - where it used to live

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

csrf = CSRFProtect()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides everything else (see config.py)."""
    values = app_config.load(config)
    instance_path = values.get("INSTANCE_PATH") or os.environ.get("FACTCHECK_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    app.config.update(values)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)
    app_config.check_production(app.config)
    _init_audit_keys(app)
    app_config.check_rate_limit_storage(app.config)
    if app.config["ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True

    _init_request_hooks(app)
    # Before any blueprint adds a route that uses <id:...>.
    converters.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    # Stored verdict pages for anonymous readers, answered before Flask's request work.
    fastpath.wrap(app)
    # Outside the lean path: /es/checks/... reaches it with the prefix in SCRIPT_NAME, and falls through.
    language_prefix.wrap(app)
    # In front of them, so a cached public page costs no Flask work at all (its key is the whole address).
    microcache.wrap(app)
    if app.config.get("TRUSTED_PROXIES"):
        # Outermost: everything inside sees the address the reader asked for.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _development_secret(app: Flask) -> str:
    """Outside production, a random key kept in the instance folder."""
    if app.config.get("ENV") == "production":
        return ""
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    with open(path, encoding="ascii") as handle:
        return handle.read().strip()


def _init_audit_keys(app: Flask) -> None:
    """The audit key and checkpoint policy of this process (factcheck/audit/keys.py)."""
    from factcheck.audit import checkpoints, keys

    keys.configure(keys.keyring_from_config(app.config, app.instance_path))
    checkpoints.configure(
        checkpoints.Policy(
            directory=app.config["AUDIT_CHECKPOINT_DIR"]
            or os.path.join(app.instance_path, "audit-checkpoints"),
            every=int(app.config["AUDIT_CHECKPOINT_EVERY"]),
            minutes=float(app.config["AUDIT_CHECKPOINT_MINUTES"]),
        )
    )


def _init_extensions(app: Flask) -> None:
    import factcheck.models  # noqa: F401 - every model mapped before the first query
    from factcheck import cli, db
    from factcheck.accounts.views import load_user
    from factcheck.api import core as api
    from factcheck.audit import web as audit_web
    from factcheck.security import events as security_events
    from factcheck.security import gate, origin, ratelimit
    from factcheck.web import errors, i18n, language_views, templating

    i18n.init_app(app)
    # Before the gate: a desk address under a language prefix is redirected, not refused.
    language_prefix.init_app(app)
    language_views.init_app(app)
    # Registered first so it runs last: it writes once the request's session is closed.
    security_events.init_app(app)
    db.init_app(app)
    audit_web.init_app(app)
    # Before the CSRF token check: a cross-site request is refused for where it came from.
    origin.init_app(app)
    csrf.init_app(app)
    # Before the rate limiter and the gate: both count and check the API token's user.
    api.init_app(app)
    ratelimit.init_app(app)

    login_manager = LoginManager(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    # Flashed messages go into the session as plain text: evaluate the lazy message at the request.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    # The server-side login session is what protects the cookie; see LoginSession.
    login_manager.session_protection = None
    login_manager.user_loader(load_user)

    cli.init_app(app)
    gate.init_app(app)
    errors.init_app(app)
    templating.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from factcheck.accounts import user_admin
    from factcheck.accounts import views as accounts_views
    from factcheck.api import claims as api_claims  # noqa: F401 - attach their routes to the api blueprint
    from factcheck.api import discussion as api_discussion  # noqa: F401
    from factcheck.api import documents as api_documents  # noqa: F401
    from factcheck.api import exports as api_exports  # noqa: F401
    from factcheck.api import publications as api_publications  # noqa: F401
    from factcheck.api import verdicts as api_verdicts  # noqa: F401
    from factcheck.api import views as api_views  # noqa: F401
    from factcheck.api.core import bp as api_bp
    from factcheck.archive import views as snapshot_views
    from factcheck.audit import views as audit_views
    from factcheck.claims import bulk_views, capture_views, listing, merge_views, views  # noqa: F401 - attach their routes to the claims blueprint
    from factcheck.claims.blueprint import bp as claims_bp
    from factcheck.discussion import views as discussion_views
    from factcheck.documents import fetch_views
    from factcheck.documents import views as documents_views
    from factcheck.dossier import views as dossier_views
    from factcheck.exports import views as exports_views
    from factcheck.jobs import views as jobs_views
    from factcheck.notifications import views as notifications_views
    from factcheck.organisation import views as organisation_views
    from factcheck.public import checks, feeds, pages, stored, transparency  # noqa: F401 - attach their routes to the public blueprint
    from factcheck.public.blueprint import bp as public_bp
    from factcheck.publishing import views as publishing_views
    from factcheck.ratings import scale_views
    from factcheck.ratings import views as ratings_views
    from factcheck.reports import views as reports_views
    from factcheck.search import views as search_views
    from factcheck.sources import archive_views  # noqa: F401 - attach its routes to the sources and public blueprints
    from factcheck.sources import views as sources_views
    from factcheck.submissions import desk_views, public_views  # noqa: F401 - attach their routes to the submissions blueprint
    from factcheck.submissions.blueprint import bp as submissions_bp
    from factcheck.verdicts import views as verdicts_views
    from factcheck.web import language_views
    from factcheck.web import views as main_views
    from factcheck.webhooks import views as webhooks_views

    app.register_blueprint(main_views.bp)
    app.register_blueprint(language_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(user_admin.bp)
    app.register_blueprint(claims_bp)
    app.register_blueprint(dossier_views.bp)
    app.register_blueprint(documents_views.bp)
    app.register_blueprint(fetch_views.bp)
    app.register_blueprint(snapshot_views.bp)
    app.register_blueprint(sources_views.bp)
    app.register_blueprint(ratings_views.bp)
    app.register_blueprint(scale_views.bp)
    app.register_blueprint(verdicts_views.bp)
    app.register_blueprint(publishing_views.bp)
    app.register_blueprint(discussion_views.bp)
    app.register_blueprint(search_views.bp)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(exports_views.bp)
    app.register_blueprint(reports_views.bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(organisation_views.bp)
    app.register_blueprint(jobs_views.bp)
    app.register_blueprint(notifications_views.bp)
    app.register_blueprint(webhooks_views.bp)
    app.register_blueprint(public_bp)
    # The API authenticates by bearer token only, never by cookie: no CSRF token applies.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def _init_request_hooks(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        # The app names every request itself; what a client sends is kept apart, never
        # taken as the id the audit history records.
        g.request_id = uuid.uuid4().hex
        supplied = request.headers.get("X-Request-ID", "")
        valid = 1 <= len(supplied) <= 64 and all(ch.isalnum() or ch in "-_.:" for ch in supplied)
        g.client_request_id = supplied if valid else None

    @app.after_request
    def _security_headers(response: Any) -> Any:
        return headers.no_store_unless_shared(headers.apply(response))
