"""Importing claims from a spreadsheet in the columns of the claims CSV export.

The columns are the export's (:data:`factcheck.exports.claims.CLAIM_COLUMNS`,
documented in docs/exports.md), named by their heading ("Claim date") or their
machine name ("claim_date"), in any case and order. "Claim" and "Claimant"
are required; a column the export does not have is an error naming it (so a
typo never drops a column silently). What is read:

- Claim, Claimant, Claim date (YYYY-MM-DD): the claim;
- Claimant kind: ``person``, ``organisation`` (or ``organization``) or
  ``unknown``, any case; an empty cell or no such column is unknown, any other
  word skips the row;
- Appearances: one web address a line (the export also lists documents by
  title; those lines are left out, since the documents are not imported);
- Verdict label (draft), Verdict headline (draft), Verdict summary (draft): the
  draft verdict; the label goes through the label map like ClaimReview labels;
- Tags: separated by ";";
- Claim ID: see below. The other columns (state, dates, published label and
  URL, ratings, counts) describe the claim where it was exported and are ignored.

Imported claims are in state ``new``: they are work to do, whatever the row's
State column says, because a published verdict needs its sources, ratings and
an editor's approval here. The import key is ``csv:`` + a hash of the claim's
wording, claimant and date, so importing the same file again skips its rows
("already imported"); a row whose Claim ID is a claim of this database with the
same wording and claimant (an export re-imported where it came from) is skipped
as "already here". Cells the export neutralised against formula injection
(a leading ``'`` before ``=``, ``+``, ``-``, ``@``) are restored.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.claims.editing import MAX_TAG_LENGTH, ClaimEditError, ClaimValues
from factcheck.claims.models import Appearance, Claim, ClaimantKind, ClaimState, ClaimTransition, Tag
from factcheck.exports.claims import CLAIM_COLUMNS
from factcheck.exports.streams import FORMULA_STARTS
from factcheck.imports.claimreview import BAD_DATE, BAD_URL, MAX_URL_LENGTH, BadRecord
from factcheck.imports.jsontext import text_problem
from factcheck.imports.labels import LabelMapper, LabelMatch
from factcheck.imports.summary import ALREADY_IMPORTED, HERE_ALREADY
from factcheck.verdicts.models import Verdict
from factcheck.web.urls import UrlProblem, clean_http_url

KEY_PREFIX = "csv:"
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
    }
)
# Heading or machine name, casefolded -> machine name.
_COLUMN_NAMES = {
    **{column.header.casefold(): column.name for column in CLAIM_COLUMNS},
    **{column.name.casefold(): column.name for column in CLAIM_COLUMNS},
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


def read_rows(text: str) -> list[CsvRow]:
    """The rows of a claims CSV, each with the line it starts on. Raises CsvFileError for a missing
    header, unknown or repeated columns, or missing required columns."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CsvFileError("the file is empty")
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True)
    try:
        headings = next(reader)
    except csv.Error as error:
        raise CsvFileError(f"the header line is not CSV: {error}") from None
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
    return list(_rows(reader, names))


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
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
            yield CsvRow(where, error=BadRecord(BAD_ROW, f"{len(cells)} cells, but {len(names)} columns"))
            continue
        row = {name: _restore(cell) for name, cell in zip(names, cells, strict=False) if name}
        if (malformed := text_problem(row)) is not None:
            yield CsvRow(where, error=BadRecord(malformed.reason, malformed.detail))
            continue
        yield CsvRow(where, row)


@dataclass
class ParsedRow:
    key: str
    claim_id: int | None
    text: str
    claimant: str
    claimed_on: date | None
    urls: list[str]
    unlinked: int
    label: str | None
    headline: str
    summary: str
    tags: list[str]
    claimant_kind: ClaimantKind = ClaimantKind.UNKNOWN


