"""The ClaimReview DataFeed, streamed: the JSON of :func:`~factcheck.publishing.claimreview.data_feed`
written piece by piece, so memory stays flat however many claims are published.

Used by the public ``/claimreview.json`` and by the exports. Only publication
snapshots are read (through :func:`factcheck.publishing.queries.claim_reviews`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from factcheck.publishing.claimreview import Publisher, data_feed
from factcheck.publishing.queries import claim_reviews, latest_publication_time

# ClaimReviews per chunk handed to the response.
CHUNK_REVIEWS = 100


def _dumps(value: Any) -> str:
    # The same settings everywhere, so the streamed text equals json.dumps of the whole feed.
    return json.dumps(value, ensure_ascii=False)


def claimreview_feed_chunks(
    session: Session,
    publisher: Publisher,
    *,
    name: str,
    url: str,
    batch: int = CHUNK_REVIEWS,
    claim_ids: Any = None,
    language: str | None = None,
) -> Iterator[str]:
    """The DataFeed of every published claim's current ClaimReview (newest first), as text chunks.

    ``claim_ids`` (a SELECT of claim ids) keeps only those claims: the exports pass their filters.
    ``language``: the reviews' ``inLanguage``, the language of the pages they point to.

    Joined, the chunks are exactly ``json.dumps(data_feed(reviews, name=name, url=url,
    modified=<latest publication time>), ensure_ascii=False)``.
    """
    empty = data_feed([], name=name, url=url, modified=latest_publication_time(session))
    head = _dumps(empty)
    # The feed's text ends with the empty element list: '"dataFeedElement": []}'.
    closing = "[]}"
    assert head.endswith(closing)
    yield head[: -len(closing)] + "["
    pending: list[str] = []
    first = True
    for review in claim_reviews(session, publisher, claim_ids=claim_ids, language=language):
        text = _dumps(review)
        pending.append(text if first else ", " + text)
        first = False
        if len(pending) >= batch:
            yield "".join(pending)
            pending = []
    pending.append("]}")
    yield "".join(pending)
