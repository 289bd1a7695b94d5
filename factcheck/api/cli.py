"""``factcheck tokens``: make, list and revoke API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from factcheck.accounts import operations as accounts
from factcheck.accounts.models import TokenScope
from factcheck.api import tokens
from factcheck.cli import command_session


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"  # type: ignore[attr-defined]


@click.group("tokens")
def tokens_group() -> None:
    """Make, list and revoke API tokens (docs/api.md)."""


@tokens_group.command("create")
@click.argument("email")
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in TokenScope]),
    required=True,
    help="read: GET only; write: everything the person may do.",
)
@click.option("--expires", "days", type=int, default=None, help="Days until it expires (default: never).")
@click.option("--name", default=None, help="What the token is for (shown in lists).")
@with_appcontext
def tokens_create(email: str, scope: str, days: int | None, name: str | None) -> None:
    """Make a token for the user with EMAIL and print it (it is shown only this once)."""
    try:
        with command_session("factcheck tokens create") as db_session:
            user = accounts.find_user_by_email(db_session, email)
            if user is None:
                raise click.ClickException(f"no user with the email {email}")
            made = tokens.issue_token(db_session, user, name=name, scope=scope, expires_in_days=days)
            token = made.token
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(token)


@tokens_group.command("list")
@click.argument("email")
@with_appcontext
def tokens_list(email: str) -> None:
    """The tokens of the user with EMAIL: prefix, scope, status, created, last used, expiry, name."""
    with command_session("factcheck tokens list") as db_session:
        user = accounts.find_user_by_email(db_session, email)
        if user is None:
            raise click.ClickException(f"no user with the email {email}")
        rows = [
            "\t".join(
                [
                    token.prefix or "(no prefix)",
                    token.scope.value,
                    tokens.status_of(token),
                    _when(token.created_at),
                    _when(token.last_used_at),
                    _when(token.expires_at),
                    token.name,
                ]
            )
            for token in tokens.tokens_of(db_session, user)
        ]
    click.echo("prefix\tscope\tstatus\tcreated\tlast used\texpires\tname")
    for row in rows:
        click.echo(row)


@tokens_group.command("revoke")
@click.argument("prefix")
@with_appcontext
def tokens_revoke(prefix: str) -> None:
    """Revoke the token whose prefix is PREFIX (fct_ and 8 characters): it stops at once."""
    with command_session("factcheck tokens revoke") as db_session:
        token = tokens.token_by_prefix(db_session, prefix)
        if token is None:
            raise click.ClickException(f"no token with the prefix {prefix}")
        revoked = tokens.revoke(db_session, token)
    click.echo(f"{prefix}: revoked" if revoked else f"{prefix}: was already revoked")
