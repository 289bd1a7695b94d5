"""Expected access to documents and to capturing claims.

Everyone on the desk reads documents (and downloads their originals), may add, correct,
archive and restore them, and capture claims; removing a document is for editors and admins.
Empty forms are refused (422); an empty re-anchoring or archiving request does it (302), and an
empty correction keeps the document as it is (302).
"""

from __future__ import annotations

import hashlib

from factcheck.claims.anchoring import select_quote
from factcheck.claims.models import Appearance, Claim, ClaimState
from factcheck.documents.models import Document, DocumentFile
from tests.security.expected.world import LOGIN, Expected, World

EXPECTED: Expected = {
    ("documents.index", "GET"): (LOGIN, 200, 200, 200),
    ("documents.new", "GET"): (LOGIN, 200, 200, 200),
    ("documents.new", "POST"): (LOGIN, 422, 422, 422),
    ("documents.show", "GET"): (LOGIN, 200, 200, 200),
    ("documents.reanchor", "POST"): (LOGIN, 302, 302, 302),
    ("documents.edit", "GET"): (LOGIN, 200, 200, 200),
    ("documents.edit", "POST"): (LOGIN, 302, 302, 302),
    ("documents.archive", "POST"): (LOGIN, 302, 302, 302),
    ("documents.remove", "POST"): (LOGIN, 403, 302, 302),
    ("documents.original", "GET"): (LOGIN, 200, 200, 200),
    ("claims.capture", "GET"): (LOGIN, 200, 200, 200),
    ("claims.capture", "POST"): (LOGIN, 422, 422, 422),
    ("claims.capture_from_document", "GET"): (LOGIN, 200, 200, 200),
    ("claims.capture_from_document", "POST"): (LOGIN, 422, 422, 422),
    ("claims.add_appearance", "GET"): (LOGIN, 200, 200, 200),
    ("claims.add_appearance", "POST"): (LOGIN, 422, 422, 422),
    ("claims.attach_appearance", "POST"): (LOGIN, 422, 422, 422),
}

TEXT = "The ministry said on Wednesday that the 9M729 has a range of 480 km."


def _document(world: World) -> Document:
    document = Document(
        title="Ministry briefing",
        text=TEXT,
        text_sha256=hashlib.sha256(TEXT.encode()).hexdigest(),
        created_by_id=world.user.id,
        file_name="briefing.pdf",
        file_type="application/pdf",
        file_sha256=hashlib.sha256(b"%PDF-1.7 briefing").hexdigest(),
        file=DocumentFile(content=b"%PDF-1.7 briefing"),
    )
    selector = select_quote(TEXT, "the 9M729 has a range of 480 km")
    claim = Claim(text=selector.exact, claimant="Ministry of Defence", state=ClaimState.NEW)
    claim.appearances.append(
        Appearance(
            document=document,
            quote_exact=selector.exact,
            quote_prefix=selector.prefix,
            quote_suffix=selector.suffix,
            position_start=selector.start,
            position_end=selector.end,
        )
    )
    world.db.add(claim)
    return document


ARGUMENTS = {"document_id": lambda world: world.get("document", _document).id}
