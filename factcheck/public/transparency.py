"""The transparency pages: the audit history's signed checkpoints, published so anyone can keep copies.

Each checkpoint (:mod:`factcheck.audit.checkpoints`) says "changeset *seq* has
link *head*", signed with the audit key's Ed25519 key. Published here as an HTML
page, as JSON (every checkpoint, oldest first, with the public keys: the file
``factcheck audit verify --checkpoints FILE|URL`` reads) and as an Atom feed (the
newest, one entry each, for readers that collect feeds). A copy kept outside
our reach is what shows it if the history is later truncated or rewritten.

Checkpoints are only ever added, so the newest one's id and the count decide
what these pages show; with the keys' ids and the organisation's settings they
make the validators (:mod:`factcheck.public.caching`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, current_app, render_template, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck import db
from factcheck.audit import keys
from factcheck.audit.checkpoints import COMMAND, INTERVAL, PUBLICATION, Statement
from factcheck.audit.models import AuditCheckpoint
from factcheck.db import reading_session
from factcheck.organisation.details import publisher
from factcheck.public import caching
from factcheck.public.blueprint import bp
from factcheck.public.checks import settings_version
from factcheck.public.feeds import ATOM_NS, EPOCH, FEED_MAX_AGE, element, xml_document
from factcheck.publishing.urls import absolute_url
from factcheck.security.permissions import public

# What the JSON copy is (each checkpoint in it says its own type too).
DOCUMENT_TYPE = "factcheck-audit-checkpoints-v1"
# Checkpoints listed on the page and in the feed, newest first; the JSON has them all.
PAGE_ENTRIES = 50
FEED_ENTRIES = 100
# Checkpoints per chunk of the streamed JSON.
CHUNK_CHECKPOINTS = 200
# Why a checkpoint was made, as readers read it.
CAUSES = {
    PUBLICATION: _l("at a publication"),
    INTERVAL: _l("on schedule"),
    COMMAND: _l("on request"),
}

_table = AuditCheckpoint.__table__


@dataclass(frozen=True)
class CheckpointState:
    """What every transparency page depends on."""

    newest_id: int | None
    count: int
    newest_made_at: datetime | None
    settings_changed_at: datetime | None
    key_ids: tuple[str, ...]

    def key(self) -> tuple[Any, ...]:
        return (
            self.newest_id,
            self.count,
            caching.stamp(self.settings_changed_at),
            *self.key_ids,
        )

    @property
    def last_modified(self) -> datetime | None:
        return caching.latest_of(self.newest_made_at, self.settings_changed_at)


def checkpoint_state(session: Session) -> CheckpointState:
    newest_id, count, newest_made_at, settings_changed_at = session.execute(
        select(func.max(_table.c.id), func.count(_table.c.id), func.max(_table.c.made_at), settings_version())
    ).one()
    key_ids = tuple(key.key_id for key in keys.active().keys)
    return CheckpointState(newest_id, count, newest_made_at, settings_changed_at, key_ids)


def newest_checkpoints(session: Session, limit: int) -> list[Statement]:
    rows = session.execute(select(_table).order_by(_table.c.id.desc()).limit(limit))
    return [Statement.from_row(row) for row in rows]


def anchor(statement: Statement) -> str:
    """The checkpoint's fragment on the page and its feed entry's id: unique, as its file name is."""
    return "checkpoint-" + statement.file_name.removesuffix(".json")


def statement_text(statement: Statement) -> str:
    return json.dumps(statement.to_json(), sort_keys=True)


# --- the page ------------------------------------------------------------------------------


@bp.route("/transparency/")
@public
def transparency() -> ResponseReturnValue:
    session = db.session()
    state = checkpoint_state(session)
    etag = caching.make_etag("transparency", state.key())

    def render() -> str:
        return render_template(
            "public/transparency.html",
            public_keys=keys.active().public_keys(),
            checkpoints=newest_checkpoints(session, PAGE_ENTRIES),
            count=state.count,
            causes=CAUSES,
            anchor=anchor,
            json_url=absolute_url("public.checkpoints_json"),
            atom_url=absolute_url("public.checkpoints_feed"),
        )

    return caching.serve(caching.get_cache().pages, etag, state.last_modified, render)


# --- JSON ----------------------------------------------------------------------------------


def document_chunks(
    session: Session, public_keys: Sequence[dict[str, Any]], up_to: int | None, batch: int = CHUNK_CHECKPOINTS
) -> Iterator[str]:
    """``{"type", "keys", "checkpoints"}`` as text chunks: every checkpoint with id up to ``up_to``, oldest first.

    Joined, the chunks parse as the document :func:`factcheck.audit.checkpoints.from_copy` reads.
    """
    head = json.dumps({"type": DOCUMENT_TYPE, "keys": list(public_keys), "checkpoints": []})
    closing = "[]}"
    assert head.endswith(closing)
    yield head[: -len(closing)] + "["
    pending: list[str] = []
    if up_to is not None:
        rows = session.execute(
            select(_table)
            .where(_table.c.id <= up_to)
            .order_by(_table.c.id)
            .execution_options(yield_per=batch)
        )
        for number, row in enumerate(rows):
            text = json.dumps(Statement.from_row(row).to_json())
            pending.append(text if number == 0 else ", " + text)
            if len(pending) >= batch:
                yield "".join(pending)
                pending = []
    pending.append("]}")
    yield "".join(pending)


@bp.route("/transparency/checkpoints.json")
@public
def checkpoints_json() -> ResponseReturnValue:
    session = db.session()
    state = checkpoint_state(session)
    etag = caching.make_etag("checkpoints.json", state.key())
    if caching.is_fresh(etag, state.last_modified):
        return caching.not_modified(etag, state.last_modified, FEED_MAX_AGE)
    public_keys = keys.active().public_keys()
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def chunks() -> Iterator[str]:
        # The request's session is closed once the response starts. Up to the newest the
        # validators counted, so the body is the one the ETag names.
        with reading_session(app) as reader:
            yield from document_chunks(reader, public_keys, state.newest_id)

    response = Response(stream_with_context(chunks()), mimetype="application/json")
    response.headers["Content-Disposition"] = 'inline; filename="checkpoints.json"'
    # Public, cookie-free data meant to be copied: monitors running in a browser may fetch it too.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return caching.streamed(response, etag, state.last_modified, FEED_MAX_AGE)


# --- Atom ----------------------------------------------------------------------------------


def atom_feed(session: Session, newest_made_at: datetime | None) -> str:
    signer = publisher(session)
    page_url = absolute_url("public.transparency")
    feed_url = absolute_url("public.checkpoints_feed")
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    element(feed, "id", feed_url)
    element(feed, "title", _("%(name)s: audit history checkpoints", name=signer.name))
    element(
        feed,
        "subtitle",
        _(
            "Signed statements of the newest link of our audit history. Keep copies: they show it if the history "
            "is ever truncated or rewritten."
        ),
    )
    element(feed, "updated", caching.stamp(newest_made_at or EPOCH))
    element(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    element(feed, "link", rel="alternate", type="text/html", href=page_url)
    element(
        feed, "link", rel="related", type="application/json", href=absolute_url("public.checkpoints_json")
    )
    author = element(feed, "author")
    element(author, "name", signer.name)
    if signer.url:
        element(author, "uri", signer.url)
    element(feed, "generator", "factcheck")
    for statement in newest_checkpoints(session, FEED_ENTRIES):
        made = statement.to_json()["time"]
        why = CAUSES.get(statement.cause, statement.cause)
        entry = element(feed, "entry")
        element(entry, "id", f"{page_url}#{anchor(statement)}")
        element(
            entry, "title", _("Checkpoint of changeset %(seq)s, made %(why)s", seq=statement.seq, why=why)
        )
        element(entry, "link", rel="alternate", type="text/html", href=page_url)
        element(entry, "published", made)
        element(entry, "updated", made)
        element(entry, "category", term=statement.cause, label=why)
        element(
            entry,
            "summary",
            _(
                "Changeset %(seq)s has link %(head)s; signed with audit key %(key)s.",
                seq=statement.seq,
                head=statement.head,
                key=statement.key_id,
            ),
            type="text",
        )
        # The signed statement itself, as text: what a copy keeps and verify reads.
        element(entry, "content", statement_text(statement), type="text")
    return xml_document(feed)


@bp.route("/transparency/checkpoints.atom")
@public
def checkpoints_feed() -> ResponseReturnValue:
    session = db.session()
    state = checkpoint_state(session)
    etag = caching.make_etag("checkpoints.atom", state.key())
    response = caching.serve(
        caching.get_cache().lists,
        etag,
        state.last_modified,
        lambda: atom_feed(session, state.newest_made_at),
        mimetype="application/atom+xml",
        max_age=FEED_MAX_AGE,
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
