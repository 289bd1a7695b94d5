"""``factcheck import claimreview FILE...``, ``factcheck import claims FILE`` and
``factcheck labels map FROM TO`` (docs/imports.md).

Every file is read and checked before anything is written: a file that cannot
be read (missing, not UTF-8, not JSON or CSV, unknown CSV columns, a damaged
``.gz``, an ``.xlsx`` that is not a workbook) stops the command with one
``Error:`` line and exit status 1. A ``.gz`` file is gone through as a stream,
never held in memory (:class:`_Streamed`). Then each record is
imported in a savepoint of its own, so a bad record is reported (with its line
number, or its index in a JSON array) and skipped without leaving half of it
behind, and the rest is imported. The work is committed every
:data:`COMMIT_EVERY` records or :data:`COMMIT_SECONDS`, and at the end (other writers are not kept waiting
by a long import; an import stopped half-way is finished by running it again),
attributed to the command in the audit history, with the reason
"Imported from FILE". The summary on standard output counts what was created,
updated, (ClaimReview) left unchanged or ignored as older, and skipped (grouped
by reason), the unmapped rating labels and the
records published with the import's time for want of a date. Exit status 0 when
something was imported or everything was here already, 1 otherwise.
A progress bar shows on a terminal (standard error).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Generic, Protocol, TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from factcheck.audit.changesets import Actor, AuditError, set_actor, set_reason
from factcheck.cli import command_session
from factcheck.db import utcnow
from factcheck.imports.claimreview import (
    DATABASE,
    BadRecord,
    ImportFileError,
    RawRecord,
    parse_review,
    read_record_stream,
)
from factcheck.imports.claims_csv import (
    SKIPPED,
    ClaimRowImporter,
    CsvFileError,
    CsvRow,
    iter_csv,
    parse_row,
    read_csv,
    read_workbook,
)
from factcheck.imports.labels import (
    LabelMapError,
    LabelMapper,
    UnknownLabel,
    checked_map,
    map_stored_label,
    read_map_file,
    scale_label,
)
from factcheck.imports.store import CREATED, OLDER, UNCHANGED, UPDATED, Outcome, ReviewImporter
from factcheck.imports.summary import DUPLICATE, ImportSummary
from factcheck.imports.tables import InputError, is_gzip, is_xlsx, text_stream, workbook_rows
from factcheck.ratings.models import RatingLabel

CLAIMREVIEW_COMMAND = "factcheck import claimreview"
CLAIMS_COMMAND = "factcheck import claims"
# Records imported per transaction.
COMMIT_EVERY = 200
# ... or sooner, once a batch has held the write transaction this long (seconds): on SQLite
# it holds the file's one write lock, and web writes wait at most SQLITE_BUSY_TIMEOUT_MS.
COMMIT_SECONDS = 0.5
# SQLite: the pause after each commit, so writers waiting on the lock take it before the
# import's next batch does (their busy handler looks again at most every 100 ms).
SQLITE_YIELD_SECONDS = 0.15
# The reason for a record our code could not take, whatever the malformation (the summary groups by it).
MALFORMED = "malformed record"
# Errors of the database itself, not of one record: the run stops (a re-run resumes).
_DATABASE_LOST = (OperationalError, InterfaceError)
# Errors a record's content can raise in parsing or saving it.
_RECORD_ERRORS = (ValueError, TypeError, ArithmeticError, LookupError, AttributeError, RecursionError)

Item = TypeVar("Item")
Result = TypeVar("Result")
ReadItem = TypeVar("ReadItem", RawRecord, CsvRow)
Parsed = TypeVar("Parsed", bound="_Keyed")
Item_co = TypeVar("Item_co", covariant=True)


class Items(Protocol[Item_co]):
    """The records of one file: a list, or a ``.gz`` file's, read again from the file each time."""

    def __iter__(self) -> Iterator[Item_co]: ...

    def __len__(self) -> int: ...


ItemsT = TypeVar("ItemsT", bound=Items[Any])


