"""Two people editing the same record: the second save is refused, never silently applied.

Editable records (claims, verdicts, sources) carry a ``version`` that rises on
every save. A form sends back the version it was based on; the operation calls
:func:`check_version` before changing anything, and the view answers an
:class:`EditConflict` with :func:`render_conflict`: HTTP 409, the form with what
this person typed, and what the other person changed meanwhile (read from the
audit history). A race the check cannot see (two saves in the same instant) is
caught at flush by SQLAlchemy's ``version_id_col`` as ``StaleDataError``.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from wtforms import Form

from factcheck.audit.history import HistoryEntry, record_changes_since


class EditConflict(Exception):
    """The record changed since the editor loaded it."""

    def __init__(self, record: Any, based_on: int) -> None:
        self.record = record
        self.based_on = based_on
        super().__init__(
            f"{type(record).__name__} {record.id} is at version {record.version}, not {based_on}"
        )


def check_version(record: Any, based_on: int | None) -> None:
    """Raise EditConflict unless the edit was based on the record's current version."""
    if based_on is None or int(based_on) != record.version:
        raise EditConflict(record, int(based_on or 0))


def changes_by_others(db: Session, conflict: EditConflict) -> list[HistoryEntry]:
    record = conflict.record
    table = inspect(record).mapper.local_table.name
    claim_id = record.id if table == "claims" else record.claim_id
    return record_changes_since(db, table, {"id": record.id}, conflict.based_on, claim_id=claim_id)


def render_conflict(
    db: Session, conflict: EditConflict, template: str, form: Form, **context: Any
) -> ResponseReturnValue:
    """The edit page again, with the person's own text kept and the other changes shown.

    The form's version is moved to the current one, so saving again is a
    deliberate choice to replace the other person's changes.
    """
    if hasattr(form, "version"):
        form.version.data = conflict.record.version
        # Fields render what was submitted (raw_data) before their data; replace that too.
        form.version.raw_data = [str(conflict.record.version)]
    theirs = changes_by_others(db, conflict)
    return render_template(template, form=form, conflict=conflict, theirs=theirs, **context), 409
