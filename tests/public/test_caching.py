"""HTTP caching of the public site: validators, 304s, the shared page cache, and no cookies."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from email.utils import format_datetime
from typing import Any

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import Claim
from factcheck.organisation.models import Organisation
from factcheck.public.caching import LRUCache, get_cache
from factcheck.publishing.models import Publication, PublicationKind
from tests.helpers import counting_selects
from tests.public.conftest import when
from tests.public.reader import text_of

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]
PUBLIC_URLS = ("/checks/", "/checks/feed.atom", "/sitemap.xml", "/claimreview.json")


def http_date(value: datetime) -> str:
    return format_datetime(value, usegmt=True)


@contextmanager
def counting_renders(app: Flask) -> Iterator[list[str]]:
    rendered: list[str] = []

    def record(_sender: Any, template: Any, **_extra: Any) -> None:
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield rendered
    finally:
        template_rendered.disconnect(record, app)


# --- the verdict page ------------------------------------------------------------------------


def test_a_verdict_page_carries_validators_and_public_caching(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    response = client.get(f"/checks/{claim.slug}")
    assert response.status_code == 200
    etag, weak = response.get_etag()
    assert etag and not weak
    assert response.headers["Last-Modified"] == "Tue, 05 Feb 2019 12:00:00 GMT"
    assert response.cache_control.public
    assert response.cache_control.max_age == 300
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_if_none_match_gets_a_304_without_a_body(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    first = client.get(f"/checks/{claim.slug}")
    etag = first.headers["ETag"]

    again = client.get(f"/checks/{claim.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.cache_control.max_age == 300
    assert "Set-Cookie" not in again.headers
    # Among several, and weakened by a proxy, it still matches.
    assert (
        client.get(f"/checks/{claim.slug}", headers={"If-None-Match": f'"other", W/{etag}'}).status_code
        == 304
    )
    assert client.get(f"/checks/{claim.slug}", headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since_gets_a_304_when_nothing_changed(
    client: FlaskClient, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    url = f"/checks/{claim.slug}"
    assert client.get(url, headers={"If-Modified-Since": http_date(when(5))}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": http_date(when(6))}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": http_date(when(4))}).status_code == 200
    # If-None-Match decides when both are sent.
    assert (
        client.get(url, headers={"If-Modified-Since": http_date(when(6)), "If-None-Match": '"x"'}).status_code
        == 200
    )


def test_a_new_revision_changes_the_etag_and_the_page(
    client: FlaskClient, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5), headline="Before the update")
    url = f"/checks/{claim.slug}"
    first = client.get(url)
    etag = first.headers["ETag"]
    revise_check(
        claim,
        PublicationKind.UPDATE,
        "New facts from the ministry's briefing.",
        published_at=when(7),
        headline="After the update",
    )

    response = client.get(
        url, headers={"If-None-Match": etag, "If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert response.headers["Last-Modified"] == "Thu, 07 Feb 2019 12:00:00 GMT"
    assert text_of(response, "check-headline") == "After the update"
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 200


def test_new_organisation_details_change_the_etag(
    client: FlaskClient, db_session: Session, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    url = f"/checks/{claim.slug}"
    etag = client.get(url).headers["ETag"]
    db_session.add(Organisation(id=1, name="Treaty Watch", url="https://treatywatch.example.org/"))
    db_session.commit()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert '"name": "Treaty Watch"' in response.get_data(as_text=True)


def test_a_304_and_a_cached_page_take_one_query_and_no_rendering(
    app: Flask, client: FlaskClient, connection: Connection, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    url = f"/checks/{claim.slug}"
    with counting_renders(app) as rendered:
        first = client.get(url)
    assert "public/check.html" in rendered

    # Published outside the app, so not stored (test_stored_pages.py): the lean path's lookup
    # finds nothing, then the app's one query.
    with counting_selects(connection) as selects, counting_renders(app) as rendered:
        fresh = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 304
    assert len(selects) == 2 and "stored_pages" in selects[0] and rendered == []

    with counting_selects(connection) as selects, counting_renders(app) as rendered:
        cached = client.get(url)
    assert cached.status_code == 200
    assert cached.data == first.data
    assert len(selects) == 2 and rendered == []


def test_pages_are_the_same_bytes_for_every_reader_and_set_no_cookie(
    app: Flask, published_check: PublishedCheck, make_user: Callable[..., User]
) -> None:
    claim = published_check(published_at=when(5))
    anonymous = app.test_client()
    staff = app.test_client()
    editor = make_user(Role.EDITOR)
    assert (
        staff.post("/login", data={"email": editor.email, "password": "correct horse battery"}).status_code
        == 302
    )
    for url in (f"/checks/{claim.slug}", f"/checks/{claim.slug}/revisions/1", *PUBLIC_URLS):
        # Buffered: a streamed body is read before the next request starts.
        seen_by_anyone = anonymous.get(url, buffered=True)
        seen_by_staff = staff.get(url, buffered=True)
        for response in (seen_by_anyone, seen_by_staff):
            assert response.status_code == 200, url
            assert "Set-Cookie" not in response.headers, url
            assert "Cookie" not in response.headers.get("Vary", ""), url
            assert response.cache_control.public, url
        assert seen_by_anyone.data == seen_by_staff.data, url
        assert editor.name not in seen_by_staff.get_data(as_text=True)
    # A desk page still keeps the session.
    assert staff.get("/claims/").status_code == 200


def test_head_requests_are_answered_too(client: FlaskClient, published_check: PublishedCheck) -> None:
    claim = published_check(published_at=when(5))
    response = client.head(f"/checks/{claim.slug}")
    assert response.status_code == 200
    assert response.headers["ETag"]


# --- lists and feeds -------------------------------------------------------------------------


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_lists_and_feeds_answer_conditional_requests(
    client: FlaskClient, published_check: PublishedCheck, url: str
) -> None:
    published_check(published_at=when(5))
    first = client.get(url, buffered=True)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"] == "Tue, 05 Feb 2019 12:00:00 GMT"
    assert first.cache_control.public and first.cache_control.max_age == 300

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304

    published_check(published_at=when(6))
    changed = client.get(url, headers={"If-None-Match": etag}, buffered=True)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.data != first.data


def test_the_index_etag_depends_on_the_query(client: FlaskClient, published_check: PublishedCheck) -> None:
    published_check(published_at=when(5))
    plain = client.get("/checks/").headers["ETag"]
    searched = client.get("/checks/?q=nato")
    assert searched.headers["ETag"] != plain
    assert client.get("/checks/?q=nato", headers={"If-None-Match": plain}).status_code == 200
    assert (
        client.get("/checks/?q=nato", headers={"If-None-Match": searched.headers["ETag"]}).status_code == 304
    )


def test_the_etag_depends_on_the_public_address(
    make_app: Callable[..., Flask], published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    client = make_app().test_client()
    one = client.get(f"/checks/{claim.slug}", base_url="http://one.example").headers["ETag"]
    two = client.get(f"/checks/{claim.slug}", base_url="http://two.example")
    assert two.headers["ETag"] != one
    assert "http://two.example/checks/" in two.get_data(as_text=True)


# --- the in-process cache ----------------------------------------------------------------------


def test_the_cache_is_bounded_and_forgets_the_least_recently_used() -> None:
    cache = LRUCache(2)
    cache.put("a", b"A")
    cache.put("b", b"B")
    assert cache.get("a") == b"A"  # now "b" is the oldest
    cache.put("c", b"C")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), len(cache)) == (b"A", b"C", 2)
    off = LRUCache(0)
    off.put("a", b"A")
    assert off.get("a") is None


def test_the_cache_is_safe_across_threads() -> None:
    cache = LRUCache(50)

    def work(number: int) -> None:
        for step in range(500):
            key = (number, step % 70)
            cache.put(key, b"x")
            cache.get((number, (step * 7) % 70))

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50


def test_the_cache_size_is_configurable(
    make_app: Callable[..., Flask], published_check: PublishedCheck
) -> None:
    app = make_app(PUBLIC_PAGE_CACHE_SIZE=1)
    client = app.test_client()
    first = published_check()
    second = published_check()
    client.get(f"/checks/{first.slug}")
    client.get(f"/checks/{second.slug}")
    assert len(get_cache(app).pages) == 1
    assert get_cache(app).pages.max_entries == 1
