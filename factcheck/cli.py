"""The ``factcheck`` console script: a Flask CLI group bound to the app.

Failures exit non-zero with one readable line (click.ClickException).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from factcheck import create_app, migrate
from factcheck.accounts import operations as accounts
from factcheck.accounts.models import Role, User
from factcheck.audit import roles
from factcheck.audit.changesets import Actor, set_actor
from factcheck.db import get_database, session_scope
from factcheck.jobs.cli import run as run_with_worker
from factcheck.public import stored


def _app_factory() -> object:
    try:
        return create_app()
    except (RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_app_factory, add_version_option=False)
def main() -> None:
    """factcheck: claims, sources, ratings, verdicts and ClaimReview publishing."""


# Flask's development server, with a background worker in the same process (factcheck/jobs/cli.py).
main.add_command(run_with_worker)


def init_app(app: Flask) -> None:
    """Register the app's commands on ``app.cli`` (so ``flask --app factcheck`` has them too)."""
    from factcheck.api.cli import tokens_group
    from factcheck.audit.cli import audit
    from factcheck.documents.cli import documents
    from factcheck.exports.cli import export
    from factcheck.imports.cli import import_, labels
    from factcheck.jobs.cli import worker
    from factcheck.public.cli import pages
    from factcheck.sources.cli import sources
    from factcheck.web.translations_cli import translations

    app.cli.add_command(audit)
    app.cli.add_command(db)
    app.cli.add_command(documents)
    app.cli.add_command(users)
    app.cli.add_command(demo)
    app.cli.add_command(export)
    app.cli.add_command(import_)
    app.cli.add_command(labels)
    app.cli.add_command(worker)
    app.cli.add_command(sources)
    app.cli.add_command(tokens_group)
    app.cli.add_command(pages)
    app.cli.add_command(translations)


@contextmanager
def command_session(command: str) -> Iterator[Session]:
    """A session for one command, committed once; its writes are attributed to the command."""
    with session_scope(current_app) as db_session:
        set_actor(db_session, Actor.command_line(command))
        yield db_session


# --- db ----------------------------------------------------------------------


@click.group()
def db() -> None:
    """Database schema migrations (Alembic)."""


def _configured_app_role() -> str | None:
    return current_app.config.get("DATABASE_APP_ROLE") or None


@contextmanager
def _refused_migration() -> Iterator[None]:
    """A migration that fails or refuses is one line, not a traceback."""
    try:
        yield
    except (roles.RoleError, RuntimeError) as exc:
        # RuntimeError: a revision that refuses to run (0005 going down with a keyed audit history).
        raise click.ClickException(f"not migrated: {exc}") from None
    except DBAPIError as exc:
        # Typically the app's role trying to migrate: only the owner may.
        raise click.ClickException(f"not migrated: {str(exc.orig).strip()}") from None


@db.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the database to REVISION (default: the newest).

    With DATABASE_APP_ROLE set, that role is granted the app's rights again afterwards.
    """
    with _refused_migration():
        migrate.upgrade(get_database(current_app).engine, revision, app_role=_configured_app_role())
    if stored.ensure_current(current_app._get_current_object()):  # type: ignore[attr-defined]
        click.echo("The stored verdict pages are out of date: the worker renders them again.")


@db.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the database to REVISION (default: one step back)."""
    with _refused_migration():
        migrate.downgrade(get_database(current_app).engine, revision, app_role=_configured_app_role())


@db.command("current")
@with_appcontext
def db_current() -> None:
    """Show the revision the database is at."""
    migrate.current(get_database(current_app).engine)


@db.command("grant-app-role")
@click.argument("role", required=False)
@with_appcontext
def db_grant_app_role(role: str | None) -> None:
    """PostgreSQL: give ROLE (default: DATABASE_APP_ROLE) the app's rights and nothing more.

    Run as the owner role that migrates (FACTCHECK_DATABASE_URL names it). The app then
    connects as ROLE and can write the audit history only through its triggers.
    """
    role = role or _configured_app_role()
    if not role:
        raise click.ClickException("name the app's role: factcheck db grant-app-role ROLE")
    try:
        with get_database(current_app).engine.begin() as connection:
            grants = roles.grant_app_role(connection, role)
    except roles.RoleError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(grants.describe())


# --- users -------------------------------------------------------------------


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("no password on standard input")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _role(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Role | None:
    if value is None:
        return None
    try:
        return accounts.parse_role(value)
    except accounts.AccountError as exc:
        raise click.BadParameter(str(exc)) from None


def _existing_user(db_session: Session, email: str) -> User:
    user = accounts.find_user_by_email(db_session, email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    return user


@click.group()
def users() -> None:
    """Create users, change their role, disable them."""


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as colleagues know it.")
@click.option(
    "--role",
    default="reviewer",
    show_default=True,
    callback=_role,
    help="reviewer, editor or admin.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt.")
@with_appcontext
def users_create(email: str, name: str, role: Role, password_stdin: bool) -> None:
    """Create a user with EMAIL. The password is asked for, never given as an option."""
    password = _read_password(password_stdin)
    try:
        with command_session("factcheck users create") as db_session:
            user = accounts.create_user(db_session, email=email, name=name, password=password, role=role)
            summary = f"created {user.email} ({user.role.value})"
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary)


@users.command("set-role")
@click.argument("email")
@click.argument("role", callback=_role)
@with_appcontext
def users_set_role(email: str, role: Role) -> None:
    """Give the user with EMAIL a new ROLE (reviewer, editor, admin)."""
    try:
        with command_session("factcheck users set-role") as db_session:
            user = _existing_user(db_session, email)
            accounts.set_role(db_session, user, role)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{email}: role is now {role.value}")


@users.command("disable")
@click.argument("email")
@click.option("--enable", is_flag=True, help="Re-enable a disabled account instead.")
@with_appcontext
def users_disable(email: str, enable: bool) -> None:
    """Disable the user with EMAIL: no more sign-ins, open sessions end."""
    try:
        with command_session("factcheck users disable") as db_session:
            user = _existing_user(db_session, email)
            accounts.set_disabled(db_session, user, not enable)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{email}: {'enabled' if enable else 'disabled'}")


# --- demo --------------------------------------------------------------------


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo data (idempotent) and print the demo accounts."""
    from factcheck.demo import data

    if current_app.config["ENV"] == "production":
        raise click.ClickException("refusing to load demo accounts into a production instance")
    with command_session("factcheck demo") as db_session:
        report = data.load(db_session)
    click.echo(report.describe())
