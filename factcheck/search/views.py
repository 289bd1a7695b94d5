"""The desk's search page: claims, sources and documents matching one query."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from factcheck import db
from factcheck.claims.models import Claim
from factcheck.documents.models import Document
from factcheck.search import highlight
from factcheck.search.engines import RANK_AT_MOST, claim_ids_matching, claim_matches, engine_for
from factcheck.search.query import SearchQuery, parse
from factcheck.security.permissions import Permission, requires
from factcheck.sources.models import Source
from factcheck.web.counts import capped_count
from factcheck.web.forms import Form, choices
from factcheck.web.keyset import InvalidCursor, Key, Ordering, Page, fetch_page

bp = Blueprint("search", __name__, url_prefix="/search")

# Per section on the overview; one section alone is paged by PAGE_SIZE.
PREVIEW_SIZE = 10
PAGE_SIZE = 50
KINDS = {"claims": _l("Claims"), "sources": _l("Sources"), "documents": _l("Documents")}


class SearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    kind = SelectField(
        _l("Show"),
        choices=choices([("", _l("Everything")), *KINDS.items()]),
        default="",
        validators=[Optional()],
    )


@dataclass(frozen=True)
class Section:
    """One kind of result: the rows to page through, their order, and what to count."""

    rows: Select[Any]
    ordering: Ordering
    # One row per match, without the scoring work.
    matches: Select[Any]
    # Too many matches to rank (RANK_AT_MOST): listed newest first, and the page says so.
    unranked: bool = False


def _claims(session: Session, query: SearchQuery) -> Section:
    # Each claim once, without the de-duplication of a UNION (see claim_ids_matching).
    matches = select(Claim.id).where(
        Claim.id.in_(claim_ids_matching(session, query, ranked=False, distinct=False))
    )
    if capped_count(
        session, claim_ids_matching(session, query, ranked=False, distinct=False), at_most=RANK_AT_MOST
    ).more:
        # Too many to rank (as the claim list, claims.listing.affordable_sort): newest first,
        # each claim tested as the order walks them.
        rows = select(Claim).where(claim_matches(session, query))
        keys = (Key(Claim.created_at, datetime, True), Key(Claim.id, int, True))
        # Counted the same way, claim by claim, up to the count's limit (as the list's state links).
        counted = select(Claim.id).where(claim_matches(session, query))
        return Section(rows, Ordering("claims-newest", keys), counted, unranked=True)
    ranked = claim_ids_matching(session, query).subquery("ranked")
    rows = select(Claim).join(ranked, ranked.c.claim_id == Claim.id)
    keys = (Key(ranked.c.rank, float), Key(Claim.created_at, datetime, True), Key(Claim.id, int, True))
    return Section(rows, Ordering("claims", keys), matches)


def _sources(session: Session, query: SearchQuery) -> Section:
    engine = engine_for(session)
    matches = engine.sources(query, ranked=False)
    if capped_count(session, matches, at_most=RANK_AT_MOST).more:
        # Too many to rank (each would be scored, and sorted): newest first.
        rows = select(Source).where(Source.id.in_(matches)).options(selectinload(Source.claim))
        return Section(rows, Ordering("sources-newest", (Key(Source.id, int, True),)), matches, unranked=True)
    matched = engine.sources(query).subquery("matched")
    rows = select(Source).join(matched, matched.c.id == Source.id).options(selectinload(Source.claim))
    ordering = Ordering("sources", (Key(matched.c.score, float), Key(Source.id, int, True)))
    return Section(rows, ordering, matches)


def _documents(session: Session, query: SearchQuery) -> Section:
    engine = engine_for(session)
    matches = engine.documents(query, ranked=False)
    if capped_count(session, matches, at_most=RANK_AT_MOST).more:
        rows = select(Document).where(Document.id.in_(matches))
        return Section(
            rows, Ordering("documents-newest", (Key(Document.id, int, True),)), matches, unranked=True
        )
    matched = engine.documents(query).subquery("matched")
    rows = select(Document).join(matched, matched.c.id == Document.id)
    ordering = Ordering("documents", (Key(matched.c.score, float), Key(Document.id, int, True)))
    return Section(rows, ordering, matches)


SECTIONS = {"claims": _claims, "sources": _sources, "documents": _documents}


@bp.route("/")
@requires(Permission.READ_DESK)
def index() -> ResponseReturnValue:
    session = db.session()
    form = SearchForm(request.args)
    if request.args and not form.validate():
        return render_template("search/index.html", form=form, query=None, sections=[]), 422
    query = parse(form.q.data)
    kinds = [form.kind.data] if form.kind.data else list(KINDS)
    after, before = request.args.get("after") or None, request.args.get("before") or None
    sections = []
    if query:
        for kind in kinds:
            found = SECTIONS[kind](session, query)
            size = PAGE_SIZE if form.kind.data else PREVIEW_SIZE
            try:
                if after and before:
                    raise InvalidCursor("both directions")
                page = fetch_page(session, found.rows, found.ordering, size=size, after=after, before=before)
            except InvalidCursor:
                return render_template(
                    "search/index.html",
                    form=form,
                    query=query,
                    sections=[],
                    bad_cursor=url_for("search.index", q=form.q.data, kind=form.kind.data or None),
                ), 422
            sections.append(_section(session, kind, query, found, page, form))
    return render_template(
        "search/index.html",
        form=form,
        query=query,
        sections=sections,
        excerpt=highlight.excerpt,
        single=bool(form.kind.data),
    )


def _matched_in(rank: float) -> str:
    """What a claim's rank says about where it matched (see engines.claim_ids_matching)."""
    tier = max(math.ceil(rank) - 1, 0)
    return (
        _("matched in its wording or claimant"),
        _("matched in one of its sources"),
        _("matched in a document it appears in"),
    )[min(tier, 2)]


def _where_matched(session: Session, query: SearchQuery, claim_ids: list[int]) -> list[str]:
    """Where each of the claims shown matched, ranked among those claims only (a page: bounded)."""
    ranks = {
        claim_id: rank
        for claim_id, rank in session.execute(claim_ids_matching(session, query, among=claim_ids))
    }
    return [_matched_in(ranks[claim_id]) for claim_id in claim_ids]


def _section(
    session: Session, kind: str, query: SearchQuery, found: Section, page: Page, form: SearchForm
) -> dict[str, Any]:
    q, single = form.q.data, bool(form.kind.data)

    def link(**cursor: str) -> str:
        return url_for("search.index", q=q, kind=kind, **cursor)

    if single:
        more = link(after=page.next_cursor) if page.next_cursor else None
    elif kind == "claims":
        more = url_for("claims.index", q=q) if page.next_cursor else None
    else:
        more = link() if page.next_cursor else None
    return {
        "kind": kind,
        "title": str(KINDS[kind]),
        "items": [row[0] for row in page.rows],
        "matched": _where_matched(session, query, [row[0].id for row in page.rows])
        if kind == "claims"
        else [],
        "count": capped_count(session, found.matches),
        "unranked": RANK_AT_MOST if found.unranked else None,
        "more": more,
        "previous": link(before=page.previous_cursor) if single and page.previous_cursor else None,
    }
