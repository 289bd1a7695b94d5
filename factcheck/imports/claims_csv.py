"""Importing claims from a spreadsheet in the columns of the claims CSV export (docs/imports.md).

The input is CSV text read line by line (:func:`read_csv`; a ``.gz`` file is decompressed
as a stream by :mod:`factcheck.imports.tables`) or the rows of an XLSX sheet
(:func:`read_workbook`). The columns are the export's
(:data:`factcheck.exports.claims.CLAIM_COLUMNS`, documented in docs/exports.md),
named by their heading ("Claim date") or their machine name ("claim_date"), in
any case and order ("Publisher" is also read as "Imported from publisher").
"Claim" and "Claimant" are required; a column the export does not have is an
error naming it (so a typo never drops a column silently). What is read:

- Claim, Claimant, Claim date (:func:`read_date`): the claim;
- Claimant kind: ``person``, ``organisation`` (or ``organization``) or
  ``unknown``, any case; an empty cell or no such column is unknown, any other
  word skips the row;
- Language: a language's name or tag, stored as a BCP 47 tag;
- Appearances: one a line, a web address or else a venue in words ("a mailer";
  the export lists documents by title, which are kept the same way);
- Verdict label (draft), Verdict headline (draft), Verdict summary (draft): the
  draft verdict; the label (Imported label when the row has one: our own export
  of an imported verdict) is kept verbatim (``imported_label``) and goes through
  the label map like ClaimReview labels; Imported from publisher (or
  Publisher): who gave it;
- Tags: separated by ";";
- Claim ID: see below. The other columns (state, dates, published label and
  URL, ratings, counts) describe the claim where it was exported and are ignored.

Imported claims are in state ``new``: they are work to do, whatever the row's
State column says, because a published verdict needs its sources, ratings and
an editor's approval here. The import key is ``csv:`` + a hash of the claim's
wording, claimant, date, publisher and label (:func:`row_key`), so importing the
same file again skips its rows ("already imported") or, with another label map,
updates their verdict's label; a row whose Claim ID is a claim of this database
with the same wording and claimant (an export re-imported where it came from) is
skipped as "already here". Cells the export neutralised against formula
injection (a leading ``'`` before ``=``, ``+``, ``-``, ``@``) are restored.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims.editing import MAX_TAG_LENGTH, ClaimEditError, ClaimValues
from factcheck.claims.models import Appearance, Claim, ClaimantKind, ClaimState, ClaimTransition, Tag
from factcheck.exports.claims import CLAIM_COLUMNS
from factcheck.exports.streams import FORMULA_STARTS
from factcheck.imports.claimreview import BAD_DATE, BAD_URL, MAX_URL_LENGTH, BadRecord
from factcheck.imports.jsontext import text_problem
from factcheck.imports.labels import LabelMapper, LabelMatch, normalise
from factcheck.imports.languages import language_tag
from factcheck.imports.summary import ALREADY_IMPORTED, HERE_ALREADY, LOCAL_CHANGES
from factcheck.verdicts.models import Verdict
from factcheck.web.urls import UrlProblem, clean_http_url

KEY_PREFIX = "csv:"
CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"
# Why a row imported before is updated.
MAP_CHANGED = "the label map gives the verdict another label"
LABEL_STORED = "the label as imported is now kept"
REQUIRED = ("claim", "claimant")
# Columns read; every other export column is accepted and ignored.
READ = frozenset(
    {
        "claim_id",
        "claim",
        "claimant",
        "claimant_kind",
        "claim_date",
        "appearances",
        "verdict_label",
        "verdict_headline",
        "verdict_summary",
        "tags",
        "language",
        "imported_label",
        "imported_publisher",
    }
)
# Other names archives give columns the export has: "Publisher" (who gave the label).
ALIASES = {"publisher": "imported_publisher"}
# Heading or machine name, casefolded -> machine name.
_COLUMN_NAMES = {
    **{column.header.casefold(): column.name for column in CLAIM_COLUMNS},
    **{column.name.casefold(): column.name for column in CLAIM_COLUMNS},
    **ALIASES,
}
HEADLINE_LENGTH = 300
MISSING = "missing claim or claimant"
TOO_LONG = "too long"
BAD_KIND = "unknown claimant kind"
# A Claimant kind cell, casefolded -> the kind (schema.org's spelling is accepted too).
_KINDS = {
    **{kind.value: kind for kind in ClaimantKind},
    "organization": ClaimantKind.ORGANISATION,
    "": ClaimantKind.UNKNOWN,
}
BAD_ROW = "malformed row"
BAD_LANGUAGE = "unknown language"
AMBIGUOUS_DATE = "ambiguous date"
# Column widths (verdicts.imported_label, verdicts.imported_publisher, appearances.venue).
LABEL_LENGTH = 80
PUBLISHER_LENGTH = 200
VENUE_LENGTH = 200


class CsvFileError(ValueError):
    """A file the import refuses as a whole (unknown or missing columns, not CSV)."""


@dataclass
class CsvRow:
    """One row: the line it starts on, and its cells by machine name (or why it cannot be read)."""

    location: str
    cells: dict[str, str] = field(default_factory=dict)
    error: BadRecord | None = None


def _column(heading: str) -> str | None:
    return _COLUMN_NAMES.get(" ".join(heading.replace("\ufeff", "").split()).casefold())


def _delimiter(first_line: str) -> str:
    """Comma, semicolon or tab: whichever makes the most known headings (spreadsheets vary)."""

    def known(delimiter: str) -> int:
        headings = next(csv.reader([first_line], delimiter=delimiter), [])
        return sum(1 for heading in headings if _column(heading))

    return max((",", ";", "\t"), key=known)


def _restore(cell: str) -> str:
    """Undo the export's formula neutralisation ('=SUM(...) -> =SUM(...))."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def read_csv(lines: Iterable[str]) -> list[CsvRow]:
    """The rows of a claims CSV, read line by line (a file, a decompressed stream), each with the
    line it starts on. Raises CsvFileError for a missing header, unknown or repeated columns, or
    missing required columns."""
    return list(iter_csv(lines))


