"""Who a ClaimReview record is, and whether it says anything new: normalised forms.

Identity (:func:`record_key`, kept in ``claims.imported_from``): the record's own
identifier (``@id`` or ``identifier``) when it has one of its own, else its review
URL together with the claim it reviews. An article that reviews three claims
publishes three ClaimReviews with the same ``url``: they are three records.
Both parts are normalised, so a second crawl that spells them differently
(``http`` for ``https``, curly for straight quotes, the claim in quotation marks
or not) finds the same record again.

Change (:func:`comparable`): two versions of a record differ only if what they
say differs once web addresses are canonicalised (:func:`canonical_url`), and
names and typography normalised (:func:`normalised_text`,
:func:`normalised_organisation`). "The Washington Post" at
``http://www.washingtonpost.com/`` is "Washington Post" at
``https://washingtonpost.com``: importing either after the other publishes nothing.

Revision 0007 re-keys the claims imported before with :func:`record_key`: if these
forms ever change, a new revision must re-key them again, or a re-import would
create every record twice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# Typography that is the same text to a reader: curly and straight quotes, dashes, spaces.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u200b": "",
    }
)
_SPACES = re.compile(r"\s+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Snapshot fields that hold web addresses, and those that hold an organisation's name.
_URL_FIELDS = frozenset({"url", "review_url"})
_ORGANISATION_FIELDS = frozenset({"review_author", "claimant"})
# The separator between the review URL and the claim's digest in a key (a cleaned URL has no space).
CLAIM_SEPARATOR = " claim:"
OWN_ID_PREFIX = "id:"
KEY_HASH_PREFIX = "sha256:"
# claims.imported_from holds 2000 characters; a longer key is kept as its digest.
MAX_KEY_LENGTH = 2000


def normalised_text(text: str) -> str:
    """Curly quotes as straight ones, dashes as hyphens, compatibility forms (NFKC), runs of
    spaces as one, no case: ``\u201cDon\u2019t\u201d  said he`` is ``"don't" said he``."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    return _SPACES.sub(" ", text).strip().casefold()


def normalised_claim(text: str) -> str:
    """The claim without the quotation marks around it (``"It is."`` is ``It is.``), normalised."""
    text = normalised_text(text)
    while len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" and text[0] not in text[1:-1]:
        text = text[1:-1].strip()
    # A stray quotation mark left at one end only (a pair mixed by the source) says nothing.
    if text.count('"') == 1 and (text.startswith('"') or text.endswith('"')):
        text = text.strip('"').strip()
    return text


def normalised_organisation(name: str) -> str:
    """``The Washington Post`` -> ``washington post``."""
    return normalised_text(name).removeprefix("the ").strip()


def canonical_url(url: str) -> str:
    """One spelling of a web address: https, host in lower case without ``www.`` and the
    default port, no trailing slash, no fragment (the query is kept: it can name the page)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url.strip()
    host = (parts.hostname or "").removeprefix("www.")
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return urlunsplit(("https", host, parts.path.rstrip("/"), parts.query, ""))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _bounded(key: str) -> str:
    return key if len(key) <= MAX_KEY_LENGTH else KEY_HASH_PREFIX + _digest(key)


def url_claim_key(url: str, claim: str) -> str:
    """The key of a record without an identifier of its own: review URL and claim reviewed."""
    return _bounded(f"{canonical_url(url)}{CLAIM_SEPARATOR}{_digest(normalised_claim(claim))[:32]}")


def own_id_key(own_id: str) -> str:
    return _bounded(OWN_ID_PREFIX + own_id.strip())


def own_identifier(data: dict[str, Any], url: str | None) -> str | None:
    """The record's own identifier: ``@id`` or ``identifier`` (text, or a PropertyValue's
    ``value``). Not one that only repeats the review URL (it would be the same for every
    claim of the article), nor a blank node (``_:b0`` names a node within one document)."""
    for value in (data.get("@id"), data.get("identifier")):
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("value") or value.get("@id")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip() or value.strip().startswith("_:"):
            continue
        if url is not None and canonical_url(value) == canonical_url(url):
            continue
        return value.strip()
    return None


def comparable(value: Any, field_name: str = "") -> Any:
    """``value`` (a snapshot, or part of one) with every text normalised, so that two snapshots
    compare equal when they differ only in spelling of addresses, names and typography."""
    if isinstance(value, dict):
        return {key: comparable(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [comparable(item, field_name) for item in value]
    if isinstance(value, str):
        if field_name in _URL_FIELDS:
            return canonical_url(value)
        if field_name == "claim":
            return normalised_claim(value)
        if field_name == "name" or field_name in _ORGANISATION_FIELDS:
            return normalised_organisation(value)
        return normalised_text(value)
    return value
