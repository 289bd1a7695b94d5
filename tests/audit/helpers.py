"""Reading the audit history back, and writing a little of it, for the audit tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from factcheck.audit import triggers
from factcheck.audit.changesets import Actor, set_actor
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.claims.models import Claim, Tag
from factcheck.db import SQLITE_BEGIN
from factcheck.sources.models import Source

CHANGESETS = AuditChangeset.__table__
CHANGES = AuditChange.__table__

TEST_ACTOR = Actor.system("audit tests", "test")


def observe(engine: Engine) -> Connection:
    """A second connection that only reads (on SQLite a deferred BEGIN, so it never blocks the writer)."""
    return engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}).connect()


def connection_of(db: Connection | Session) -> Connection:
    return db.connection() if isinstance(db, Session) else db


def changesets(db: Connection | Session) -> list[Row[Any]]:
    """Every changeset, in chain order."""
    return list(connection_of(db).execute(select(CHANGESETS).order_by(CHANGESETS.c.seq)))


def head(db: Connection | Session) -> Row[Any] | None:
    return connection_of(db).execute(select(CHANGESETS).order_by(CHANGESETS.c.seq.desc()).limit(1)).first()


def head_seq(db: Connection | Session) -> int:
    found = head(db)
    return found.seq if found else 0


def changeset(db: Connection | Session, seq: int) -> Row[Any] | None:
    return connection_of(db).execute(select(CHANGESETS).where(CHANGESETS.c.seq == seq)).first()


def changes(db: Connection | Session, seq: int | None = None, *, table: str | None = None) -> list[Row[Any]]:
    """Changes (JSON decoded), in the order they were written; of one changeset and/or table."""
    query = select(CHANGES).order_by(CHANGES.c.id)
    if seq is not None:
        query = query.where(CHANGES.c.changeset_seq == seq)
    if table is not None:
        query = query.where(CHANGES.c.table_name == table)
    return list(connection_of(db).execute(query))


def count(db: Connection | Session, table: Any) -> int:
    return connection_of(db).execute(select(func.count()).select_from(table)).scalar_one()


def tag_names(db: Connection | Session) -> set[str]:
    return set(connection_of(db).execute(select(Tag.name)).scalars())


@contextmanager
def audited_session(engine: Engine | Connection, actor: Actor = TEST_ACTOR) -> Iterator[Session]:
    """A session of its own (real transactions) whose writes are attributed to ``actor``."""
    session = Session(bind=engine, expire_on_commit=False)
    set_actor(session, actor)
    try:
        yield session
    finally:
        session.close()


def write_history(engine: Engine) -> None:
    """A few committed changesets of different shapes: inserts, an update, a delete, several tables."""
    with audited_session(engine, Actor.system("history writer", "test")) as session:
        session.add_all([Tag(name="economy"), Tag(name="health")])
        session.commit()
        claim = Claim(text="Unemployment halved in a year.", claimant="A minister")
        claim.sources.append(Source(title="Labour statistics", url="https://stats.example.org/labour"))
        session.add(claim)
        session.commit()
        tag = session.scalars(select(Tag).where(Tag.name == "health")).one()
        tag.name = "public health"
        session.commit()
        claim.tags.append(tag)
        session.commit()
        session.delete(session.scalars(select(Tag).where(Tag.name == "economy")).one())
        session.commit()


def drop_append_only_triggers(connection: Connection) -> None:
    """What the database owner can do: drop the triggers keeping the audit tables
    append-only, and the one keeping the chain gap-free."""
    for table, name in triggers.existing_triggers(connection):
        if table not in triggers.APPEND_ONLY:
            continue
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f'DROP TRIGGER "{name}" ON "{table}"')
        else:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