def iter_csv(lines: Iterable[str]) -> Iterator[CsvRow]:
    """:func:`read_csv`, one row at a time: the header is checked at once (CsvFileError), the rows
    are read as they are asked for."""
    lines = iter(lines)
    first_line = next(lines, "").lstrip("\ufeff")
    if not first_line.strip():
        if any(line.strip() for line in lines):
            raise CsvFileError("the first line is empty: it must hold the column headings")
        raise CsvFileError("the file is empty")
    reader = csv.reader(
        itertools.chain([first_line], lines), delimiter=_delimiter(first_line.rstrip("\r\n")), strict=True
    )
    try:
        headings = next(reader)
    except csv.Error as error:
        raise CsvFileError(f"the header line is not CSV: {error}") from None
    return _rows(reader, _names(headings))


def read_workbook(rows: Iterable[tuple[int, list[str]]]) -> list[CsvRow]:
    """The rows of a workbook's sheet (row number, cells), the first non-empty one its headings."""
    rows = iter(rows)
    for _, headings in rows:
        if any(cell.strip() for cell in headings):
            break
    else:
        raise CsvFileError("the sheet is empty")
    names = _names(headings)
    found = []
    for number, cells in rows:
        if (row := _row(f"row {number}", names, cells)) is not None:
            found.append(row)
    return found


def _names(headings: list[str]) -> list[str]:
    """The machine name of each heading; raises CsvFileError for unknown, repeated or missing columns."""
    names: list[str] = []
    unknown = []
    for heading in headings:
        name = _column(heading)
        if name is None:
            if heading.strip():
                unknown.append(heading.strip())
            name = ""
        names.append(name)
    if unknown:
        raise CsvFileError(
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(repr(u) for u in unknown)}; "
            "use the headings of the claims CSV export (docs/exports.md)"
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise CsvFileError(f"repeated column{'s' if len(repeated) > 1 else ''} {', '.join(repeated)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise CsvFileError(
            f"the required column{'s' if len(missing) > 1 else ''} {' and '.join(missing)} missing"
        )
    return names


def _rows(reader: Any, names: list[str]) -> Iterator[CsvRow]:
    while True:
        start = reader.line_num + 1
        where = f"line {start}"
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield CsvRow(where, error=BadRecord(BAD_ROW, str(error)))
            continue
        if (row := _row(where, names, cells)) is not None:
            yield row


