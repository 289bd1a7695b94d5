"""Expected access to the public site's reference pages and annotated documents: open to everyone.

``/read/<document_id>`` is public only for a document in which a published
claim appeared, so the documents table's document (tests/security/expected/documents.py)
gets its claim published here. This module's ``document_id`` replaces that
table's: modules are collected in name order and "public_pages" comes after
"documents"; both give the same document.
"""

from __future__ import annotations

from factcheck.audit.changesets import set_reason
from factcheck.documents.models import Document
from factcheck.publishing.models import Publication, PublicationKind
from tests.security.expected import documents
from tests.security.expected.world import Expected, World

EVERYONE = (200, 200, 200, 200)

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("public.methodology", "GET"): EVERYONE,
    ("public.corrections", "GET"): EVERYONE,
    ("public.about", "GET"): EVERYONE,
    # The site's icon: a permanent redirect to the static file.
    ("public.favicon", "GET"): (301, 301, 301, 301),
    ("public.document", "GET"): EVERYONE,
}


def _published_document(world: World) -> Document:
    document: Document = world.get("document", documents._document)
    (appearance,) = document.appearances
    claim = appearance.claim
    claim.slug = "the-ministry-says-480-km"
    claim.publications.append(
        Publication(
            revision=1,
            kind=PublicationKind.PUBLICATION,
            label_name="False",
            headline="Not 480 km",
            snapshot={
                "claim": claim.text,
                "claimant": claim.claimant,
                "appearances": [
                    {
                        "document_id": document.id,
                        "document_title": document.title,
                        "url": None,
                        "quote": appearance.quote_exact,
                        "appeared_on": None,
                    }
                ],
                "label": {"key": "false", "name": "False"},
                "headline": "Not 480 km",
                "summary": "",
                "explanation": "",
                "sources": [],
            },
        )
    )
    set_reason(world.db, "First publication.")
    return document


ARGUMENTS = {"document_id": lambda world: world.get("published-document", _published_document).id}
