"""Reading schema.org ClaimReview records and mapping them onto claims, verdicts and snapshots.

Input shapes (:func:`read_records`):

- one JSON document: a ClaimReview object, an array of them, a ``DataFeed``
  (``dataFeedElement``: ClaimReviews, or ``DataFeedItem``s holding them in
  ``item``), or a JSON-LD ``@graph`` (its non-ClaimReview nodes are ignored);
  records are located by their index in the array;
- one record per line: ``<script type="application/ld+json">{...}</script>``
  as aggregators publish them (the Data Commons fact-check dataset), or bare
  JSON objects (NDJSON); records are located by their line number.

Real records differ from the markup we publish (:mod:`factcheck.publishing.claimreview`):
``itemReviewed`` is often a ``CreativeWork`` (its ``author`` is still the claimant),
``reviewRating`` often has only ``alternateName`` from the publisher's own scale,
``datePublished`` may be missing, and ``claimReviewed`` may carry its own quotation
marks. :func:`parse_review` accepts all of that and refuses, with
:class:`BadRecord`, what cannot make a faithful public record.

:func:`content_snapshot` builds the publication snapshot of a record so that
``claim_review()`` of the stored revisions gives the record back: its ``url``
(``review_url``), ``author`` (``review_author``; left out for our own
organisation's records, which our publisher signs), ``claimReviewed`` verbatim,
``sdLicense`` (``review_license``), ``reviewRating`` (the label's text verbatim, its
numbers when given), dates (a missing one stays unknown: ``Publication.date_unknown``),
appearances, and ``correction`` entries (one revision each).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from factcheck.claims.claimant_kinds import kind_of_author
from factcheck.claims.models import ClaimantKind
from factcheck.imports import jsontext
from factcheck.imports.identity import own_id_key, own_identifier, url_claim_key
from factcheck.imports.labels import LabelMatch, RatingNumbers, number
from factcheck.publishing.claimreview import RETRACTED_LABEL, Publisher
from factcheck.publishing.models import PublicationKind
from factcheck.publishing.snapshot import SNAPSHOT_VERSION
from factcheck.web.urls import UrlProblem, clean_http_url

# The reasons a record is skipped as bad (the summary groups by them).
INVALID_JSON = "invalid JSON"
NOT_CLAIMREVIEW = "not a ClaimReview"
NO_CLAIM = "missing claimReviewed"
BAD_DATE = "unparseable date"
BAD_URL = "url not http(s)"
NO_LABEL = "no rating label"
DATABASE = "refused by the database"

# Columns that hold the key and web addresses (claims.imported_from, appearances.url).
MAX_URL_LENGTH = 2000
CONTENT_HASH_PREFIX = "sha256:"
UNKNOWN_CLAIMANT = "Unknown"
UNKNOWN_AUTHOR = "Unknown"
# The longest generated headline (publications.headline holds 300).
MAX_HEADLINE = 300

# A script element on one line (a line cut short may have lost its end tag: its JSON then tells).
_SCRIPT_LINE = re.compile(r"^\s*<script\b([^>]*)>(.*?)(?:</script>)?\s*$", re.IGNORECASE | re.DOTALL)
_LD_JSON = re.compile(r"""type\s*=\s*["']?application/ld\+json""", re.IGNORECASE)
# Text that starts like a web address ("https:", "javascript:"): an sdLicense that must be one.
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# Quotation marks a claimReviewed may be wrapped in: opening -> closing.
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u201e": "\u201c", "\u2018": "\u2019", "\u00ab": "\u00bb"}
# Double quotation marks of any typography; those that open a quotation.
_DOUBLE_QUOTES = frozenset('"\u201c\u201d\u201e\u00ab\u00bb')
_DOUBLE_OPENING = frozenset('"\u201c\u201e\u00ab')
# The "Kind: note" text our own markup gives a correction (claimreview.corrections).
# Matched on the English word, whatever the interface language (kind.label is translated).
_CORRECTION_KINDS = {kind.value.casefold(): kind for kind in PublicationKind if kind.value != "publication"}


_JSON_KINDS = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


class ImportFileError(ValueError):
    """A file that cannot be read as records at all (the import stops)."""