class _Keyed(Protocol):
    """A parsed record: what importing it again finds it by."""

    @property
    def key(self) -> str: ...


_MAP_HELP = (
    "A JSON object of foreign rating label -> our label key (null: leave unmapped), "
    "on top of the configured IMPORT_LABEL_MAP."
)


@click.group("import")
def import_() -> None:
    """Import fact checks (ClaimReview JSON-LD) and claims (CSV) from other tools."""


# --- ClaimReview -----------------------------------------------------------------------------


@import_.command("claimreview")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--map", "map_file", type=click.Path(path_type=Path), metavar="FILE.json", help=_MAP_HELP)
@with_appcontext
def import_claimreview(files: Sequence[Path], map_file: Path | None) -> None:
    """Import published fact checks from ClaimReview JSON-LD FILES.

    A file holds one ClaimReview, an array of them, a schema.org DataFeed, or one
    <script type="application/ld+json"> record (or JSON object) per line; a FILE ending
    in .gz is decompressed as it is read. Each record becomes a published claim;
    importing the same file again adds nothing.
    """
    mapping = _label_map(map_file)
    loaded: list[tuple[Path, Items[RawRecord]]] = []
    for path in files:
        loaded.append((path, _nonempty(path, _review_records(path), empty="it holds no records")))

    summary = ImportSummary(noun="record", compares_versions=True)
    run = _Run(summary, total=sum(len(records) for _, records in loaded))
    try:
        with command_session(CLAIMREVIEW_COMMAND) as session:
            mapper = _mapper(session, mapping, summary)
            for number, (path, records) in enumerate(loaded):
                if number:
                    # Seal the previous file's changeset: each file's changes carry their own reason.
                    set_actor(session, Actor.command_line(CLAIMREVIEW_COMMAND))
                prefix = f"{path} " if len(loaded) > 1 else ""
                _import_reviews(session, mapper, path, records, run, prefix)
            run.at_end()
    except (SQLAlchemyError, AuditError) as error:
        raise run.stopped(error) from None
    _finish(summary)


def _import_reviews(
    session: Session,
    mapper: LabelMapper,
    path: Path,
    records: Items[RawRecord],
    run: _Run,
    prefix: str,
) -> None:
    summary = run.summary
    importer = ReviewImporter(session, mapper, source=str(path), now=utcnow())
    saved = _saved(
        session,
        run,
        path,
        records,
        where=lambda raw: prefix + raw.location,
        parse=lambda raw: parse_review(raw.data),
        save=importer.save,
        same="record",
    )
    for where, review, outcome in saved:
        _count(summary, outcome, where)
        match = outcome.label
        if match is not None and match.label is None and not review.retracted:
            summary.unmapped_label(outcome.label_name)
        elif match is not None and match.how == "number" and match.label is not None and review.numbers:
            numbers = review.numbers.as_dict()
            summary.by_number[
                f"{outcome.label_name!r} ({numbers['value']} from {numbers['worst']} to {numbers['best']}) "
                f"-> {match.label.name}"
            ] += 1
        if outcome.undated:
            summary.undated.append(where)


def _count(summary: ImportSummary, outcome: Outcome, where: str) -> None:
    if outcome.status == CREATED:
        summary.add_created()
    elif outcome.status == UPDATED:
        summary.add_updated(outcome.why)
    elif outcome.status == UNCHANGED:
        summary.add_unchanged()
    elif outcome.status == OLDER:
        summary.add_older(where)
    else:
        summary.skip(outcome.why, where, f"claim #{outcome.claim_id}" if outcome.claim_id else "")


# --- claims CSV ------------------------------------------------------------------------------


