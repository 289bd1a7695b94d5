"""Every audited table has a readable name in the history and the audit log's filter."""

from __future__ import annotations

from factcheck.audit.history import RECORD_NAMES
from factcheck.audit.triggers import audited_tables


def test_every_audited_table_has_a_record_name(connection) -> None:
    unnamed = sorted(set(audited_tables(connection)) - set(RECORD_NAMES))
    assert unnamed == []
