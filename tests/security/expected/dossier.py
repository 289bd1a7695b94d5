"""Expected access to a claim's dossier (HTML and PDF): everyone who may export, reviewers and up."""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("dossier.show", "GET"): (LOGIN, 200, 200, 200),
    ("dossier.pdf", "GET"): (LOGIN, 200, 200, 200),
}
