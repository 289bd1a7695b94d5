"""The list of claims on the desk: filters, full-text search, sort orders, keyset pages, "my work".

The filters arrive as a GET form; the query is built by :func:`claim_query`
from a :class:`ClaimFilter` and paged by :func:`factcheck.web.keyset.fetch_page`
on the chosen :class:`~factcheck.web.keyset.Ordering`, whose keys end in the
claim id, so deep pages cost what the first does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ColumnElement, Date, Select, and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from factcheck import db
from factcheck.accounts.models import User
from factcheck.claims.blueprint import bp
from factcheck.claims.bulk_forms import MOVE_TARGETS
from factcheck.claims.models import Assignment, Claim, ClaimState, Tag, claim_tags
from factcheck.claims.workflow import configured_four_eyes
from factcheck.db import utcnow
from factcheck.home import queues
from factcheck.ratings.models import RatingLabel
from factcheck.ratings.translations import scale_names
from factcheck.search.engines import RANK_AT_MOST, claim_ids_matching, claim_matches
from factcheck.search.folding import FOLD, fold
from factcheck.search.query import SearchQuery, parse
from factcheck.security.permissions import Permission, requires
from factcheck.verdicts.models import Verdict
from factcheck.web.counts import COUNT_AT_MOST, capped_count
from factcheck.web.forms import Form, choices
from factcheck.web.keyset import InvalidCursor, Key, Ordering, Page, fetch_page

PAGE_SIZE = 50
# The label filter's values for labels as imported: this prefix and the label.
IMPORTED = "imported:"
# "Unassigned" in the assignee filter.
NOBODY = "none"
# Claims that still need work: the ones "my work" shows when I captured them.
OPEN_STATES = (ClaimState.NEW, ClaimState.RESEARCHING, ClaimState.IN_REVIEW, ClaimState.READY)

SORTS = {
    "relevance": _l("Best match"),
    "newest": _l("Newest first"),
    "oldest": _l("Oldest first"),
    "updated": _l("Recently updated"),
    "claimant": _l("Claimant A–Z"),  # noqa: RUF001 - a typographic en dash
    "review_by": _l("Review-by date"),
}


# --- the filters -------------------------------------------------------------------


class ClaimFilterForm(Form):
    """The claim list's filters; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    state = SelectField(
        _l("State"),
        choices=choices([("", _l("Any state")), *((state.value, state.lazy_label) for state in ClaimState)]),
        default="",
        validators=[Optional()],
    )
    label = SelectField(_l("Verdict label"), choices=[], default="", validators=[Optional()])
    assignee = SelectField(_l("Assigned to"), choices=[], default="", validators=[Optional()])
    tag = SelectField(_l("Tag"), choices=[], default="", validators=[Optional()])
    claimant = StringField(_l("Claimant"), validators=[Optional(), Length(max=200)])
    captured_from = DateField(_l("Captured from"), validators=[Optional()])
    captured_to = DateField(_l("Captured until"), validators=[Optional()])
    # The home page's queues (factcheck/home/queues.py); "me" is the signed-in person.
    assigned = SelectField(
        _l("Assigned"), choices=choices([("", ""), ("me", _l("to me"))]), default="", validators=[Optional()]
    )
    to_rate = SelectField(
        _l("To rate"), choices=choices([("", ""), ("me", _l("by me"))]), default="", validators=[Optional()]
    )
    to_publish = SelectField(
        _l("To publish"),
        choices=choices([("", ""), ("me", _l("by me"))]),
        default="",
        validators=[Optional()],
    )
    due = SelectField(
        _l("Due"),
        choices=choices([("", ""), (queues.OVERDUE, _l("overdue")), (queues.SOON, _l("due soon"))]),
        default="",
        validators=[Optional()],
    )
    sort = SelectField(
        _l("Sort"),
        choices=choices([("", _l("Best match or newest")), *SORTS.items()]),
        default="",
        validators=[Optional()],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.captured_from.data, self.captured_to.data
        if valid and start and end and start > end:
            self.captured_to.errors = [_("The end date is before the start date.")]
            return False
        return valid


def imported_labels(session: Session) -> list[str]:
    """The labels imported verdicts came with ("Spins the Facts"), each once whatever its case,
    so that imported claims can be found by them, mapped onto our scale or not."""
    spellings: dict[str, str] = {}
    for name in sorted(
        session.scalars(select(Verdict.imported_label).where(Verdict.imported_label.is_not(None)).distinct())
    ):
        spellings.setdefault(fold(name), name)
    return sorted(spellings.values(), key=str.casefold)


def filter_form(session: Session, args: Any) -> ClaimFilterForm:
    form = ClaimFilterForm(args)
    labels = session.execute(
        select(RatingLabel.key, RatingLabel.id, RatingLabel.name).order_by(RatingLabel.position)
    ).all()
    # In the desk's language where an admin gave one (factcheck/ratings/translations.py).
    names = scale_names(session, get_locale())
    form.label.choices = choices(
        [
            ("", _("Any label")),
            *((str(id_), names.name(name, key)) for key, id_, name in labels),
            *((IMPORTED + name, _("Imported: %(label)s", label=name)) for name in imported_labels(session)),
        ]
    )
    # Disabled people too: their unfinished work is what an editor needs to find.
    users = session.execute(select(User.id, User.name, User.is_disabled).order_by(User.name, User.id)).all()
    people = [
        (str(id_), _("%(name)s (disabled)", name=name) if disabled else name) for id_, name, disabled in users
    ]
    form.assignee.choices = choices([("", _("Anyone or nobody")), (NOBODY, _("Nobody")), *people])
    tags = session.execute(select(Tag.id, Tag.name).order_by(Tag.name)).all()
    form.tag.choices = choices([("", _("Any tag")), *((str(id_), name) for id_, name in tags)])
    return form


@dataclass(frozen=True)
class ClaimFilter:
    """What the list shows; every field optional, all of them must hold."""

    state: ClaimState | None = None
    label_id: int | None = None
    # The label an imported verdict came with, any case or accents.
    imported_label: str | None = None
    # A user id, or NOBODY for unassigned claims.
    assignee: int | str | None = None
    tag_id: int | None = None
    # A part of the claimant's name, any case.
    claimant: str | None = None
    captured_from: date | None = None
    captured_to: date | None = None
    text: SearchQuery | None = None
    # Whether ``text`` matches more than RANK_AT_MOST times (see :func:`sized`).
    common: bool = False
    # "My work": claims assigned to this user, or captured by them and still open.
    work_of: int | None = None
    # The home page's queues.
    queue: queues.QueueFilter = field(default_factory=queues.QueueFilter)

    @classmethod
    def from_form(
        cls, form: ClaimFilterForm, *, work_of: int | None = None, me: int | None = None
    ) -> ClaimFilter:
        assignee = form.assignee.data or None
        label = form.label.data or ""
        return cls(
            state=ClaimState(form.state.data) if form.state.data else None,
            label_id=int(label) if label.isdigit() else None,
            imported_label=label.removeprefix(IMPORTED) or None if label.startswith(IMPORTED) else None,
            assignee=assignee if assignee in (None, NOBODY) else int(assignee),
            tag_id=int(form.tag.data) if form.tag.data else None,
            claimant=form.claimant.data or None,
            captured_from=form.captured_from.data,
            captured_to=form.captured_to.data,
            text=parse(form.q.data) or None,
            work_of=work_of,
            queue=queues.QueueFilter(
                assigned_to=me if form.assigned.data == "me" else None,
                to_rate_by=me if form.to_rate.data == "me" else None,
                to_publish_by=me if form.to_publish.data == "me" else None,
                due=form.due.data or None,
            ),
        )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def conditions(session: Session, claim_filter: ClaimFilter) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the filter (the text filter unranked)."""
    f = claim_filter
    where: list[ColumnElement[bool]] = []
    if f.state is not None:
        where.append(Claim.state == f.state)
    # IN (subquery) rather than EXISTS: SQLite can then start from the few matching
    # rows instead of testing every claim (PostgreSQL plans both the same way).
    if f.label_id is not None:
        where.append(Claim.id.in_(select(Verdict.claim_id).where(Verdict.label_id == f.label_id)))
    if f.imported_label is not None:
        fold_sql = getattr(func, FOLD)
        matching = fold_sql(Verdict.imported_label) == fold_sql(literal(f.imported_label))
        where.append(Claim.id.in_(select(Verdict.claim_id).where(matching)))
    if f.assignee == NOBODY:
        where.append(~exists().where(Assignment.claim_id == Claim.id))
    elif f.assignee is not None:
        where.append(Claim.id.in_(select(Assignment.claim_id).where(Assignment.user_id == f.assignee)))
    if f.tag_id is not None:
        where.append(Claim.id.in_(select(claim_tags.c.claim_id).where(claim_tags.c.tag_id == f.tag_id)))
    if f.claimant:
        # Case-insensitive on PostgreSQL for every script; on SQLite for ASCII letters.
        where.append(Claim.claimant.icontains(f.claimant, autoescape=True))
    if f.captured_from is not None:
        where.append(Claim.created_at >= _start_of(f.captured_from))
    if f.captured_to is not None:
        where.append(Claim.created_at < _start_of(f.captured_to + timedelta(days=1)))
    if f.work_of is not None:
        where.append(
            or_(
                Claim.id.in_(select(Assignment.claim_id).where(Assignment.user_id == f.work_of)),
                and_(Claim.created_by_id == f.work_of, Claim.state.in_(OPEN_STATES)),
            )
        )
    if f.text and f.common:
        # Tested claim by claim as the list's order walks them: a page stops after a page.
        where.append(claim_matches(session, f.text))
    elif f.text:
        where.append(Claim.id.in_(claim_ids_matching(session, f.text, ranked=False, distinct=False)))
    where.extend(queues.conditions(session, f.queue, four_eyes=configured_four_eyes(), today=utcnow().date()))
    return where


def ordering(name: str) -> Ordering:
    """The sort orders other than relevance (which needs the query: see :func:`claim_query`)."""
    claim_id = Key(Claim.id, int)
    if name == "oldest":
        return Ordering(name, (Key(Claim.created_at, datetime), claim_id))
    if name == "updated":
        return Ordering(name, (Key(Claim.updated_at, datetime, True), Key(Claim.id, int, True)))
    if name == "claimant":
        return Ordering(name, (Key(Claim.claimant, str), claim_id))
    if name == "review_by":
        # Claims without a review-by date last.
        due = func.coalesce(Claim.review_by, literal(date.max, Date))
        return Ordering(name, (Key(due, date), claim_id))
    return Ordering("newest", (Key(Claim.created_at, datetime, True), Key(Claim.id, int, True)))


def effective_sort(requested: str | None, claim_filter: ClaimFilter) -> str:
    """Best match when searching (unless another order was asked for), else newest first."""
    if requested == "relevance" or not requested:
        return "relevance" if claim_filter.text else "newest"
    return requested if requested in SORTS else "newest"


def sized(session: Session, claim_filter: ClaimFilter) -> ClaimFilter:
    """The filter, knowing whether its words match more than RANK_AT_MOST times (a claim's
    search entry and each appearance in a document count once), which the sort follows
    (:func:`affordable_sort`) and the text filter too (:func:`conditions`: a common word is
    tested claim by claim in the list's order). UNION ALL under a LIMIT: the count stops after
    RANK_AT_MOST + 1."""
    if not claim_filter.text:
        return claim_filter
    matches = claim_ids_matching(session, claim_filter.text, ranked=False, distinct=False)
    return replace(claim_filter, common=capped_count(session, matches, at_most=RANK_AT_MOST).more)


def affordable_sort(claim_filter: ClaimFilter, sort: str) -> str:
    """``sort``, or newest first when best match was asked for and the words are common (see
    :func:`sized`): ranking sorts every match, and for a very common word the database would
    read and sort them all for each page, while the ranks hardly differ."""
    return "newest" if sort == "relevance" and claim_filter.text and claim_filter.common else sort


def claim_query(session: Session, claim_filter: ClaimFilter, sort: str) -> tuple[Select[Any], Ordering]:
    """The filtered claims (unordered) and the order to page them in."""
    if sort == "relevance" and claim_filter.text:
        matches = claim_ids_matching(session, claim_filter.text).subquery("ranked")
        unranked = replace(claim_filter, text=None)
        query = (
            select(Claim).join(matches, matches.c.claim_id == Claim.id).where(*conditions(session, unranked))
        )
        # Best match first; equally good matches newest first.
        keys = (Key(matches.c.rank, float), Key(Claim.created_at, datetime, True), Key(Claim.id, int, True))
        return query, Ordering("relevance", keys)
    return select(Claim).where(*conditions(session, claim_filter)), ordering(sort)


@dataclass(frozen=True)
class StateCounts:
    """How many claims in each state match the other filters; ``more`` when over ``at_most``
    matched (then only that is known: the links show no number per state)."""

    counts: dict[ClaimState, int]
    at_most: int = COUNT_AT_MOST
    more: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def shown(self, state: ClaimState | None) -> str:
        """The number a state link shows ("" when unknown)."""
        if self.more:
            return _("more than %(count)s", count=format_number(self.at_most)) if state is None else ""
        return format_number(self.total if state is None else self.counts.get(state, 0))


def state_counts(session: Session, claim_filter: ClaimFilter, *, at_most: int | None = None) -> StateCounts:
    """How many claims in each state match the other filters, reading at most ``at_most + 1``
    (default COUNT_AT_MOST)."""
    at_most = COUNT_AT_MOST if at_most is None else at_most
    where = conditions(session, replace(claim_filter, state=None))
    # LIMIT inside: the database stops once it has found one more than it will count.
    found = select(Claim.state).where(*where).limit(at_most + 1).subquery()
    rows = session.execute(select(found.c.state, func.count()).group_by(found.c.state))
    counts = {state: count for state, count in rows}
    if sum(counts.values()) > at_most:
        return StateCounts({}, at_most, more=True)
    return StateCounts(counts, at_most)


def claim_page(
    session: Session,
    claim_filter: ClaimFilter,
    sort: str,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> tuple[list[Claim], Page]:
    """One page of the list, with what its table shows loaded. Raises InvalidCursor."""
    query, order = claim_query(session, claim_filter, sort)
    query = query.options(
        selectinload(Claim.tags),
        selectinload(Claim.assignments).selectinload(Assignment.user),
        selectinload(Claim.verdict).selectinload(Verdict.label),
    )
    page = fetch_page(session, query, order, size=size, after=after, before=before)
    return [row[0] for row in page.rows], page


# --- the views -----------------------------------------------------------------------


def _render(*, mine: bool) -> ResponseReturnValue:
    session = db.session()
    form = filter_form(session, request.args)
    context: dict[str, Any] = {
        "form": form,
        "mine": mine,
        "sorts": SORTS,
        # The bulk action form under the list (factcheck/claims/bulk.py).
        "bulk_states": MOVE_TARGETS,
        "bulk_people": session.scalars(select(User).where(User.is_disabled.is_(False)).order_by(User.name)),
    }
    endpoint = "claims.my_work" if mine else "claims.index"
    if any(request.args.get(name) for name in form.data) and not form.validate():
        return render_template("claims/index.html", claims=None, **context), 422

    claim_filter = sized(
        session, ClaimFilter.from_form(form, work_of=current_user.id if mine else None, me=current_user.id)
    )
    requested = effective_sort(form.sort.data, claim_filter)
    sort = affordable_sort(claim_filter, requested)
    after, before = request.args.get("after") or None, request.args.get("before") or None
    # The filters as given, to carry over into the page links.
    query_args = {name: value for name, value in request.args.items() if value and name in form.data}
    context.update(
        query_args=query_args,
        sort=sort,
        # Best match asked for (or implied), too many matches to rank: the page says so.
        unranked=RANK_AT_MOST if sort != requested else None,
        search_text=form.q.data if claim_filter.text else None,
    )
    try:
        if after and before:
            raise InvalidCursor("both directions")
        claims, page = claim_page(session, claim_filter, sort, after=after, before=before, size=PAGE_SIZE)
    except InvalidCursor:
        first = url_for(endpoint, **query_args)
        return render_template("claims/index.html", claims=None, bad_cursor=first, **context), 422
    counts = state_counts(session, claim_filter)
    without_state = {name: value for name, value in query_args.items() if name != "state"}
    state_links = [
        (None, _("All states"), counts.shown(None), url_for(endpoint, **without_state)),
        *(
            (state, state.label, counts.shown(state), url_for(endpoint, **without_state, state=state.value))
            for state in ClaimState
        ),
    ]
    return render_template(
        "claims/index.html",
        claims=claims,
        state_links=state_links,
        current_state=claim_filter.state,
        first_url=url_for(endpoint, **query_args) if after or before else None,
        next_url=url_for(endpoint, **query_args, after=page.next_cursor) if page.next_cursor else None,
        previous_url=(
            url_for(endpoint, **query_args, before=page.previous_cursor) if page.previous_cursor else None
        ),
        **context,
    )


@bp.route("/")
@requires(Permission.READ_DESK)
def index() -> ResponseReturnValue:
    return _render(mine=False)


@bp.route("/mine")
@requires(Permission.READ_DESK)
def my_work() -> ResponseReturnValue:
    return _render(mine=True)
