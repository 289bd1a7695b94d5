"""Every audited table has a readable name, and every field a readable value, in the history."""

from __future__ import annotations

from factcheck.audit.history import RECORD_NAMES, display_value
from factcheck.audit.triggers import audited_tables


def test_every_audited_table_has_a_record_name(connection) -> None:
    unnamed = sorted(set(audited_tables(connection)) - set(RECORD_NAMES))
    assert unnamed == []


def test_boolean_fields_read_yes_or_no_whatever_the_database_recorded() -> None:
    # SQLite's triggers record booleans as 0 and 1; PostgreSQL's as true and false.
    assert display_value(1, name="is_primary") == "yes"
    assert display_value(0, name="is_primary") == "no"
    assert display_value(False, name="is_primary") == "no"
    assert display_value(1, name="position") == "1"