class BadRecord(ValueError):
    """One record that cannot be imported; ``reason`` groups it in the summary, ``detail`` says what."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


@dataclass
class RawRecord:
    """One record as read: where it is in the file, and its JSON (or why it could not be read)."""

    location: str
    data: Any = None
    error: BadRecord | None = None


# --- reading files ------------------------------------------------------------------------------


def read_records(text: str) -> list[RawRecord]:
    """Every record of a file's text, in order. Raises ImportFileError for a JSON document that
    does not parse (a line-per-record file reports bad lines as bad records instead). A record
    that decodes but cannot be kept (:func:`jsontext.problem`: deep nesting, a huge number, a lone
    surrogate, a NUL) is returned with its error, so it is skipped and the others imported."""
    return [_checked(record) for record in _records(text)]


def _checked(record: RawRecord) -> RawRecord:
    if record.error is None and (malformed := jsontext.problem(record.data)) is not None:
        return RawRecord(record.location, error=BadRecord(malformed.reason, malformed.detail))
    return record


def _records(text: str) -> list[RawRecord]:
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        return []
    if body.startswith("<"):
        return list(_lines(text))
    try:
        document = jsontext.decode(body)
    except json.JSONDecodeError as error:
        if _first_line_is_object(body):
            return list(_lines(text))
        raise ImportFileError(
            f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    if isinstance(document, dict) and not _is_container(document):
        return [RawRecord("the document", document)]
    return list(_elements(document, "index"))


def _first_line_is_object(body: str) -> bool:
    first = body.split("\n", 1)[0].strip()
    try:
        return isinstance(jsontext.decode(first), dict)
    except json.JSONDecodeError:
        return False


def read_record_stream(lines: Iterable[str]) -> Iterator[RawRecord]:
    """:func:`read_records` of a text read line by line (a decompressed ``.gz``): a line-per-record
    file is read a line at a time as the records are asked for, never whole; a JSON document is
    read whole (it has to be). Raises ImportFileError at once for a document that does not parse."""
    lines = iter(lines)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip().lstrip("\ufeff"):
            break
    first = "".join(head).lstrip("\ufeff \t\r\n")
    if not first:
        return iter(())
    if first.startswith("<") or _first_line_is_object(first):
        return (_checked(record) for record in _line_records(itertools.chain(head, lines)))
    return iter(read_records("".join(itertools.chain(head, lines))))


def _lines(text: str) -> Iterator[RawRecord]:
    return _line_records(text.splitlines())


def _line_records(lines: Iterable[str]) -> Iterator[RawRecord]:
    for number_, line in enumerate(lines, start=1):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        where = f"line {number_}"
        if stripped.startswith("<"):
            match = _SCRIPT_LINE.match(stripped)
            if match is None:
                yield RawRecord(where, error=BadRecord(INVALID_JSON, "not a <script> element on one line"))
                continue
            if not _LD_JSON.search(match.group(1)):
                yield RawRecord(where, error=BadRecord(INVALID_JSON, "the script is not application/ld+json"))
                continue
            stripped = match.group(2)
        try:
            data = jsontext.decode(stripped)
        except json.JSONDecodeError as error:
            yield RawRecord(where, error=BadRecord(INVALID_JSON, f"{error.msg} (column {error.colno})"))
            continue
        if isinstance(data, list) or (isinstance(data, dict) and _is_container(data)):
            yield from _elements(data, f"{where}, index")
        else:
            yield RawRecord(where, data)


def _is_container(data: dict[str, Any]) -> bool:
    return "dataFeedElement" in data or "@graph" in data


def _elements(document: Any, label: str) -> Iterator[RawRecord]:
    """The records of an array, a DataFeed or an @graph, each located by its index."""
    if isinstance(document, dict) and "@graph" in document and "dataFeedElement" not in document:
        graph = document["@graph"]
        nodes = graph if isinstance(graph, list) else [graph]
        for index, node in enumerate(nodes):
            # A graph holds other nodes too (the organisation, the page): only ClaimReviews are records.
            if is_type(node, "ClaimReview"):
                yield RawRecord(f"{label} {index}", node)
        return
    if isinstance(document, dict):
        elements = document.get("dataFeedElement")
        if not isinstance(elements, list):
            elements = [] if elements is None else [elements]
    elif isinstance(document, list):
        elements = document
    else:
        yield RawRecord(f"{label} 0", error=BadRecord(NOT_CLAIMREVIEW, "the document is not an object"))
        return
    for index, element in enumerate(elements):
        where = f"{label} {index}"
        if is_type(element, "DataFeedItem") and "item" in element:
            items = element["item"] if isinstance(element["item"], list) else [element["item"]]
            for item in items:
                yield RawRecord(where, item)
        else:
            yield RawRecord(where, element)


def is_type(data: Any, name: str) -> bool:
    """Whether a JSON-LD node has ``@type`` ``name`` (also "schema:Name", "https://schema.org/Name", lists)."""
    if not isinstance(data, dict):
        return False
    types = data.get("@type")
    for value in types if isinstance(types, list) else [types]:
        if isinstance(value, str) and re.split(r"[/:#]", value.strip())[-1] == name:
            return True
    return False


# --- one record ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedAppearance:
    url: str
    title: str | None = None
    appeared_on: date | None = None


@dataclass(frozen=True)
class ParsedRevision:
    """A later revision the record lists as a ``correction`` entry."""

    kind: PublicationKind
    note: str
    published_at: datetime | None


@dataclass
class ParsedReview:
    """What one ClaimReview says, checked and cleaned; no database needed."""

    key: str
    url: str | None
    author: dict[str, str | None]
    claim_reviewed: str
    claimant: str
    claimant_kind: ClaimantKind
    claimed_on: date | None
    label_name: str | None
    numbers: RatingNumbers | None
    headline: str | None
    summary: str
    date_published: datetime | None
    # The record's sdLicense (a licence's address, or its name), kept with the attribution.
    license: str | None = None
    appearances: list[ParsedAppearance] = field(default_factory=list)
    corrections: list[ParsedRevision] = field(default_factory=list)
    # The record's own identifier (@id, identifier) and its dateModified, when it gives them.
    own_id: str | None = None
    date_modified: datetime | None = None

    @property
    def lookup_keys(self) -> list[str]:
        """The keys this record may have been imported by: its own, then, for a record with an
        identifier, its URL and claim (the key of a claim imported before the record had, or we
        read, its identifier: revision 0007 re-keyed every claim imported before so)."""
        keys = [self.key]
        if self.own_id is not None and self.url is not None:
            keys.append(url_claim_key(self.url, self.claim_reviewed))
        return keys

    @property
    def record_date(self) -> datetime | None:
        """When the record last changed at its source, as far as it says: the latest of
        ``dateModified``, ``datePublished`` and its corrections' dates."""
        dates = [self.date_modified, self.date_published, *(later.published_at for later in self.corrections)]
        known = [when for when in dates if when is not None]
        return max(known) if known else None

    @property
    def claim_text(self) -> str:
        """The claim as our desk keeps it: without the quotation marks it was published in."""
        return strip_quotes(self.claim_reviewed)

    @property
    def retracted(self) -> bool:
        return bool(self.corrections) and self.corrections[-1].kind == PublicationKind.RETRACTION


