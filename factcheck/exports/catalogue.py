"""The claims export in every format, for the web page and the command line alike."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from factcheck import db
from factcheck.exports import claimreview, formats
from factcheck.exports.claims import (
    CLAIM_COLUMNS,
    CLAIM_SHEETS,
    ClaimExportFilter,
    ClaimRecord,
    Viewer,
    claim_records,
    count_claims,
)
from factcheck.exports.formats import Format
from factcheck.web.marks import N_

# The formats of the claims export, in the order the page offers them.
CLAIM_FORMATS: dict[str, Format] = {**formats.FORMATS, claimreview.FORMAT.key: claimreview.FORMAT}
# The XLSX sheet's name.
SHEET = N_("Claims")
# In the ClaimReview feed's JSON this text appears once per review and nowhere else
# (json.dumps escapes the quotes of the same words inside a string value).
_REVIEW_MARK = '"@type": "ClaimReview"'


def claim_chunks(
    session: Session,
    format_key: str,
    claim_filter: ClaimExportFilter,
    records: Iterable[ClaimRecord],
    language: Any = None,
) -> Iterator[str] | Iterator[bytes]:
    """The export's output as chunks: ``records`` for the tabular formats, the feed for ClaimReview.
    ``language`` shows XLSX's date cells as its readers write dates (factcheck/web/formatting.py)."""
    if format_key == claimreview.FORMAT.key:
        return claimreview.feed_chunks(session, claim_filter)
    return formats.chunks(
        format_key, CLAIM_COLUMNS, records, sheet=SHEET, extra_sheets=CLAIM_SHEETS, language=language
    )


def streamed_claim_chunks(
    app: Flask, format_key: str, claim_filter: ClaimExportFilter, viewer: Viewer, language: Any = None
) -> Iterator[str | bytes]:
    """The export for a download (the export page, the API): read batch by batch while the
    response is sent, by a session of its own (the request's is closed once the view returns)."""
    with db.reading_session(app) as reader:
        records = claim_records(reader, claim_filter, viewer)
        yield from claim_chunks(reader, format_key, claim_filter, records, language)


def matching_count(session: Session, format_key: str, claim_filter: ClaimExportFilter) -> int:
    """How many claims the export will hold (only published ones for ClaimReview)."""
    if format_key == claimreview.FORMAT.key:
        return claimreview.count_published(session, claim_filter)
    return count_claims(session, claim_filter)


def reviews_in(chunk: str) -> int:
    """How many ClaimReviews a chunk of the feed holds (progress and the summary line)."""
    return chunk.count(_REVIEW_MARK)
