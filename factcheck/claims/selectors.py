"""An appearance's place in its document as W3C Web Annotation selectors (JSON).

TextQuoteSelector and TextPositionSelector (code points) say where the quote is in
the stored text; for a quote in a PDF a FragmentSelector ``page=N`` conforming to
the PDF fragment identifiers (RFC 3778, section 3; RFC 8118) says which page of the
original it is on.
"""

from __future__ import annotations

from typing import Any

from factcheck.claims.models import Appearance

# The URI the W3C Web Annotation model names for PDF fragment identifiers.
PDF_FRAGMENT = "http://tools.ietf.org/rfc/rfc3778"


def web_annotation_selectors(appearance: Appearance) -> list[dict[str, Any]]:
    """The appearance's selectors, empty when it has no quote (an address or a venue only)."""
    if not appearance.quote_exact:
        return []
    selectors: list[dict[str, Any]] = [
        {
            "type": "TextQuoteSelector",
            "exact": appearance.quote_exact,
            "prefix": appearance.quote_prefix or "",
            "suffix": appearance.quote_suffix or "",
        }
    ]
    if appearance.position_start is not None:
        selectors.append(
            {
                "type": "TextPositionSelector",
                "start": appearance.position_start,
                "end": appearance.position_end,
            }
        )
    if appearance.page:
        selectors.append(
            {"type": "FragmentSelector", "conformsTo": PDF_FRAGMENT, "value": f"page={appearance.page}"}
        )
    return selectors
