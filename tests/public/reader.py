"""Reading public pages as a crawler or a reader does: elements by id, JSON-LD, meta tags."""

from __future__ import annotations

import json
import re
from typing import Any

import extruct
import lxml.html

JSON_LD_BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def html_of(response: Any) -> str:
    return response.get_data(as_text=True)


def tree(response: Any) -> Any:
    return lxml.html.fromstring(html_of(response))


def text_of(response: Any, element_id: str) -> str:
    """The visible text of the element with this id, white space collapsed."""
    found = tree(response).get_element_by_id(element_id)
    return " ".join(found.text_content().split())


def has_id(response: Any, element_id: str) -> bool:
    return bool(tree(response).xpath(f'//*[@id="{element_id}"]'))


def canonical(response: Any) -> str | None:
    hrefs = tree(response).xpath('//link[@rel="canonical"]/@href')
    assert len(hrefs) <= 1, hrefs
    return hrefs[0] if hrefs else None


def meta(response: Any, name: str) -> str | None:
    """The content of ``<meta name=...>`` or ``<meta property=...>``."""
    found = tree(response).xpath(f'//meta[@name="{name}" or @property="{name}"]/@content')
    assert len(found) <= 1, found
    return found[0] if found else None


def json_ld(response: Any, base_url: str | None = None) -> list[dict[str, Any]]:
    """What a structured-data crawler reads from the page (extruct, JSON-LD syntax)."""
    return extruct.extract(html_of(response), base_url=base_url, syntaxes=["json-ld"], uniform=False)[
        "json-ld"
    ]


def json_ld_blocks(response: Any) -> list[str]:
    """The raw text of every JSON-LD script element."""
    return JSON_LD_BLOCK.findall(html_of(response))


def claim_review(response: Any) -> dict[str, Any]:
    """The page's one ClaimReview, parsed from the script text."""
    blocks = json_ld_blocks(response)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])
