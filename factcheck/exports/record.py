"""One claim's complete record as JSON, for the team (the claim page's "Export this claim").

It holds the claim as the claims export has it (every column, the sources as
objects, the blind-rating rule included), and what the export leaves out
because it does not fit one row: each publication revision with its note and
headline, the workflow steps with who took them and their comments, who is
assigned, and the discussion (deleted comments left out, as on the page).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from factcheck.claims.models import Claim
from factcheck.exports.claims import CLAIM_COLUMNS, ClaimExportFilter, Viewer, claim_records
from factcheck.exports.formats import as_json_object, json_value


def _name(user: Any) -> str | None:
    return user.name if user is not None else None


def complete_record(session: Session, claim: Claim, viewer: Viewer) -> dict[str, Any]:
    """The record as a JSON-ready dict (dates as ISO 8601)."""
    exported = next(claim_records(session, ClaimExportFilter(claim_id=claim.id), viewer))
    record = as_json_object(CLAIM_COLUMNS, exported)
    record["revisions"] = [
        {
            "revision": publication.revision,
            "kind": publication.kind.value,
            "date": None if publication.date_unknown else publication.published_at,
            "label": publication.label_name,
            "headline": publication.headline,
            "note": publication.note,
        }
        for publication in sorted(claim.publications, key=lambda p: p.revision)
    ]
    record["workflow"] = [
        {
            "from": step.from_state.value if step.from_state else None,
            "to": step.to_state.value,
            "by": _name(step.actor),
            "at": step.created_at,
            "comment": step.comment,
        }
        for step in claim.transitions
    ]
    record["assignees"] = [assignment.user.name for assignment in claim.assignments]
    record["comments"] = [
        {"author": _name(comment.author), "at": comment.created_at, "body": comment.body}
        for comment in claim.comments
        if comment.deleted_at is None
    ]
    return json_value(record)