@import_.command("claims")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--map", "map_file", type=click.Path(path_type=Path), metavar="FILE.json", help=_MAP_HELP)
@click.option(
    "--date-format",
    metavar="FORMAT",
    help="How the Claim date column writes dates, in strftime's codes: %m/%d/%y reads 09/28/17. "
    "Without it, ISO dates and forms with only one reading are read.",
)
@click.option("--dry-run", is_flag=True, help="Report what the import would do, and write nothing.")
@with_appcontext
def import_claims(file: Path, map_file: Path | None, date_format: str | None, dry_run: bool) -> None:
    """Import claims from FILE: a CSV (or FILE.csv.gz) or an XLSX workbook with the columns
    of the claims export.

    "Claim" and "Claimant" are required; imported claims start in state new.
    Importing the same file again adds nothing; with a new --map it updates the
    verdicts' labels.
    """
    mapping = _label_map(map_file)
    if date_format is not None:
        _check_date_format(date_format)
    rows = _nonempty(file, _claim_rows(file), empty="it has a header but no rows")

    summary = ImportSummary(noun="row")
    run = _Run(summary, total=len(rows), dry_run=dry_run)
    try:
        with command_session(CLAIMS_COMMAND) as session:
            mapper = _mapper(session, mapping, summary)
            _import_rows(session, mapper, file, rows, run, date_format)
            run.at_end()
            if dry_run:
                # Everything, the audit history included, was written in this one transaction.
                session.rollback()
    except (SQLAlchemyError, AuditError) as error:
        raise run.stopped(error) from None
    if dry_run:
        summary.notes.append("Dry run: nothing was written (run it again without --dry-run to import).")
    _finish(summary)


def _check_date_format(date_format: str) -> None:
    """A --date-format that reads no date at all is refused before anything is read."""
    if "%" not in date_format:
        raise click.ClickException(
            f"--date-format {date_format!r} has no strftime code: write dates such as 09/28/17 as %m/%d/%y"
        )
    try:
        sample = date(2017, 9, 28).strftime(date_format)
        datetime.strptime(sample, date_format)  # noqa: DTZ007 - only the format is checked
    except ValueError as error:
        raise click.ClickException(
            f"--date-format {date_format!r} is not a usable date format ({error})"
        ) from None


def _claim_rows(path: Path) -> Items[CsvRow]:
    try:
        if is_xlsx(path):
            return read_workbook(workbook_rows(path))
        if is_gzip(path):
            return _Streamed(path, iter_csv)
        with text_stream(path) as stream:
            return read_csv(stream)
    except (InputError, CsvFileError) as error:
        raise click.ClickException(f"cannot read {path}: {error}") from None


def _review_records(path: Path) -> Items[RawRecord]:
    try:
        if is_gzip(path):
            return _Streamed(path, read_record_stream)
        with text_stream(path) as stream:
            return list(read_record_stream(stream))
    except (InputError, ImportFileError) as error:
        raise click.ClickException(f"cannot read {path}: {error}") from None


class _Streamed(Generic[Item]):
    """The records of a ``.gz`` file, decompressed again each time they are gone through, so the
    file is never held in memory: once (after the archive is checked to its end) to count and
    check them, before anything is written; once to import them."""

    def __init__(self, path: Path, read: Callable[[IO[str]], Iterator[Item]]) -> None:
        self.path = path
        self.read = read
        with text_stream(path) as stream:
            self.count = sum(1 for _ in read(stream))

    def __iter__(self) -> Iterator[Item]:
        with text_stream(self.path, check=False) as stream:
            yield from self.read(stream)

    def __len__(self) -> int:
        return self.count


def _import_rows(
    session: Session, mapper: LabelMapper, path: Path, rows: Items[CsvRow], run: _Run, date_format: str | None
) -> None:
    summary = run.summary
    importer = ClaimRowImporter(session, mapper, source=str(path))
    saved = _saved(
        session,
        run,
        path,
        rows,
        where=lambda row: row.location,
        parse=lambda row: parse_row(row.cells, date_format=date_format),
        save=importer.save,
        same="claim",
    )
    for where, parsed, outcome in saved:
        if outcome.status == CREATED:
            summary.add_created()
        elif outcome.status == UPDATED:
            summary.add_updated(outcome.why)
        else:
            summary.skip(outcome.why, where, f"claim #{outcome.claim_id}")
        if (
            outcome.status != SKIPPED
            and parsed.label
            and outcome.label is not None
            and outcome.label.label is None
        ):
            summary.unmapped_label(parsed.label)


