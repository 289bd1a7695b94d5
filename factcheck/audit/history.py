"""Reading the audit history: a claim's timeline in sentences, and the system-wide log.

The triggers record raw field changes; this module turns them into what a
person wants to read ("Anna changed the verdict's rating from Mostly false to
False"), with word-level diffs for long text.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Select, and_, exists, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.audit.triggers import DROPPED_COLUMNS, DROPPED_TABLE
from factcheck.claims.models import Tag
from factcheck.db import Base
from factcheck.ratings.models import RatingLabel

# What each table's rows are called in sentences.
RECORD_NAMES = {
    "api_tokens": "API token",
    "appearances": "appearance",
    "assignments": "assignment",
    "claim_merges": "merge",
    "claim_tags": "tag",
    "claim_transitions": "workflow step",
    "claims": "claim",
    "comments": "comment",
    "documents": "document",
    "follows": "follow",
    "notification_settings": "notification e-mail setting",
    "organisation": "organisation details",
    "publications": "publication",
    "rating_labels": "rating label",
    "rating_label_translations": "rating label translation",
    "reader_submissions": "reader submission",
    "ratings": "rating",
    "security_events": "security log entry",
    "snapshots": "archived snapshot",
    "sources": "source",
    "tags": "tag",
    "users": "user",
    "verdicts": "verdict",
    "webhook_endpoints": "webhook endpoint",
}

# Bookkeeping fields that every change touches; shown only in the raw log.
QUIET_FIELDS = frozenset(
    {
        "id",
        "version",
        "created_at",
        "updated_at",
        "claim_id",
        "reviewer_id",
        "actor_id",
        "created_by_id",
        "author_id",
        "updated_by_id",
        "document_id",
        "quote_prefix",
        "quote_suffix",
        "position_start",
        "position_end",
        "text_sha256",
        "page_starts",
    }
)
# Machine values shown as words ("in_review" -> "In review").
ENUM_FIELDS = frozenset({"state", "from_state", "to_state", "kind", "stance", "anchor_status", "role"})
# Fields whose old and new values are shown side by side, word by word.
LONG_TEXT_FIELDS = frozenset(
    {
        "text",
        "summary",
        "explanation",
        "quote",
        "quote_exact",
        "note",
        "reasoning",
        "body",
        "citation",
        "definition",
        "about",
        "corrections_policy",
        "dismissed_reason",
        "comment",
    }
)
# Fields never shown, whatever the viewer's role.
SECRET_FIELDS = frozenset({"password_hash", "token_hash"})
LABEL_FIELDS = frozenset({"label_id"})
USER_FIELDS = frozenset({"user_id", "assigned_by_id", "reviewer_id", "actor_id", "published_by_id"})

FIELD_NAMES = {
    "text": "wording",
    "claimant": "claimant",
    "claimed_on": "claim date",
    "label_id": "rating",
    "quote_exact": "quote",
    "is_primary": "primary-source flag",
    "is_disabled": "disabled flag",
    "review_by": "review-by date",
    "published_on": "publication date",
}

ACTIONS = {"INSERT": "created", "UPDATE": "changed", "DELETE": "deleted"}


@dataclass(frozen=True)
class DiffSegment:
    text: str
    # "same", "removed" (only on the old side) or "added" (only on the new side)
    kind: str


@dataclass
class FieldChange:
    name: str
    old: str
    new: str
    # Word-level diff for long text, one list per side; empty for short values.
    old_segments: list[DiffSegment] = field(default_factory=list)
    new_segments: list[DiffSegment] = field(default_factory=list)

    @property
    def is_long(self) -> bool:
        return bool(self.old_segments or self.new_segments)


@dataclass
class HistoryItem:
    sentence: str
    fields: list[FieldChange] = field(default_factory=list)
    table: str = ""
    operation: str = ""
    # A link target for the item (e.g. a publication revision), as (endpoint, kwargs).
    link: tuple[str, dict[str, Any]] | None = None


@dataclass
class HistoryEntry:
    seq: int
    occurred_at: datetime
    actor_name: str
    actor_role: str | None
    origin: str
    reason: str | None
    request_id: str | None
    items: list[HistoryItem]


@dataclass(frozen=True)
class Names:
    """What ids in the history stand for: rating labels, tags and people."""

    labels: dict[int, str] = field(default_factory=dict)
    tags: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)

    def of(self, name: str, value: int) -> str | None:
        if name in LABEL_FIELDS:
            return self.labels.get(value, f"label {value}")
        if name == "tag_id":
            return self.tags.get(value, f"tag {value}")
        if name in USER_FIELDS:
            return self.users.get(value, f"user {value}")
        return None


def load_names(db: Session) -> Names:
    return Names(
        labels=dict(db.execute(select(RatingLabel.id, RatingLabel.name)).all()),
        tags=dict(db.execute(select(Tag.id, Tag.name)).all()),
        users=dict(db.execute(select(User.id, User.name)).all()),
    )


def field_name(name: str) -> str:
    return FIELD_NAMES.get(name, name.replace("_", " "))


@functools.cache
def boolean_fields() -> frozenset[str]:
    """Names of the Boolean columns: SQLite's triggers record them as 0 and 1."""
    import factcheck.models  # noqa: F401 - every table mapped

    return frozenset(
        column.name
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, Boolean)
    )


