"""The claim list: every filter, every sort order, keyset pages, "my work", state counts, bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims import listing
from factcheck.claims.listing import ClaimFilter, claim_page
from factcheck.claims.models import Claim, ClaimState
from factcheck.search.query import parse
from factcheck.web.keyset import InvalidCursor
from tests.search import records
from tests.search.records import at, listed_ids

NEXT_LINK = re.compile(r'<a class="button" href="([^"]+)" rel="next">')
PREVIOUS_LINK = re.compile(r'<a href="([^"]+)" rel="prev">')


def ids(claims: list[Claim]) -> list[int]:
    return [claim.id for claim in claims]


def listed(client: FlaskClient, url: str, status: int = 200) -> list[int]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return listed_ids(response.get_data(as_text=True))


@pytest.fixture
def editor(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.EDITOR)


# --- filters -------------------------------------------------------------------------


def test_the_list_shows_newest_first_with_what_the_desk_needs(
    client: FlaskClient, db_session: Session, editor: User, make_user: Callable[..., User]
) -> None:
    reviewer = make_user(Role.REVIEWER, name="Rita Reviewer")
    older = records.claim(db_session, "Older claim.", created_at=at(1))
    newer = records.claim(
        db_session,
        "Newer claim.",
        "NATO Secretary-General",
        state=ClaimState.READY,
        created_at=at(2),
        review_by=date(2026, 3, 1),
        tags=["inf treaty"],
        assignees=[reviewer],
        verdict_label="mostly-false",
    )
    response = client.get("/claims/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert listed_ids(page) == [newer.id, older.id]
    row = page[page.index(f'href="/claims/{newer.id}"') :]
    row = row[: row.index("</tr>")]
    for shown in (
        "Newer claim.",
        "NATO Secretary-General",
        "Ready",
        "Mostly false",
        "Rita Reviewer",
        "inf treaty",
    ):
        assert shown in row
    assert "2026-03-01" in row


def test_filter_by_state_with_counts_of_every_state(
    client: FlaskClient, db_session: Session, editor: User
) -> None:
    new = records.claim(db_session, "A new one.")
    ready = [records.claim(db_session, f"Ready {n}.", state=ClaimState.READY) for n in range(2)]
    assert listed(client, "/claims/?state=ready") == ids(ready[::-1])
    page = client.get("/claims/?state=ready").get_data(as_text=True)
    assert re.search(r'aria-current="page">Ready <span class="count">\(2\)</span>', page)
    assert re.search(r">New <span class=\"count\">\(1\)</span>", page)
    assert re.search(r">All states <span class=\"count\">\(3\)</span>", page)
    assert listed(client, "/claims/?state=new") == [new.id]
    assert listed(client, "/claims/?state=published") == []


def test_state_counts_follow_the_other_filters(
    client: FlaskClient, db_session: Session, editor: User
) -> None:
    records.claim(db_session, "Tagged new.", tags=["budget"])
    records.claim(db_session, "Tagged researching.", state=ClaimState.RESEARCHING, tags=["budget"])
    records.claim(db_session, "Untagged new.")
    tag_id = records.tag(db_session, "budget").id
    page = client.get(f"/claims/?tag={tag_id}").get_data(as_text=True)
    assert re.search(r">All states <span class=\"count\">\(2\)</span>", page)
    assert re.search(r">New <span class=\"count\">\(1\)</span>", page)
    # The state links keep the tag filter.
    assert f'href="/claims/?tag={tag_id}&amp;state=new"' in page


def test_state_counts_past_the_limit_say_more_than(
    client: FlaskClient, db_session: Session, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "COUNT_AT_MOST", 2)
    for n in range(3):
        records.claim(db_session, f"Budget claim {n}.")
    records.claim(db_session, "Ready one.", state=ClaimState.READY)
    page = client.get("/claims/").get_data(as_text=True)
    assert re.search(r'>All states <span class="count">\(more than 2\)</span>', page)
    # Only that is known: no number per state, and every claim is still listed.
    assert re.search(r">New</a>", page)
    assert len(listed_ids(page)) == 4
    # Under the limit the numbers are exact.
    page = client.get("/claims/?q=ready").get_data(as_text=True)
    assert re.search(r'>All states <span class="count">\(1\)</span>', page)
    assert re.search(r'>Ready <span class="count">\(1\)</span>', page)
    assert re.search(r'>New <span class="count">\(0\)</span>', page)


def test_filter_by_verdict_label(client: FlaskClient, db_session: Session, editor: User) -> None:
    false = records.claim(db_session, "False one.", verdict_label="false")
    records.claim(db_session, "True one.", verdict_label="true")
    records.claim(db_session, "No verdict.")
    label_id = records.rating_label(db_session, "false").id
    assert listed(client, f"/claims/?label={label_id}") == [false.id]


def test_filter_by_assignee_and_unassigned(
    client: FlaskClient, db_session: Session, editor: User, make_user: Callable[..., User]
) -> None:
    ana, ben = make_user(Role.REVIEWER), make_user(Role.REVIEWER)
    for_ana = records.claim(db_session, "Ana's.", assignees=[ana])
    for_both = records.claim(db_session, "Both.", assignees=[ana, ben])
    unassigned = records.claim(db_session, "Nobody's.")
    assert listed(client, f"/claims/?assignee={ana.id}") == [for_both.id, for_ana.id]
    assert listed(client, f"/claims/?assignee={ben.id}") == [for_both.id]
    assert listed(client, "/claims/?assignee=none") == [unassigned.id]


def test_work_of_disabled_people_can_still_be_found(
    client: FlaskClient, db_session: Session, editor: User, make_user: Callable[..., User]
) -> None:
    gone = make_user(Role.REVIEWER, name="Gone Reviewer", disabled=True)
    left_behind = records.claim(db_session, "Left behind.", assignees=[gone])
    records.claim(db_session, "Other.")
    page = client.get("/claims/").get_data(as_text=True)
    assert f'<option value="{gone.id}">Gone Reviewer (disabled)</option>' in page
    assert listed(client, f"/claims/?assignee={gone.id}") == [left_behind.id]


def test_filter_by_tag(client: FlaskClient, db_session: Session, editor: User) -> None:
    both = records.claim(db_session, "Two tags.", tags=["nato", "russia"])
    nato = records.claim(db_session, "One tag.", tags=["nato"])
    records.claim(db_session, "No tags.")
    assert listed(client, f"/claims/?tag={records.tag(db_session, 'nato').id}") == [nato.id, both.id]
    assert listed(client, f"/claims/?tag={records.tag(db_session, 'russia').id}") == [both.id]


def test_filter_by_claimant_substring_in_any_case(
    client: FlaskClient, db_session: Session, editor: User
) -> None:
    stoltenberg = records.claim(db_session, claimant="Jens Stoltenberg")
    records.claim(db_session, claimant="Sergei Lavrov")
    percent = records.claim(db_session, claimant="100% Ministry")
    assert listed(client, "/claims/?claimant=STOLTEN") == [stoltenberg.id]
    assert listed(client, "/claims/?claimant=berg") == [stoltenberg.id]
    # LIKE wildcards in the input are plain characters.
    assert listed(client, "/claims/?claimant=%25") == [percent.id]
    assert listed(client, "/claims/?claimant=_") == []


def test_filter_by_capture_date_range_includes_both_days(
    client: FlaskClient, db_session: Session, editor: User
) -> None:
    before = records.claim(db_session, "Before.", created_at=at(9, 23))
    first = records.claim(db_session, "First day.", created_at=at(10, 0))
    last = records.claim(db_session, "Last day.", created_at=at(12, 23))
    after = records.claim(db_session, "After.", created_at=at(13, 0))
    assert listed(client, "/claims/?captured_from=2026-01-10&captured_to=2026-01-12") == [last.id, first.id]
    assert listed(client, "/claims/?captured_from=2026-01-12") == [after.id, last.id]
    assert listed(client, "/claims/?captured_to=2026-01-09") == [before.id]


def test_filters_combine(client: FlaskClient, db_session: Session, editor: User) -> None:
    match = records.claim(db_session, "Missile range.", "Kremlin", state=ClaimState.IN_REVIEW, tags=["inf"])
    records.claim(db_session, "Missile range.", "Kremlin", state=ClaimState.NEW, tags=["inf"])
    records.claim(db_session, "Missile range.", "NATO", state=ClaimState.IN_REVIEW, tags=["inf"])
    records.claim(db_session, "Budget.", "Kremlin", state=ClaimState.IN_REVIEW, tags=["inf"])
    tag_id = records.tag(db_session, "inf").id
    assert listed(client, f"/claims/?q=missile&state=in_review&claimant=krem&tag={tag_id}") == [match.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("captured_from=2026-02-30", "captured_from"),
        ("captured_to=yesterday", "captured_to"),
        ("captured_from=2026-02-02&captured_to=2026-02-01", "captured_to"),
        ("state=lost", "state"),
        ("label=999999", "label"),
        ("assignee=abc", "assignee"),
        ("tag=-1", "tag"),
        ("sort=random", "sort"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_invalid_filters_are_refused_next_to_their_field(
    client: FlaskClient, editor: User, query: str, field: str
) -> None:
    response = client.get(f"/claims/?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert 'aria-invalid="true"' in page
    assert "<table" not in page


def test_an_empty_form_submission_lists_everything(
    client: FlaskClient, db_session: Session, editor: User
) -> None:
    made = records.claim(db_session)
    url = "/claims/?q=&state=&label=&assignee=&tag=&claimant=&captured_from=&captured_to=&sort="
    assert listed(client, url) == [made.id]


# --- full-text search in the list ---------------------------------------------------


def test_search_finds_claims_through_their_text_sources_and_documents(
    client: FlaskClient, db_session: Session, editor: User
) -> None:
    doc = records.document(db_session, "Press conference", "Questions about the Aegis Ashore launchers.")
    by_text = records.claim(db_session, "Aegis Ashore can fire cruise missiles.", created_at=at(1))
    by_source = records.claim(
        db_session,
        "Romania hosts a US site.",
        sources=[{"title": "Aegis Ashore fact sheet"}],
        created_at=at(2),
    )
    by_document = records.claim(db_session, "The launchers are defensive.", documents=[doc], created_at=at(3))
    records.claim(db_session, "Unrelated.", created_at=at(4))
    # Best match first: the claim's own words, then a source, then a document.
    assert listed(client, "/claims/?q=aegis") == [by_text.id, by_source.id, by_document.id]
    assert listed(client, "/claims/?q=aegis&sort=newest") == [by_document.id, by_source.id, by_text.id]
    assert listed(client, "/claims/?q=aegis&sort=newest&state=new") == [
        by_document.id,
        by_source.id,
        by_text.id,
    ]


def test_too_many_matches_to_rank_are_listed_newest_first_and_the_page_says_so(
    client: FlaskClient, db_session: Session, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "RANK_AT_MOST", 2)
    doc = records.document(db_session, "Press conference", "Questions about the Aegis Ashore launchers.")
    by_text = records.claim(db_session, "Aegis Ashore can fire cruise missiles.", created_at=at(1))
    by_document = records.claim(db_session, "The launchers are defensive.", documents=[doc], created_at=at(3))
    page = client.get("/claims/?q=aegis").get_data(as_text=True)
    assert listed_ids(page) == [by_text.id, by_document.id]
    assert "shown newest first" not in page
    # A third match (through a source) is one more than can be ranked.
    by_source = records.claim(
        db_session,
        "Romania hosts a US site.",
        sources=[{"title": "Aegis Ashore fact sheet"}],
        created_at=at(2),
    )
    page = client.get("/claims/?q=aegis").get_data(as_text=True)
    assert listed_ids(page) == [by_document.id, by_source.id, by_text.id]
    assert "More than 2 matches: shown newest first, not by best match." in page


@pytest.mark.parametrize(
    "query", ['"', "AND(", "NOT", 'a" OR "b', "*", "-", "🚀", "(", "'; DROP TABLE claims; --"]
)
def test_search_input_that_is_syntax_elsewhere_never_fails(
    client: FlaskClient, db_session: Session, editor: User, query: str
) -> None:
    records.claim(db_session, "Some claim.")
    response = client.get("/claims/", query_string={"q": query, "sort": "relevance"})
    assert response.status_code == 200


def test_a_query_without_words_does_not_filter(
    client: FlaskClient, db_session: Session, editor: User
) -> None:
    made = records.claim(db_session)
    assert listed(client, "/claims/") == [made.id]
    response = client.get("/claims/", query_string={"q": '" * ( 🚀 )'})
    assert listed_ids(response.get_data(as_text=True)) == [made.id]


# --- sort orders and keyset pages ---------------------------------------------------------


@pytest.fixture
def spread(db_session: Session) -> list[Claim]:
    """Seven claims with ties on every sort key."""
    specs: list[dict[str, Any]] = [
        {"claimant": "Beta", "created_at": at(3), "updated_at": at(20), "review_by": date(2026, 5, 1)},
        {"claimant": "Alpha", "created_at": at(1), "updated_at": at(21), "review_by": None},
        {"claimant": "Beta", "created_at": at(3), "updated_at": at(21), "review_by": date(2026, 4, 1)},
        {"claimant": "Gamma", "created_at": at(2), "updated_at": at(22), "review_by": date(2026, 4, 1)},
        {"claimant": "Alpha", "created_at": at(3), "updated_at": at(19), "review_by": None},
        {"claimant": "Delta", "created_at": at(5), "updated_at": at(19), "review_by": date(2026, 6, 1)},
        {"claimant": "Beta", "created_at": at(4), "updated_at": at(22), "review_by": date(2026, 4, 1)},
    ]
    return [records.claim(db_session, f"Claim {n}.", **spec) for n, spec in enumerate(specs)]


def expected_order(claims: list[Claim], sort: str) -> list[int]:
    keys: dict[str, Callable[[Claim], Any]] = {
        "newest": lambda c: (c.created_at, c.id),
        "oldest": lambda c: (c.created_at, c.id),
        "updated": lambda c: (c.updated_at, c.id),
        "claimant": lambda c: (c.claimant, c.id),
        "review_by": lambda c: (c.review_by or date.max, c.id),
    }
    return ids(sorted(claims, key=keys[sort], reverse=sort in {"newest", "updated"}))


@pytest.mark.parametrize("sort", ["newest", "oldest", "updated", "claimant", "review_by"])
def test_each_sort_order_pages_without_gaps_or_repeats(
    db_session: Session, spread: list[Claim], sort: str
) -> None:
    seen: list[int] = []
    after = None
    for _ in range(10):
        claims, page = claim_page(db_session, ClaimFilter(), sort, after=after, size=2)
        seen.extend(ids(claims))
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected_order(spread, sort)


@pytest.mark.parametrize("sort", ["newest", "claimant", "review_by"])
def test_previous_pages_mirror_the_next_ones(db_session: Session, spread: list[Claim], sort: str) -> None:
    pages: list[list[int]] = []
    cursors: list[str | None] = []
    after = None
    while True:
        claims, page = claim_page(db_session, ClaimFilter(), sort, after=after, size=3)
        pages.append(ids(claims))
        cursors.append(page.previous_cursor)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert len(pages) == 3
    assert cursors[0] is None
    # Going back from the last page gives the pages before it, with their links.
    claims, page = claim_page(db_session, ClaimFilter(), sort, before=cursors[2], size=3)
    assert ids(claims) == pages[1]
    claims, page = claim_page(db_session, ClaimFilter(), sort, before=page.previous_cursor, size=3)
    assert ids(claims) == pages[0]
    assert page.previous_cursor is None
    assert page.next_cursor is not None


def test_pages_by_relevance_are_complete(db_session: Session) -> None:
    doc = records.document(db_session, "Transcript", "Talking about the treaty.")
    made = [records.claim(db_session, f"The treaty, point {n}.") for n in range(4)]
    made += [records.claim(db_session, "Other.", sources=[{"title": f"Treaty text {n}"}]) for n in range(3)]
    made += [records.claim(db_session, "Other.", documents=[doc]) for _ in range(2)]
    records.claim(db_session, "Not matching.")
    seen: list[int] = []
    after = None
    claim_filter = ClaimFilter(text=parse("treaty"))
    while True:
        claims, page = claim_page(db_session, claim_filter, "relevance", after=after, size=2)
        seen.extend(ids(claims))
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert sorted(seen) == sorted(ids(made))
    assert len(seen) == len(set(seen))
    # Tiers in order: the four direct matches, then sources, then the document.
    assert set(seen[:4]) == set(ids(made[:4]))
    assert set(seen[4:7]) == set(ids(made[4:7]))


def test_a_new_claim_does_not_shift_the_next_page(db_session: Session) -> None:
    made = [records.claim(db_session, f"Claim {n}.", created_at=at(n + 1)) for n in range(4)]
    first, page = claim_page(db_session, ClaimFilter(), "newest", size=2)
    records.claim(db_session, "Newest of all.", created_at=at(28))
    second, _ = claim_page(db_session, ClaimFilter(), "newest", after=page.next_cursor, size=2)
    assert ids(first) + ids(second) == ids(made[::-1])


def test_following_next_links_through_the_view(
    client: FlaskClient, db_session: Session, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    made = [records.claim(db_session, f"Claim {n}.", "Same", created_at=at(1), tags=["t"]) for n in range(5)]
    records.claim(db_session, "Untagged.", "Same", created_at=at(1))
    tag_id = records.tag(db_session, "t").id
    url: str | None = f"/claims/?sort=claimant&tag={tag_id}"
    seen: list[int] = []
    pages = 0
    while url:
        page = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        seen.extend(listed_ids(page))
        found = NEXT_LINK.search(page)
        url = found.group(1) if found else None
        if url:
            # The filters travel with the cursor.
            assert "sort=claimant" in url and f"tag={tag_id}" in url
        pages += 1
    assert pages == 3
    assert seen == ids(made)
    assert "First page" in page and PREVIOUS_LINK.search(page)


@pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjoxfQ", "W10", "W251bGwsW11d", "x" * 3000])
def test_a_damaged_cursor_is_refused_with_a_way_back(
    client: FlaskClient, db_session: Session, editor: User, cursor: str
) -> None:
    records.claim(db_session)
    response = client.get("/claims/", query_string={"after": cursor, "state": "new"})
    assert response.status_code == 422
    assert 'href="/claims/?state=new"' in response.get_data(as_text=True)


def test_a_cursor_of_another_sort_order_is_refused(db_session: Session) -> None:
    for n in range(3):
        records.claim(db_session, f"Claim {n}.")
    _, page = claim_page(db_session, ClaimFilter(), "newest", size=1)
    assert page.next_cursor is not None
    with pytest.raises(InvalidCursor):
        claim_page(db_session, ClaimFilter(), "claimant", after=page.next_cursor, size=1)


def test_a_forged_cursor_with_the_wrong_types_is_refused(db_session: Session) -> None:
    order = listing.ordering("newest")
    for values in [("2026-01-01", 1), (None, 1), ({"x": 1}, 1)]:
        forged = order.encode(values) if not isinstance(values[0], dict) else order.encode(("x", 1))
        with pytest.raises(InvalidCursor):
            claim_page(db_session, ClaimFilter(), "newest", after=forged, size=1)
    big = listing.ordering("claimant").encode(("A", 2**40))
    with pytest.raises(InvalidCursor):
        claim_page(db_session, ClaimFilter(), "claimant", after=big, size=1)


# --- my work ---------------------------------------------------------------------------


def test_my_work_is_what_i_am_assigned_plus_my_open_captures(
    client: FlaskClient, db_session: Session, login_as: Callable[[Role], User], make_user: Callable[..., User]
) -> None:
    me = login_as(Role.REVIEWER)
    someone = make_user(Role.REVIEWER)
    assigned = records.claim(
        db_session, "Assigned to me.", created_by=someone, assignees=[me], created_at=at(1)
    )
    assigned_published = records.claim(
        db_session, "Assigned, published.", state=ClaimState.PUBLISHED, assignees=[me], created_at=at(2)
    )
    captured_open = records.claim(
        db_session, "Captured, in review.", state=ClaimState.IN_REVIEW, created_by=me, created_at=at(3)
    )
    records.claim(
        db_session, "Captured, published.", state=ClaimState.PUBLISHED, created_by=me, created_at=at(4)
    )
    records.claim(
        db_session, "Captured, dismissed.", state=ClaimState.DISMISSED, created_by=me, created_at=at(5)
    )
    records.claim(db_session, "Someone else's.", created_by=someone, assignees=[someone], created_at=at(6))
    assert listed(client, "/claims/mine") == [captured_open.id, assigned_published.id, assigned.id]
    # The filters work inside "my work" too.
    assert listed(client, "/claims/mine?state=published") == [assigned_published.id]
    page = client.get("/claims/mine").get_data(as_text=True)
    assert re.search(r">All states <span class=\"count\">\(3\)</span>", page)
    assert '<a href="/claims/mine" aria-current="page">My work</a>' in page


def test_my_work_is_empty_for_someone_new(
    client: FlaskClient, db_session: Session, login_as: Callable[[Role], User]
) -> None:
    records.claim(db_session)
    login_as(Role.EDITOR)
    assert listed(client, "/claims/mine") == []
    assert "No claims match" in client.get("/claims/mine").get_data(as_text=True)


def test_captured_range_uses_whole_days(db_session: Session) -> None:
    day = date(2026, 1, 10)
    late = records.claim(db_session, created_at=at(10, 23) + timedelta(minutes=59))
    claims, _ = claim_page(db_session, ClaimFilter(captured_from=day, captured_to=day), "newest")
    assert ids(claims) == [late.id]