# --- shared ----------------------------------------------------------------------------------


def _nonempty(path: Path, items: ItemsT, *, empty: str) -> ItemsT:
    """Every record of the file, read before anything is written: one that holds none stops the
    command (``empty`` says why)."""
    if not items:
        raise click.ClickException(f"cannot read {path}: {empty}")
    return items


def _label_map(map_file: Path | None) -> dict[str, str | None]:
    try:
        mapping = checked_map(current_app.config.get("IMPORT_LABEL_MAP"), "IMPORT_LABEL_MAP")
        if map_file is not None:
            mapping.update(read_map_file(map_file))
    except LabelMapError as error:
        raise click.ClickException(str(error)) from None
    return mapping


def _mapper(session: Session, mapping: dict[str, str | None], summary: ImportSummary) -> LabelMapper:
    mapper = LabelMapper(session.scalars(select(RatingLabel)), mapping)
    summary.notes.extend(f"Warning: {problem} (ignored)" for problem in mapper.problems)
    return mapper


@dataclass
class _Run:
    """How far an import has got, for the line that ends it if the database fails."""

    summary: ImportSummary
    # Records (or rows) of all the files.
    total: int
    # Records read so far, and of them those whose batch is committed.
    done: int = 0
    committed: int = 0
    # Where it is: "line 357 of fact_checks.txt", or "the final commit".
    where: str = "the start"
    # Nothing is committed: the whole run is rolled back at its end.
    dry_run: bool = False
    # When the batch in hand began (time.monotonic()).
    batch_started: float = field(default_factory=time.monotonic)

    def at(self, path: Path, location: str) -> None:
        self.done += 1
        self.where = f"{location} of {path.name}"

    def at_end(self) -> None:
        self.where = "the final commit"

    def stopped(self, error: BaseException) -> click.ClickException:
        """The one line that ends a run the database stopped: what happened, how far it got,
        and that running it again resumes (what is committed is skipped as already imported)."""
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            what = "the database connection was lost"
        elif isinstance(error, _DATABASE_LOST):
            what = f"the database failed ({_one_line(error)})"
        else:
            what = f"it was refused ({_one_line(error)})"
        noun = self.summary.noun
        return click.ClickException(
            f"the import stopped at {self.where}: {what}. {self.committed} of {self.summary.count(self.total)} "
            f"were committed before; run the same import again to resume (each {noun} already imported is skipped)"
        )


def _commit_every_batch(session: Session, run: _Run) -> None:
    """Commit after COMMIT_EVERY records or COMMIT_SECONDS, whichever comes first, so a long
    import does not keep other writers waiting (the audit chain's lock, SQLite's write lock)
    until it ends: each batch is a changeset of its own, with the import's reason. Safe because
    importing is idempotent: an import stopped half-way is finished by running it again."""
    if run.dry_run or run.done <= 1:
        return
    if (run.done - 1) % COMMIT_EVERY != 0 and time.monotonic() - run.batch_started < COMMIT_SECONDS:
        return
    session.commit()
    run.committed = run.done - 1
    # Keep memory flat however long the file.
    session.expunge_all()
    if session.get_bind().dialect.name == "sqlite":
        time.sleep(SQLITE_YIELD_SECONDS)
    run.batch_started = time.monotonic()