def display_value(value: Any, names: Names | None = None, name: str = "") -> str:
    if value is None or value == "":
        return "(empty)"
    if name in boolean_fields() and value in (0, 1):
        value = bool(value)
    if names is not None and isinstance(value, int) and not isinstance(value, bool):
        named = names.of(name, value)
        if named is not None:
            return named
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and name in ENUM_FIELDS:
        return value.replace("_", " ").capitalize()
    return str(value)


_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(old: str, new: str) -> tuple[list[DiffSegment], list[DiffSegment]]:
    """Old and new text as segments marking what was removed and what was added."""
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    left: list[DiffSegment] = []
    right: list[DiffSegment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            left.append(DiffSegment("".join(old_words[i1:i2]), "same"))
            right.append(DiffSegment("".join(new_words[j1:j2]), "same"))
            continue
        if i2 > i1:
            left.append(DiffSegment("".join(old_words[i1:i2]), "removed"))
        if j2 > j1:
            right.append(DiffSegment("".join(new_words[j1:j2]), "added"))
    return left, right


def _field_changes(
    changes: dict[str, list[Any]], operation: str, names: Names, hidden: frozenset[str]
) -> list[FieldChange]:
    result = []
    for name, pair in changes.items():
        if name in QUIET_FIELDS or name in SECRET_FIELDS or name in hidden:
            continue
        old, new = pair
        if operation == "INSERT" and new in (None, ""):
            continue
        item = FieldChange(field_name(name), display_value(old, names, name), display_value(new, names, name))
        if (
            name in LONG_TEXT_FIELDS
            and operation == "UPDATE"
            and isinstance(old, str)
            and isinstance(new, str)
        ):
            item.old_segments, item.new_segments = word_diff(old, new)
        result.append(item)
    return result


def _value(changes: dict[str, list[Any]], name: str) -> Any:
    pair = changes.get(name)
    if not pair:
        return None
    old, new = pair
    return new if new is not None else old


def describe(
    table: str,
    operation: str,
    changes: dict[str, list[Any]],
    names: Names,
    *,
    ratings_visible: bool = True,
) -> HistoryItem:
    """One change as a sentence (without the actor, who heads the entry) plus its fields."""
    if operation == DROPPED_TABLE:
        return HistoryItem(f"removed the table {table} (a migration)", [], table, operation)
    if operation == DROPPED_COLUMNS:
        return HistoryItem(
            f"removed the fields {', '.join(changes)} of {table} (a migration)", [], table, operation
        )
    hidden: frozenset[str] = frozenset()
    if table == "ratings" and not ratings_visible:
        hidden = frozenset({"label_id", "reasoning"})
    fields = _field_changes(changes, operation, names, hidden)
    record = RECORD_NAMES.get(table, table.replace("_", " "))
    title = _value(changes, "title") or _value(changes, "headline") or _value(changes, "name")
    named = f"the {record} “{title}”" if title else f"the {record}"

    if table == "claim_transitions" and operation == "INSERT":
        start, end = _value(changes, "from_state"), _value(changes, "to_state")
        comment = _value(changes, "comment")
        sentence = (
            f"moved the claim from {display_value(start, name='state')} to {display_value(end, name='state')}"
            if start
            else f"captured the claim as {display_value(end, name='state')}"
        )
        return HistoryItem(sentence + (f": “{comment}”" if comment else ""), [], table, operation)
    if table == "claims" and operation == "INSERT":
        return HistoryItem("captured the claim", fields, table, operation)
    if table == "claim_merges" and operation in {"INSERT", "UPDATE"}:
        # The merge row belongs to the merged claim: its history says where it went, and when it came back.
        survivor = _value(changes, "survivor_id")
        verb = "merged this claim into" if operation == "INSERT" else "undid the merge of this claim into"
        return HistoryItem(
            f"{verb} claim #{survivor}" if survivor else verb.removesuffix(" into"), [], table, operation
        )
    if table == "ratings" and operation in {"INSERT", "UPDATE"}:
        if not ratings_visible:
            verb = "submitted a rating" if operation == "INSERT" else "revised their rating"
            return HistoryItem(verb + " (hidden until you submit your own)", [], table, operation)
        label = display_value(_value(changes, "label_id"), names, "label_id")
        if operation == "INSERT":
            return HistoryItem(f"rated the claim {label}", fields, table, operation)
    if table == "verdicts" and operation == "UPDATE" and "label_id" in changes:
        old, new = changes["label_id"]
        sentence = (
            f"changed the verdict's rating from {display_value(old, names, 'label_id')} "
            f"to {display_value(new, names, 'label_id')}"
        )
        rest = [f for f in fields if f.name != field_name("label_id")]
        return HistoryItem(sentence, rest, table, operation)
    if table == "publications" and operation == "INSERT":
        revision = _value(changes, "revision")
        kind = str(_value(changes, "kind"))
        sentence = f"published revision {revision} ({kind})"
        claim_id = _value(changes, "claim_id")
        link = (
            ("claims.revision", {"claim_id": claim_id, "revision": revision})
            if claim_id and revision
            else None
        )
        shown = [f for f in fields if f.name in {"note", "label name", "headline"}]
        return HistoryItem(sentence, shown, table, operation, link)
    if table == "claim_tags" and operation in {"INSERT", "DELETE"}:
        tag = display_value(_value(changes, "tag_id"), names, "tag_id")
        verb = "tagged the claim" if operation == "INSERT" else "removed the tag"
        return HistoryItem(f"{verb} “{tag}”", [], table, operation)
    if table == "assignments" and operation in {"INSERT", "DELETE"}:
        person = display_value(_value(changes, "user_id"), names, "user_id")
        verb = "assigned" if operation == "INSERT" else "unassigned"
        return HistoryItem(f"{verb} {person}", [], table, operation)
    if table == "follows" and operation in {"INSERT", "DELETE"}:
        # Following (docs/notifications.md): whoever caused it heads the entry, the follower is named.
        person = display_value(_value(changes, "user_id"), names, "user_id")
        verb = "follows the claim now" if operation == "INSERT" else "stopped following the claim"
        return HistoryItem(f"{person} {verb}", [], table, operation)
    if table == "comments" and operation == "UPDATE" and "deleted_at" in changes:
        old, new = changes["deleted_at"]
        return HistoryItem("removed a comment" if new else "restored a comment", [], table, operation)
    if table == "comments" and operation == "INSERT":
        return HistoryItem("commented", fields, table, operation)
    if operation == "UPDATE" and len(fields) == 1 and not fields[0].is_long:
        only = fields[0]
        return HistoryItem(
            f"changed the {only.name} of {named} from {only.old} to {only.new}", [], table, operation
        )
    verb = {"INSERT": "added", "UPDATE": "edited", "DELETE": "removed"}[operation]
    return HistoryItem(f"{verb} {named}", fields if operation != "DELETE" else [], table, operation)


def claim_history(db: Session, claim_id: int, *, ratings_visible: bool) -> list[HistoryEntry]:
    """Every change to the claim and the records that belong to it, oldest first."""
    rows = db.execute(
        select(AuditChangeset, AuditChange)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(AuditChange.claim_id == claim_id)
        .order_by(AuditChangeset.seq, AuditChange.id)
    ).all()
    names = load_names(db)
    entries: list[HistoryEntry] = []
    for changeset, change in rows:
        if not entries or entries[-1].seq != changeset.seq:
            entries.append(_entry(changeset))
        entries[-1].items.append(
            describe(
                change.table_name, change.operation, change.changes, names, ratings_visible=ratings_visible
            )
        )
    for entry in entries:
        entry.items = _without_duplicate_state_changes(entry.items)
    return entries


def record_changes_since(
    db: Session, table: str, key: dict[str, Any], version: int, *, claim_id: int
) -> list[HistoryEntry]:
    """Changes to one versioned record of a claim that took it past ``version``, oldest first."""
    rows = db.execute(
        select(AuditChangeset, AuditChange)
        .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
        .where(
            AuditChange.claim_id == claim_id,
            AuditChange.table_name == table,
            AuditChange.operation == "UPDATE",
        )
        .order_by(AuditChange.id)
    ).all()
    names = load_names(db)
    entries: list[HistoryEntry] = []
    for changeset, change in rows:
        if change.row_key != key:
            continue
        new_version = (change.changes.get("version") or [None, None])[1]
        if new_version is None or new_version <= version:
            continue
        entry = _entry(changeset)
        entry.items.append(describe(table, change.operation, change.changes, names))
        entries.append(entry)
    return entries


def _entry(changeset: AuditChangeset) -> HistoryEntry:
    return HistoryEntry(
        seq=changeset.seq,
        occurred_at=changeset.occurred_at,
        actor_name=changeset.actor_name,
        actor_role=changeset.actor_role,
        origin=changeset.origin,
        reason=changeset.reason,
        request_id=changeset.request_id,
        items=[],
    )


def _without_duplicate_state_changes(items: list[HistoryItem]) -> list[HistoryItem]:
    """A workflow step also updates the claim's state; say it once."""
    if not any(item.table == "claim_transitions" for item in items):
        return items
    kept = []
    for item in items:
        if (
            item.table == "claims"
            and item.operation == "UPDATE"
            and item.sentence.startswith("changed the state")
        ):
            continue
        kept.append(item)
    return kept


# --- the system-wide log -------------------------------------------------------


# Records only admins may read in the audit log: the security log's entries carry
# addresses, browsers and the emails typed at failed sign-ins (the admins' security log).
ADMIN_ONLY_TABLES = frozenset({"security_events"})


@dataclass(frozen=True)
class LogFilter:
    actor_id: int | None = None
    table: str | None = None
    operation: str | None = None
    since: date | None = None
    until: date | None = None
    # Records left out of the log and its exports (everything is shown to admins).
    hidden: frozenset[str] = ADMIN_ONLY_TABLES

    def changeset_conditions(self) -> list[Any]:
        conditions = []
        if self.actor_id is not None:
            conditions.append(AuditChangeset.actor_id == self.actor_id)
        if self.since is not None:
            conditions.append(AuditChangeset.occurred_at >= _start_of(self.since))
        if self.until is not None:
            conditions.append(AuditChangeset.occurred_at < _start_of(self.until, days=1))
        return conditions

    def apply(self, query: Select[Any]) -> Select[Any]:
        """Changesets matching the filters (with at least one matching change)."""
        query = query.where(*self.changeset_conditions())
        if self.table or self.operation or self.hidden:
            matching = and_(AuditChange.changeset_seq == AuditChangeset.seq, *self.change_conditions())
            query = query.where(exists().where(matching))
        return query

    def change_conditions(self) -> list[Any]:
        conditions = []
        if self.table:
            conditions.append(AuditChange.table_name == self.table)
        if self.operation:
            conditions.append(AuditChange.operation == self.operation)
        if self.hidden:
            conditions.append(AuditChange.table_name.not_in(sorted(self.hidden)))
        return conditions


def _start_of(day: date, days: int = 0) -> datetime:
    from datetime import UTC, timedelta

    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=days)


