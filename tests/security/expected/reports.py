"""Expected access to the team report: whoever may export data and reports (reviewers and up).

The page and its PDF and XLSX downloads answer 200 for the default period (the last 30 days).
"""

from __future__ import annotations

from tests.security.expected.world import LOGIN, Expected

# (endpoint, method): (anonymous, reviewer, editor, admin)
EXPECTED: Expected = {
    ("reports.team", "GET"): (LOGIN, 200, 200, 200),
    ("reports.team_pdf", "GET"): (LOGIN, 200, 200, 200),
    ("reports.team_xlsx", "GET"): (LOGIN, 200, 200, 200),
}