def _saved(
    session: Session,
    run: _Run,
    path: Path,
    items: Items[ReadItem],
    *,
    where: Callable[[ReadItem], str],
    parse: Callable[[ReadItem], Parsed],
    save: Callable[[Parsed], Result],
    same: str,
) -> Iterator[tuple[str, Parsed, Result]]:
    """Each item of ``path`` read, parsed and saved in a savepoint of its own, committed in batches:
    ``(where, parsed, outcome)``. An item that cannot be read or parsed, a second item with the
    same key (the same ``same``) and a refused save are skipped, with the reason in the summary;
    so is an item our code cannot take, whatever is wrong with it (:data:`MALFORMED`)."""
    summary = run.summary
    reason = f"Imported from {path}"
    first_seen: dict[str, str] = {}
    for item in _progress(items, f"Importing {path.name}"):
        location = where(item)
        run.at(path, location)
        _commit_every_batch(session, run)
        if item.error is not None:
            summary.skip(item.error.reason, location, item.error.detail)
            continue
        try:
            parsed = parse(item)
        except BadRecord as bad:
            summary.skip(bad.reason, location, bad.detail)
            continue
        except _RECORD_ERRORS as error:
            summary.skip(MALFORMED, location, _plain(error))
            continue
        if parsed.key in first_seen:
            summary.skip(DUPLICATE, location, f"the same {same} as {first_seen[parsed.key]}")
            continue
        first_seen[parsed.key] = location
        outcome = _in_savepoint(session, reason, location, summary, lambda parsed=parsed: save(parsed))
        if outcome is not None:
            yield location, parsed, outcome


def _in_savepoint(
    session: Session, reason: str, where: str, summary: ImportSummary, save: Callable[[], Result]
) -> Result | None:
    """Run ``save()`` in a savepoint; a BadRecord or a database refusal undoes it and is reported."""
    # Given again for each record: a savepoint rolled back takes the changeset (and its reason) with it.
    set_reason(session, reason)
    try:
        with session.begin_nested():
            return save()
    except BadRecord as bad:
        summary.skip(bad.reason, where, bad.detail)
    except _DATABASE_LOST:
        # Not this record's fault: the run stops, and a re-run resumes from the last commit.
        raise
    except SQLAlchemyError as error:
        summary.skip(DATABASE, where, _one_line(error))
    except _RECORD_ERRORS as error:
        summary.skip(MALFORMED, where, _plain(error))
    return None


def _progress(items: Items[Item], label: str) -> Iterator[Item]:
    """``items``, with a progress bar on standard error when it is a terminal."""
    if not _on_terminal():
        yield from items
        return
    bar: Iterable[Item]
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield from bar


def _on_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _plain(error: BaseException) -> str:
    """An error of our code on a record, in one line without a traceback."""
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return f"{type(error).__name__}: {_one_line(error)}"


def _one_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


def _finish(summary: ImportSummary) -> None:
    for line in summary.lines():
        click.echo(line)
    if not summary.succeeded:
        raise click.ClickException(f"nothing was imported: every {summary.noun} was skipped as bad")


# --- labels ----------------------------------------------------------------------------------

LABELS_MAP_COMMAND = "factcheck labels map"


@click.group("labels")
def labels() -> None:
    """Rating labels of imported verdicts."""


@labels.command("map")
@click.argument("foreign", metavar="FROM")
@click.argument("ours", metavar="TO")
@with_appcontext
def map_label(foreign: str, ours: str) -> None:
    """Give every imported verdict labelled FROM (the label as imported, any case) our label TO
    (a key or name of the rating scale). Nothing public changes; verdicts changed here since
    the import are left as they are."""
    with command_session(LABELS_MAP_COMMAND) as session:
        try:
            target = scale_label(session, ours)
        except UnknownLabel as error:
            raise click.ClickException(str(error)) from None
        set_reason(session, f"Imported label {foreign!r} mapped to {target.name!r} (our scale)")
        done = map_stored_label(session, foreign, target)
    click.echo(
        f"Mapped {foreign!r} to {target.name}: {done.changed} verdict{'' if done.changed == 1 else 's'} changed."
    )
    if done.unchanged:
        click.echo(f"Already {target.name}: {done.unchanged}.")
    if done.edited_here:
        click.echo(f"Left as they are (changed here since the import): {done.edited_here}.")