@dataclass
class LogPage:
    changesets: list[tuple[AuditChangeset, list[AuditChange]]]
    # Sequence number to continue from for older entries, or None on the last page.
    next_before: int | None


def log_page(db: Session, filters: LogFilter, *, before: int | None = None, size: int = 50) -> LogPage:
    """Newest first, paginated by sequence number (keyset), so deep pages stay fast."""
    query = filters.apply(select(AuditChangeset))
    if before is not None:
        query = query.where(AuditChangeset.seq < before)
    changesets = db.scalars(query.order_by(AuditChangeset.seq.desc()).limit(size + 1)).all()
    more = len(changesets) > size
    changesets = changesets[:size]
    grouped: dict[int, list[AuditChange]] = {changeset.seq: [] for changeset in changesets}
    if grouped:
        changes = db.scalars(
            select(AuditChange)
            .where(AuditChange.changeset_seq.in_(grouped), *filters.change_conditions())
            .order_by(AuditChange.id)
        )
        for change in changes:
            grouped[change.changeset_seq].append(change)
    return LogPage(
        [(c, grouped[c.seq]) for c in changesets], changesets[-1].seq if more and changesets else None
    )


EXPORT_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "origin",
    "request_id",
    "reason",
    "table",
    "row_key",
    "operation",
    "changes",
    "claim_id",
    "hash",
)