def parse_review(data: Any) -> ParsedReview:
    """Check and clean one record. Raises BadRecord (not a ClaimReview, no claimReviewed,
    a date that does not parse, a web address that is not http(s))."""
    if not isinstance(data, dict):
        raise BadRecord(NOT_CLAIMREVIEW, f"a JSON {_JSON_KINDS.get(type(data), 'value')}, not an object")
    if not is_type(data, "ClaimReview"):
        found = data.get("@type")
        raise BadRecord(NOT_CLAIMREVIEW, f"@type is {json.dumps(found)}" if found else "no @type")
    claim = data.get("claimReviewed")
    if not isinstance(claim, str) or not claim.strip():
        raise BadRecord(NO_CLAIM)
    url = _url(data.get("url"), "url")
    item = _first(data.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    rating = _first(data.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    label_name = _text(rating.get("alternateName")) or _text(rating.get("name"))
    numbers = RatingNumbers(
        value=number(rating.get("ratingValue")),
        best=number(rating.get("bestRating")),
        worst=number(rating.get("worstRating")),
    )
    own_id = own_identifier(data, url)
    if own_id is not None:
        key = own_id_key(own_id)
    else:
        key = url_claim_key(url, claim) if url else content_key(data)
    return ParsedReview(
        key=key,
        url=url,
        author=_author(data.get("author")),
        claim_reviewed=claim.strip(),
        claimant=_name(item.get("author")) or UNKNOWN_CLAIMANT,
        claimant_kind=kind_of_author(item.get("author")),
        claimed_on=_date(item.get("datePublished"), "itemReviewed.datePublished"),
        label_name=label_name,
        numbers=numbers if any(n is not None for n in (numbers.value, numbers.best, numbers.worst)) else None,
        headline=_text(data.get("headline")) or _text(data.get("name")),
        summary=_text(data.get("description")) or _text(data.get("reviewBody")) or "",
        date_published=_datetime(data.get("datePublished"), "datePublished"),
        license=_license(data.get("sdLicense")),
        appearances=_appearances(item),
        corrections=_corrections(data.get("correction")),
        own_id=own_id,
        date_modified=_datetime(data.get("dateModified"), "dateModified"),
    )


def content_key(data: Any) -> str:
    """The import key of a record without a url: a hash of its content."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return CONTENT_HASH_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def strip_quotes(text: str) -> str:
    """``"It was 480 km."`` -> ``It was 480 km.``: one pair of surrounding quotation marks removed,
    only when it wraps the whole text (``"A" and "B"`` stays as it is). A mixed pair of double
    quotes (``"…”``, ``“…"``) counts as a pair, and a leading double quote that nothing closes
    (``“It was 480 km.``) is stray: it goes too."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _QUOTES:
        closing = _QUOTES[text[0]]
        inner = text[1:-1]
        if text[-1] == closing and closing not in inner and text[0] not in inner and inner.strip():
            return inner.strip()
    if text[:1] in _DOUBLE_OPENING:
        rest = text[1:]
        others = [char for char in rest if char in _DOUBLE_QUOTES]
        if not others and rest.strip():
            return rest.strip()
        if others and others == [rest[-1]] and rest[:-1].strip():
            return rest[:-1].strip()
    return text


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value: Any) -> str | None:
    """Text as given, trimmed (kept verbatim otherwise: labels and claims are quoted to readers)."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _name(value: Any) -> str | None:
    """The name of a Person or Organization (or a list of them: the names joined)."""
    if isinstance(value, list):
        names = [name for name in (_name(item) for item in value) if name]
        return ", ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _author(value: Any) -> dict[str, str | None]:
    author = _first(value)
    if isinstance(author, dict):
        return {
            "name": _text(author.get("name")) or UNKNOWN_AUTHOR,
            "url": _url(author.get("url"), "author.url"),
        }
    return {"name": _text(author) or UNKNOWN_AUTHOR, "url": None}


def _license(value: Any) -> str | None:
    """``sdLicense``: a URL or a CreativeWork (its url, else its name), else a licence's name.
    An address that is not http(s) (``javascript:``, ``ftp:``) is read as missing rather than
    refusing the record, whose content is fine."""
    value = _first(value)
    if isinstance(value, dict):
        value = _text(value.get("url")) or _text(value.get("name"))
    text = _text(value)
    if text is None:
        return None
    if _SCHEME.match(text):
        try:
            return clean_http_url(text, MAX_URL_LENGTH)
        except UrlProblem:
            return None
    return text[:MAX_URL_LENGTH]


def _url(value: Any, field_name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRecord(BAD_URL, f"{field_name} is not text")
    try:
        return clean_http_url(value, MAX_URL_LENGTH)
    except UrlProblem as problem:
        raise BadRecord(BAD_URL, f"{field_name} {_short(value)}: {problem}") from None


def _short(value: str, limit: int = 60) -> str:
    return json.dumps(value if len(value) <= limit else value[: limit - 1] + "\u2026", ensure_ascii=False)


def _parsed(value: Any, field_name: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadRecord(BAD_DATE, f"{field_name} {_short(str(value))}")


def _datetime(value: Any, field_name: str) -> datetime | None:
    """An ISO 8601 date or time as an aware UTC time (a date is its midnight UTC; no zone: UTC)."""
    parsed = _parsed(value, field_name)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _date(value: Any, field_name: str) -> date | None:
    """The calendar date as written (a time's own date, not converted to UTC)."""
    parsed = _parsed(value, field_name)
    return parsed.date() if parsed is not None else None


def _appearances(item: dict[str, Any]) -> list[ParsedAppearance]:
    """Where the claim appeared: ``firstAppearance``, then ``appearance``, then the item's own url.

    Works with only a title, and venues given as text ("a mailer"), are kept by their title: the
    desk keeps them as the appearance's venue.
    """
    candidates: list[tuple[Any, str]] = []
    first = item.get("firstAppearance")
    candidates.extend((work, "firstAppearance") for work in (first if isinstance(first, list) else [first]))
    listed = item.get("appearance")
    candidates.extend((work, "appearance") for work in (listed if isinstance(listed, list) else [listed]))
    candidates.append((item.get("url"), "itemReviewed.url"))
    found: dict[str, ParsedAppearance] = {}
    for work, field_name in candidates:
        if work is None:
            continue
        if isinstance(work, str) and _is_venue(work):
            # A venue in words, not an address: "a mailer", "a TV ad".
            url, appearance = None, ParsedAppearance("", title=" ".join(work.split()))
        elif isinstance(work, dict):
            url = _url(work.get("url"), f"{field_name}.url")
            appearance = ParsedAppearance(
                url or "",
                title=_text(work.get("headline")) or _text(work.get("name")),
                appeared_on=_date(work.get("datePublished"), f"{field_name}.datePublished"),
            )
        else:
            url = _url(work, field_name)
            appearance = ParsedAppearance(url or "")
        # A work without a web address (a printed article, a speech) is kept by its title.
        key = url or (f"title:{appearance.title}" if appearance.title else None)
        if key and key not in found:
            found[key] = appearance
    return list(found.values())


def _is_venue(text: str) -> bool:
    """Whether an appearance given as text names a venue ("a TV ad") rather than an address."""
    text = text.strip()
    return bool(text) and "://" not in text and not text.lower().startswith("www.")


def _corrections(value: Any) -> list[ParsedRevision]:
    revisions = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, dict):
            text = _text(entry.get("text")) or _text(entry.get("description"))
            published_at = _datetime(entry.get("datePublished"), "correction.datePublished")
        else:
            text, published_at = _text(entry), None
        if not text:
            continue
        kind, note = PublicationKind.CORRECTION, text
        prefix, colon, rest = text.partition(":")
        if colon and prefix.strip().casefold() in _CORRECTION_KINDS and rest.strip():
            kind, note = _CORRECTION_KINDS[prefix.strip().casefold()], rest.strip()
        revisions.append(ParsedRevision(kind, note, published_at))
    return revisions


# --- mapping onto our records -------------------------------------------------------------------


def same_organisation(author: dict[str, str | None], publisher: Publisher) -> bool:
    """Whether a record's author is our own organisation: the same web address (scheme,
    "www." and a trailing slash aside), or the same name when the record gives no address."""
    if author.get("url"):
        return _site(author["url"] or "") == _site(publisher.url)
    return (author.get("name") or "").casefold() == publisher.name.casefold()


def _site(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    host = (parts.hostname or "").removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path.rstrip('/')}"


def shown_label_name(review: ParsedReview, match: LabelMatch) -> str:
    """The label readers see: the record's own text, verbatim; our label's name when the record
    had only numbers. Raises BadRecord when there is neither."""
    if review.label_name:
        return review.label_name
    if review.retracted:
        return RETRACTED_LABEL
    if match.label is not None:
        return match.label.name
    raise BadRecord(NO_LABEL, "reviewRating has no alternateName and no usable numbers")


def generated_headline(review: ParsedReview, label_name: str) -> str:
    """A headline for a record that has none: the label, then the claim, cut at a word."""
    headline = f"{label_name}: {review.claim_text}"
    if len(headline) <= MAX_HEADLINE:
        return headline
    return headline[: MAX_HEADLINE - 1].rsplit(" ", 1)[0] + "\u2026"


def content_snapshot(
    review: ParsedReview, match: LabelMatch, *, own: bool, label_name: str, headline: str
) -> dict[str, Any]:
    """The snapshot of a record, without its dates (``published_at``, ``first_published_at``).

    The shape is :mod:`factcheck.publishing.snapshot`'s, with ``review_url`` and
    (unless ``own``) ``review_author``. The label's name is the record's text; its
    numbers are the record's, never our scale's, so the markup says what the record said.
    """
    numbers = review.numbers.as_dict() if review.numbers is not None else {}
    ours = match.label
    snapshot: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "claim": review.claim_reviewed,
        "claimant": review.claimant,
        "claimant_kind": review.claimant_kind.value,
        "claimed_on": review.claimed_on.isoformat() if review.claimed_on else None,
        "appearances": [
            {
                "document_id": None,
                "document_title": appearance.title,
                "url": appearance.url,
                "quote": None,
                "appeared_on": appearance.appeared_on.isoformat() if appearance.appeared_on else None,
            }
            for appearance in review.appearances
        ],
        "label": {
            "key": ours.key if ours is not None else None,
            "name": label_name,
            "value": numbers.get("value"),
            # Our definition only where the record uses our label's own name.
            "definition": ours.definition if ours is not None and ours.name == label_name else "",
            "worst": numbers.get("worst"),
            "best": numbers.get("best"),
        },
        "headline": headline,
        "summary": review.summary,
        "explanation": "",
        "sources": [],
        "tags": [],
    }
    if review.url:
        snapshot["review_url"] = review.url
    if not own:
        snapshot["review_author"] = dict(review.author)
        if review.license:
            snapshot["review_license"] = review.license
    return snapshot
