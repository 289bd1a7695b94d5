"""A document's text as HTML, with each captured claim highlighted.

The text is cut at every start and end of an appearance; each piece covered
by one or more appearances becomes a ``<mark>`` linking to a claim (the one
whose quote is shortest, when quotes overlap). Nothing but the text itself
goes into the page, so the text the browser reads back from the container is
exactly the stored text: capture.js counts its selectors in it.
"""

from __future__ import annotations

import itertools

from flask_babel import ngettext
from markupsafe import Markup, escape

from factcheck.documents.operations import Placed


def render_text(
    text: str, placed: list[Placed], claim_url: dict[int, str], page_starts: list[int] | None = None
) -> Markup:
    """The text, escaped, with <mark> elements for the placed appearances.

    ``claim_url`` maps a claim id to the address of its page. Where a PDF's page starts
    (``page_starts``), an empty marker ``<span class="page-start" id="page-N">`` whose label
    is drawn by CSS from ``data-page``, so it adds nothing to the text scripts read.
    """
    pages = {start: number for number, start in enumerate(page_starts or [], start=1)}
    cuts = sorted({0, len(text), *(p.start for p in placed), *(p.end for p in placed), *pages})
    started: set[int] = set()
    parts: list[str] = []
    for start, end in itertools.pairwise(cuts):
        if start in pages:
            parts.append(
                Markup('<span class="page-start" id="page-{0}" data-page="{0}"></span>').format(pages[start])
            )
        piece = escape(text[start:end])
        covering = [p for p in placed if p.start <= start and end <= p.end and p.start < p.end]
        if not covering:
            parts.append(piece)
            continue
        covering.sort(key=lambda p: (p.end - p.start, p.appearance.id))
        chosen = covering[0].appearance
        claim_ids = sorted({p.appearance.claim_id for p in covering})
        # Where each appearance starts, an empty target for links such as /documents/1#appearance-7
        # (empty, so it adds nothing to the text).
        for p in covering:
            if p.start == start and p.appearance.id not in started:
                started.add(p.appearance.id)
                parts.append(
                    Markup('<span class="appearance-start" id="appearance-{}"></span>').format(
                        p.appearance.id
                    )
                )
        parts.append(
            Markup(
                '<mark class="{classes}" data-claim-id="{claim}" data-claim-ids="{claims}"'
                ' data-appearance-id="{appearance}"><a href="{url}" title="{title}" draggable="false">'
                "{piece}</a></mark>"
            ).format(
                classes="claim-highlight" + (" overlap" if len(claim_ids) > 1 else ""),
                claim=chosen.claim_id,
                claims=" ".join(str(n) for n in claim_ids),
                appearance=chosen.id,
                url=claim_url[chosen.claim_id],
                title=ngettext(
                    "Claim %(claims)s",
                    "Claims %(claims)s",
                    len(claim_ids),
                    claims=", ".join(f"#{n}" for n in claim_ids),
                ),
                piece=piece,
            )
        )
    return Markup("").join(parts)