def export_rows(db: Session, filters: LogFilter, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every change matching the filters, oldest first, one dict per change; streams in batches."""
    after = 0
    while True:
        query = (
            select(AuditChangeset, AuditChange)
            .join(AuditChange, AuditChange.changeset_seq == AuditChangeset.seq)
            .where(AuditChange.id > after, *filters.changeset_conditions(), *filters.change_conditions())
            .order_by(AuditChange.id)
            .limit(batch)
        )
        rows = db.execute(query).all()
        if not rows:
            return
        for changeset, change in rows:
            yield {
                "seq": changeset.seq,
                "occurred_at": changeset.occurred_at.isoformat(),
                "actor_id": changeset.actor_id,
                "actor_name": changeset.actor_name,
                "actor_role": changeset.actor_role,
                "origin": changeset.origin,
                "request_id": changeset.request_id,
                "reason": changeset.reason,
                "table": change.table_name,
                "row_key": change.row_key,
                "operation": change.operation,
                "changes": _without_secrets(change.changes),
                "claim_id": change.claim_id,
                "hash": changeset.hash,
            }
        after = rows[-1][1].id
        db.expunge_all()


def _without_secrets(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (["(hidden)", "(hidden)"] if name in SECRET_FIELDS else pair) for name, pair in changes.items()
    }


def summarise(changes: Sequence[AuditChange], names: Names) -> list[HistoryItem]:
    return [describe(c.table_name, c.operation, c.changes, names) for c in changes]


def record_types(names: Iterable[str]) -> list[tuple[str, str]]:
    return sorted((name, RECORD_NAMES.get(name, name).capitalize()) for name in names)
