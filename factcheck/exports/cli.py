"""``factcheck export claims``: the claims export on the command line.

The file is written next to its destination under a temporary name and renamed
into place at the end, so a failed export never leaves a half-written file (and
never touches an existing one). A progress bar shows on a terminal (standard
error), counting the matching claims. Bad options exit 2 and failures exit 1,
each with one ``Error:`` line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from factcheck.db import reading_session
from factcheck.exports import claimreview, formats
from factcheck.exports.catalogue import CLAIM_FORMATS, SHEET, claim_chunks, matching_count, reviews_in
from factcheck.exports.claims import (
    CLAIM_COLUMNS,
    CLAIM_SHEETS,
    DATE_FIELDS,
    ClaimRecord,
    InvalidFilter,
    Viewer,
    claim_records,
    parse_filter,
)
from factcheck.publishing.urls import FALLBACK_BASE

STDOUT = "-"
# Progress bar steps: one redraw per this many claims.
PROGRESS_STEP = 100
# The option each filter comes from, for error messages.
OPTION_OF = {
    "date_field": "--date-field",
    "date_from": "--from",
    "date_to": "--to",
    "state": "--state",
    "label": "--label",
    "tag": "--tag",
    "reviewer": "--reviewer",
    "claimant": "--claimant",
}


class BadOption(click.ClickException):
    """A bad option value: one ``Error:`` line, exit status 2 (like a usage error, without the usage)."""

    exit_code = 2


@click.group("export")
def export() -> None:
    """Export data for the team (claims to CSV, XLSX, JSON, NDJSON or a ClaimReview feed)."""


@export.command("claims")
@click.option(
    "--format",
    "format_key",
    default="csv",
    show_default=True,
    metavar="FORMAT",
    help="csv, xlsx, json, ndjson or claimreview (a JSON-LD DataFeed of the published claims).",
)
@click.option(
    "--date-field",
    default="captured",
    show_default=True,
    metavar="FIELD",
    help="Which date --from/--to apply to: captured or published (first publication).",
)
@click.option(
    "--from", "date_from", metavar="YYYY-MM-DD", help="Only claims dated on or after this day (UTC)."
)
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Only claims dated on or before this day (UTC).")
@click.option(
    "--state", help="Only claims in this state (new, researching, in_review, ready, published, dismissed)."
)
@click.option("--label", metavar="KEY", help="Only claims whose draft verdict has this rating label key.")
@click.option("--tag", metavar="NAME", help="Only claims with this tag.")
@click.option("--reviewer", metavar="EMAIL|ID", help="Only claims this person has rated.")
@click.option("--claimant", metavar="TEXT", help="Only claims whose claimant contains this text (any case).")
@click.option(
    "--output",
    "-o",
    default=STDOUT,
    show_default=True,
    metavar="FILE",
    help="Where to write; - for standard output (not for xlsx).",
)
@with_appcontext
def export_claims(
    format_key: str,
    date_field: str,
    date_from: str | None,
    date_to: str | None,
    state: str | None,
    label: str | None,
    tag: str | None,
    reviewer: str | None,
    claimant: str | None,
    output: str,
) -> None:
    """Export the claims matching the filters, one row per claim, oldest first."""
    format_key = format_key.strip().lower()
    if format_key not in CLAIM_FORMATS:
        raise BadOption(f"--format: {format_key!r} is not a format; use one of {', '.join(CLAIM_FORMATS)}")
    format_ = CLAIM_FORMATS[format_key]
    if format_.binary and output == STDOUT:
        raise BadOption(f"--output: {format_key} is a binary format; give a file name")
    if date_field.strip().lower() not in DATE_FIELDS:
        raise BadOption(f"--date-field: {date_field!r} is not a date field; use captured or published")

    with reading_session(current_app) as session:
        try:
            claim_filter = parse_filter(
                session,
                date_field=date_field,
                date_from=date_from,
                date_to=date_to,
                state=state,
                label=label,
                tag=tag,
                reviewer=reviewer,
                claimant=claimant,
            )
        except InvalidFilter as exc:
            raise BadOption(f"{OPTION_OF[exc.field]}: {exc.message}") from None
        progress = _Progress(matching_count(session, format_key, claim_filter) if _on_terminal() else None)
        # One request context for the whole export (url_for needs one), so the verdict URLs
        # are built quickly and are those check_url gives outside a request: PUBLIC_URL, else
        # the fallback address, which this context's host is.
        with current_app.test_request_context(base_url=FALLBACK_BASE), progress:
            records = progress.counting(claim_records(session, claim_filter, Viewer.command_line()))
            try:
                if format_.binary:
                    _write_file(
                        output,
                        lambda handle: formats.write_xlsx(
                            CLAIM_COLUMNS, records, handle, sheet=SHEET, extra_sheets=CLAIM_SHEETS
                        ),
                    )
                else:
                    chunks = claim_chunks(session, format_key, claim_filter, records)
                    if format_key == claimreview.FORMAT.key:
                        chunks = progress.counting_reviews(chunks)  # type: ignore[arg-type]
                    _write_text(output, chunks)  # type: ignore[arg-type]
            except (SQLAlchemyError, OSError) as exc:
                outcome = "output incomplete" if output == STDOUT else "nothing written"
                raise click.ClickException(f"export failed, {outcome}: {_one_line(exc)}") from None
    where = "standard output" if output == STDOUT else output
    noun = "claim" if progress.done == 1 else "claims"
    click.echo(f"Exported {progress.done} {noun} to {where}", err=output == STDOUT)


# --- writing -----------------------------------------------------------------------------


def _write_text(output: str, chunks: Iterable[str]) -> None:
    if output == STDOUT:
        with click.open_file(STDOUT, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode("utf-8"))
            stream.flush()
        return

    def write(handle: IO[bytes]) -> None:
        for chunk in chunks:
            handle.write(chunk.encode("utf-8"))

    _write_file(output, write)


def _write_file(path: str, write: Callable[[IO[bytes]], Any]) -> None:
    """Write through a temporary file in the destination's folder, renamed into place when complete."""
    target = os.path.abspath(path)
    if os.path.isdir(target):
        raise BadOption(f"--output: {path} is a folder; give a file name")
    directory, name = os.path.split(target)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=directory)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- progress ------------------------------------------------------------------------------


def _on_terminal() -> bool:
    return sys.stderr.isatty()


class _Progress:
    """Counts exported claims; draws a bar on standard error when ``total`` is known (a terminal)."""

    def __init__(self, total: int | None) -> None:
        self.total = total
        self.done = 0
        self._bar: Any = None
        self._pending = 0

    def __enter__(self) -> _Progress:
        if self.total is not None:
            self._bar = click.progressbar(
                length=self.total, label="Exporting claims", file=sys.stderr, show_pos=True
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._bar is not None:
            self._flush()
            self._bar.__exit__(*exc_info)

    def _advance(self, count: int) -> None:
        self.done += count
        self._pending += count
        if self._bar is not None and self._pending >= PROGRESS_STEP:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._bar.update(self._pending)
            self._pending = 0

    def counting(self, records: Iterable[ClaimRecord]) -> Iterator[ClaimRecord]:
        for record in records:
            self._advance(1)
            yield record

    def counting_reviews(self, chunks: Iterable[str]) -> Iterator[str]:
        # The feed reads the claims itself: count the reviews in its text.
        for chunk in chunks:
            self._advance(reviews_in(chunk))
            yield chunk