def _row(where: str, names: list[str], cells: list[str]) -> CsvRow | None:
    """One row's cells by machine name (None for an empty row), or why it cannot be read."""
    if not any(cell.strip() for cell in cells):
        return None
    if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
        return CsvRow(where, error=BadRecord(BAD_ROW, f"{len(cells)} cells, but {len(names)} columns"))
    row = {name: _restore(cell) for name, cell in zip(names, cells, strict=False) if name}
    if (malformed := text_problem(row)) is not None:
        return CsvRow(where, error=BadRecord(malformed.reason, malformed.detail))
    return CsvRow(where, row)


@dataclass
class ParsedRow:
    key: str
    claim_id: int | None
    text: str
    claimant: str
    claimed_on: date | None
    urls: list[str]
    label: str | None
    headline: str
    summary: str
    tags: list[str]
    claimant_kind: ClaimantKind = ClaimantKind.UNKNOWN
    # Where it appeared when the line is no web address ("a mailer", a document's title).
    venues: list[str] = field(default_factory=list)
    language: str | None = None
    # Who gave the label (a fact-checker's name); part of the row's identity.
    publisher: str | None = None
    # The key rows had before publisher and label were part of it (revision 0009).
    old_key: str = ""


def parse_row(cells: dict[str, str], *, date_format: str | None = None) -> ParsedRow:
    """Check one row. Raises BadRecord (missing claim or claimant, too long, a bad or ambiguous
    date, a bad address, an unknown claimant kind or language). ``date_format`` (strptime's, e.g.
    ``%m/%d/%y``) reads the Claim date; without it ISO dates and unambiguous forms are read."""

    def cell(name: str) -> str:
        return (cells.get(name) or "").strip()

    if not cell("claim") or not cell("claimant"):
        raise BadRecord(MISSING, "the Claim and Claimant cells must not be empty")
    claimed_on = read_date(cell("claim_date"), date_format) if cell("claim_date") else None
    try:
        checked = ClaimValues(text=cell("claim"), claimant=cell("claimant"), claimed_on=claimed_on).checked()
    except ClaimEditError as error:
        raise BadRecord(TOO_LONG, str(error)) from None
    urls: list[str] = []
    venues: list[str] = []
    for line in cell("appearances").splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        if "://" not in line and not line.lower().startswith("www."):
            # No address: a venue in words ("a mailer", "a TV ad"), or a document's title in our
            # own export (the document itself is not exported). Either way, where it appeared.
            if len(line) > VENUE_LENGTH:
                raise BadRecord(
                    TOO_LONG, f"Appearances {line[:30]!r}...: longer than {VENUE_LENGTH} characters"
                )
            if line not in venues:
                venues.append(line)
            continue
        try:
            url = clean_http_url(line, MAX_URL_LENGTH)
        except UrlProblem as problem:
            raise BadRecord(BAD_URL, f"Appearances {line[:60]!r}: {problem}") from None
        if url and url not in urls:
            urls.append(url)
    tags = []
    for tag in cell("tags").split(";"):
        tag = " ".join(tag.split())
        if tag and tag not in tags:
            if len(tag) > MAX_TAG_LENGTH:
                raise BadRecord(
                    TOO_LONG, f"the tag {tag[:30]!r}... is longer than {MAX_TAG_LENGTH} characters"
                )
            tags.append(tag)
    headline = cell("verdict_headline")
    if len(headline) > HEADLINE_LENGTH:
        raise BadRecord(TOO_LONG, f"the verdict headline is longer than {HEADLINE_LENGTH} characters")
    # The label as its source wrote it: our own export gives it apart from our scale's name.
    label = " ".join((cell("imported_label") or cell("verdict_label")).split()) or None
    if label is not None and len(label) > LABEL_LENGTH:
        raise BadRecord(TOO_LONG, f"the verdict label is longer than {LABEL_LENGTH} characters")
    publisher = " ".join(cell("imported_publisher").split()) or None
    if publisher is not None and len(publisher) > PUBLISHER_LENGTH:
        raise BadRecord(TOO_LONG, f"the publisher is longer than {PUBLISHER_LENGTH} characters")
    claim_id = int(cell("claim_id")) if cell("claim_id").isdigit() else None
    kind = _KINDS.get(cell("claimant_kind").casefold())
    if kind is None:
        raise BadRecord(
            BAD_KIND, f"Claimant kind {cell('claimant_kind')[:30]!r}: use person, organisation or unknown"
        )
    language = None
    if cell("language"):
        language = language_tag(cell("language"))
        if language is None:
            raise BadRecord(
                BAD_LANGUAGE,
                f"Language {cell('language')[:30]!r}: give a language's name (Russian, español) or tag (ru, pt-BR)",
            )
    return ParsedRow(
        key=row_key(checked["text"], checked["claimant"], claimed_on, publisher=publisher, label=label),
        old_key=row_key(checked["text"], checked["claimant"], claimed_on),
        claim_id=claim_id,
        text=checked["text"],
        claimant=checked["claimant"],
        claimed_on=claimed_on,
        urls=urls,
        venues=venues,
        label=label,
        headline=headline,
        summary=cell("verdict_summary"),
        tags=tags,
        claimant_kind=kind,
        language=language,
        publisher=publisher,
    )


