"""Expected access to the exports: the claims export page and its downloads, the audit log's extra formats."""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    # Reviewers and up (Permission.EXPORT). An empty query is a valid export: every claim as CSV.
    ("exports.index", "GET"): (LOGIN, 200, 200, 200),
    ("exports.claims", "GET"): (LOGIN, 200, 200, 200),
    # One claim's complete record as JSON: the same people.
    ("exports.claim_record", "GET"): (LOGIN, 200, 200, 200),
    # The audit log's XLSX and JSON exports: like its CSV and NDJSON ones (core.py), editors and admins.
    ("audit.export_xlsx", "GET"): (LOGIN, 403, 200, 200),
    ("audit.export_json", "GET"): (LOGIN, 403, 200, 200),
}