def parse_row(cells: dict[str, str]) -> ParsedRow:
    """Check one row. Raises BadRecord (missing claim or claimant, too long, a bad date or address)."""

    def cell(name: str) -> str:
        return (cells.get(name) or "").strip()

    if not cell("claim") or not cell("claimant"):
        raise BadRecord(MISSING, "the Claim and Claimant cells must not be empty")
    claimed_on = None
    if cell("claim_date"):
        try:
            claimed_on = date.fromisoformat(cell("claim_date")[:10])
        except ValueError:
            raise BadRecord(BAD_DATE, f"Claim date {cell('claim_date')!r}: use YYYY-MM-DD") from None
    try:
        checked = ClaimValues(text=cell("claim"), claimant=cell("claimant"), claimed_on=claimed_on).checked()
    except ClaimEditError as error:
        raise BadRecord(TOO_LONG, str(error)) from None
    urls: list[str] = []
    unlinked = 0
    for line in cell("appearances").splitlines():
        line = line.strip()
        if not line:
            continue
        if "://" not in line and not line.lower().startswith("www."):
            # A document's title: the document itself is not part of the export.
            unlinked += 1
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
    claim_id = int(cell("claim_id")) if cell("claim_id").isdigit() else None
    kind = _KINDS.get(cell("claimant_kind").casefold())
    if kind is None:
        raise BadRecord(
            BAD_KIND, f"Claimant kind {cell('claimant_kind')[:30]!r}: use person, organisation or unknown"
        )
    return ParsedRow(
        key=row_key(checked["text"], checked["claimant"], claimed_on),
        claim_id=claim_id,
        text=checked["text"],
        claimant=checked["claimant"],
        claimed_on=claimed_on,
        urls=urls,
        unlinked=unlinked,
        label=cell("verdict_label") or None,
        headline=headline,
        summary=cell("verdict_summary"),
        tags=tags,
        claimant_kind=kind,
    )


def row_key(text: str, claimant: str, claimed_on: date | None) -> str:
    """The import key of a CSV claim: its wording, claimant and date, hashed."""
    material = "\n".join(
        [" ".join(text.split()), " ".join(claimant.split()).casefold(), str(claimed_on or "")]
    )
    return KEY_PREFIX + hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RowOutcome:
    status: str
    why: str = ""
    claim_id: int | None = None
    label: LabelMatch | None = None


class ClaimRowImporter:
    """Creates one claim per row (state new) in ``session``; flushes, never commits."""

    def __init__(self, session: Session, mapper: LabelMapper, *, source: str) -> None:
        self.session = session
        self.mapper = mapper
        self.source = source

    def save(self, row: ParsedRow) -> RowOutcome:
        existing = self.session.scalar(select(Claim.id).where(Claim.imported_from == row.key))
        if existing is not None:
            return RowOutcome("skipped", ALREADY_IMPORTED, existing)
        if row.claim_id is not None:
            here = self.session.get(Claim, row.claim_id)
            if here is not None and (here.text, here.claimant) == (row.text, row.claimant):
                return RowOutcome("skipped", HERE_ALREADY, here.id)
        claim = Claim(
            text=row.text,
            claimant=row.claimant,
            claimant_kind=row.claimant_kind,
            claimed_on=row.claimed_on,
            state=ClaimState.NEW,
            imported_from=row.key,
        )
        claim.transitions.append(
            ClaimTransition(from_state=None, to_state=ClaimState.NEW, comment=f"Imported from {self.source}")
        )
        for url in row.urls:
            claim.appearances.append(Appearance(url=url))
        claim.tags = [self._tag(name) for name in row.tags]
        match = self.mapper.match(row.label) if row.label else None
        if row.label or row.headline or row.summary:
            claim.verdict = Verdict(
                label_id=match.label.id if match and match.label else None,
                headline=row.headline,
                summary=row.summary,
            )
        self.session.add(claim)
        self.session.flush()
        return RowOutcome("created", claim_id=claim.id, label=match)

    def _tag(self, name: str) -> Tag:
        tag = self.session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            tag = Tag(name=name)
            self.session.add(tag)
        return tag