# --- dates -------------------------------------------------------------------------------

_MONTHS = {
    **{name.casefold(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.casefold(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_WORDS = re.compile(r"[^\W\d_]+|\d+")


def read_date(value: str, date_format: str | None = None) -> date:
    """A Claim date cell. With ``date_format``, read with it; without, ISO (``2017-09-28``),
    ``2017/09/28``, month names ("September 28, 2017", "28 Sept. 2017") and day and month in
    either order when only one order makes a date (``28/09/2017``). Raises BadRecord: an
    ambiguous form (``09/10/2017``, a two-digit year) asks for ``--date-format``."""
    value = " ".join(value.split())
    if date_format:
        try:
            return datetime.strptime(value, date_format).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            # ISO dates have one reading whatever the format (a workbook's date cells are given so).
            if (iso := _ISO.fullmatch(value)) and (day := _day(int(iso[1]), int(iso[2]), int(iso[3]))):
                return day
            raise BadRecord(
                BAD_DATE, f"Claim date {value[:30]!r} does not match --date-format {date_format}"
            ) from None
    try:
        if (match := _ISO.fullmatch(value)) or (match := _YEAR_FIRST.fullmatch(value)):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise BadRecord(BAD_DATE, f"Claim date {value[:30]!r} is not a date") from None
    if match := _NUMERIC.fullmatch(value):
        first, second, year = int(match[1]), int(match[2]), match[3]
        if len(year) == 2:
            raise BadRecord(AMBIGUOUS_DATE, f"Claim date {value!r} has a two-digit year: {_GIVE_FORMAT}")
        readings = {day for day in (_day(int(year), first, second), _day(int(year), second, first)) if day}
        if len(readings) == 1:
            return readings.pop()
        if readings:
            raise BadRecord(
                AMBIGUOUS_DATE, f"Claim date {value!r} reads as day/month and as month/day: {_GIVE_FORMAT}"
            )
        raise BadRecord(BAD_DATE, f"Claim date {value[:30]!r} is not a date")
    words = _WORDS.findall(value.casefold())
    months = [_MONTHS[word] for word in words if word in _MONTHS]
    numbers = [word for word in words if word.isdigit()]
    if len(months) == 1 and len(words) == 3 and len(numbers) == 2:
        years = [int(n) for n in numbers if len(n) == 4]
        days = [int(n) for n in numbers if len(n) <= 2]
        if len(years) == 1 and len(days) == 1 and (day := _day(years[0], months[0], days[0])):
            return day
    raise BadRecord(BAD_DATE, f"Claim date {value[:30]!r}: use YYYY-MM-DD, or give --date-format")


_GIVE_FORMAT = "give --date-format (e.g. %m/%d/%y)"


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def row_key(
    text: str,
    claimant: str,
    claimed_on: date | None,
    *,
    publisher: str | None = None,
    label: str | None = None,
) -> str:
    """The import key of a CSV claim: its wording, claimant, date, and the publisher and label of
    its verdict, hashed (two fact-checkers' verdicts on one claim are two rows, not one). A row
    without publisher and label keeps the key such rows had before those were part of it."""
    parts = [" ".join(text.split()), " ".join(claimant.split()).casefold(), str(claimed_on or "")]
    if publisher or label:
        parts += [" ".join((publisher or "").split()).casefold(), normalise(label or "")]
    return KEY_PREFIX + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RowOutcome:
    status: str
    why: str = ""
    claim_id: int | None = None
    label: LabelMatch | None = None


class ClaimRowImporter:
    """Creates one claim per row (state new) in ``session``, or brings a row imported before up to
    date (the label map's label, the label as imported); flushes, never commits."""

    def __init__(self, session: Session, mapper: LabelMapper, *, source: str) -> None:
        self.session = session
        self.mapper = mapper
        self.source = source
        # The keys of every claim a CSV import made (one query, instead of one or two per row).
        self.known_keys: set[str] = set(
            session.scalars(select(Claim.imported_from).where(Claim.imported_from.startswith(KEY_PREFIX)))
        )

    def save(self, row: ParsedRow) -> RowOutcome:
        match = self.mapper.match(row.label) if row.label else None
        claim = None
        if row.key in self.known_keys:
            claim = self.session.scalar(select(Claim).where(Claim.imported_from == row.key))
        if claim is None and row.key != row.old_key and row.old_key in self.known_keys:
            claim = self._imported_before_0009(row, match)
        if claim is not None:
            return self._again(claim, row, match)
        if row.claim_id is not None:
            here = self.session.get(Claim, row.claim_id)
            if here is not None and (here.text, here.claimant) == (row.text, row.claimant):
                return RowOutcome(SKIPPED, HERE_ALREADY, here.id)
        claim = Claim(
            text=row.text,
            claimant=row.claimant,
            claimant_kind=row.claimant_kind,
            claimed_on=row.claimed_on,
            language=row.language,
            state=ClaimState.NEW,
            imported_from=row.key,
        )
        claim.transitions.append(
            ClaimTransition(from_state=None, to_state=ClaimState.NEW, comment=f"Imported from {self.source}")
        )
        for url in row.urls:
            claim.appearances.append(Appearance(url=url))
        for venue in row.venues:
            claim.appearances.append(Appearance(venue=venue))
        claim.tags = [self._tag(name) for name in row.tags]
        if row.label or row.headline or row.summary or row.publisher:
            claim.verdict = Verdict(
                label_id=match.label.id if match and match.label else None,
                imported_label=row.label,
                imported_publisher=row.publisher,
                headline=row.headline,
                summary=row.summary,
            )
        self.session.add(claim)
        self.session.flush()
        self.known_keys.add(row.key)
        return RowOutcome(CREATED, claim_id=claim.id, label=match)

    def _imported_before_0009(self, row: ParsedRow, match: LabelMatch | None) -> Claim | None:
        """A claim this row made before publisher and label were part of the key (its old key),
        when its verdict is still the one the import made: its key is brought up to date."""
        claim = self.session.scalar(select(Claim).where(Claim.imported_from == row.old_key))
        if claim is None:
            return None
        verdict = claim.verdict
        label_id = match.label.id if match and match.label else None
        if verdict is None or verdict.imported_label is not None or verdict.updated_by_id is not None:
            return None
        if verdict.label_id is not None and verdict.label_id != label_id:
            # Another row's verdict (rows were merged by the old key): this row is a claim of its own.
            return None
        claim.imported_from = row.key
        self.known_keys.add(row.key)
        return claim

    def _again(self, claim: Claim, row: ParsedRow, match: LabelMatch | None) -> RowOutcome:
        """A row imported before: the verdict takes the label the map gives now and keeps the label
        as imported, unless someone here changed the verdict since."""
        verdict = claim.verdict
        if verdict is None or not row.label:
            return RowOutcome(SKIPPED, ALREADY_IMPORTED, claim.id, label=match)
        # A label the map does not know leaves the verdict's label as it is: it may have been
        # mapped since by `factcheck labels map`, which a re-import must not undo.
        label_id = match.label.id if match and match.label else verdict.label_id
        kept = verdict.imported_label == row.label and verdict.imported_publisher == row.publisher
        if verdict.label_id == label_id and kept:
            return RowOutcome(SKIPPED, ALREADY_IMPORTED, claim.id, label=match)
        if verdict.updated_by_id is not None:
            return RowOutcome(SKIPPED, LOCAL_CHANGES, claim.id, label=match)
        why = LABEL_STORED
        if verdict.label_id != label_id:
            verdict.label_id = label_id
            why = MAP_CHANGED
        verdict.imported_label = row.label
        verdict.imported_publisher = row.publisher
        self.session.flush()
        return RowOutcome(UPDATED, why, claim.id, label=match)

    def _tag(self, name: str) -> Tag:
        tag = self.session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            tag = Tag(name=name)
            self.session.add(tag)
        return tag
