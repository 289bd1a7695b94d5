"""Fetching a page: redirects, limits, refused addresses, robots.txt, and the WARC kept of it."""

from __future__ import annotations

import gzip
import hashlib
import io

import pytest
from warcio.archiveiterator import ArchiveIterator

from factcheck.archive import warc
from factcheck.archive.fetching import FetchError, FetchSettings, fetch
from factcheck.archive.snapshots import fetch_page, text_digest
from tests.archive.site import Site

LOCAL = FetchSettings(private_addresses=True, timeout=1.0, max_bytes=64 * 1024, user_agent="TestFetcher/1.0")


def test_a_page_is_fetched_with_its_text_metadata_and_user_agent(site: Site) -> None:
    url = site.put("/news/missile")
    page = fetch_page(url, LOCAL)
    assert page.fetched.status == 200
    assert (
        "maximum\nrange of 480 kilometres" in page.extracted.text or "480 kilometres" in page.extracted.text
    )
    assert "window.tracker" not in page.extracted.text
    assert "Copyright" not in page.extracted.text
    assert page.extracted.metadata["author"] == "Jane Reporter"
    assert page.extracted.metadata["outlet"] == "Example Herald"
    assert page.extracted.metadata["language"] == "en"
    assert str(page.extracted.metadata["published_on"]) == "2026-11-20"
    assert site.requests[-1][1]["user-agent"] == "TestFetcher/1.0"


def test_redirects_are_followed_each_hop_and_the_final_address_kept(site: Site) -> None:
    final = site.put("/final")
    site.redirect("/middle", "/final", 301)
    start = site.redirect("/start", site.url + "/middle")
    fetched = fetch(start, LOCAL)
    assert (fetched.url, fetched.final_url) == (start, final)
    assert [p for p in site.paths_requested() if p != "/robots.txt"] == ["/start", "/middle", "/final"]


def test_too_many_redirects_fail(site: Site) -> None:
    for hop in range(7):
        site.redirect(f"/r{hop}", f"/r{hop + 1}")
    with pytest.raises(FetchError, match="too many redirects") as failure:
        fetch(site.url + "/r0", LOCAL)
    assert failure.value.kind == "http"


def test_a_redirect_to_a_private_address_is_refused_at_that_hop(site: Site) -> None:
    # Allowed to reach the site, which then points elsewhere: each hop is checked again.
    start = site.redirect("/away", "http://10.0.0.1/admin")
    public_only = FetchSettings(private_addresses=False, timeout=1.0)
    with pytest.raises(FetchError, match="private or local address") as failure:
        fetch(start, public_only)
    assert failure.value.kind == "refused"
    assert site.requests == []


def test_private_addresses_are_refused_unless_allowed(site: Site) -> None:
    url = site.put("/internal")
    with pytest.raises(FetchError, match=r"127\.0\.0\.1.*refused") as failure:
        fetch(url, FetchSettings(private_addresses=False))
    assert failure.value.kind == "refused"
    assert fetch(url, LOCAL).status == 200


def test_only_http_and_https(site: Site) -> None:
    with pytest.raises(FetchError, match="only http and https") as failure:
        fetch("ftp://127.0.0.1/file.txt", LOCAL)
    assert failure.value.kind == "refused"


def test_a_page_too_big_fails(site: Site) -> None:
    url = site.put("/huge", "<p>" + "x" * (70 * 1024) + "</p>")
    with pytest.raises(FetchError, match="larger than the most fetched") as failure:
        fetch(url, LOCAL)
    assert failure.value.kind == "too-big"


def test_a_page_too_slow_fails(site: Site) -> None:
    url = site.put("/slow", delay=1.6)
    with pytest.raises(FetchError, match="did not answer within 1 seconds") as failure:
        fetch(url, LOCAL)
    assert failure.value.kind == "too-slow"


def test_a_file_that_is_not_a_page_fails(site: Site) -> None:
    url = site.put("/photo.jpg", b"\xff\xd8\xff\xe0 jpeg", content_type="image/jpeg")
    with pytest.raises(FetchError, match="gives image/jpeg, not a web page") as failure:
        fetch(url, LOCAL)
    assert failure.value.kind == "content-type"


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_http_errors_fail_with_the_status(site: Site, status: int) -> None:
    url = site.put("/broken", "gone", status=status)
    with pytest.raises(FetchError, match=f"the server answered {status}"):
        fetch(url, LOCAL)


def test_robots_txt_is_respected_when_configured(site: Site) -> None:
    site.put("/robots.txt", "User-agent: TestFetcher\nDisallow: /private/\n", content_type="text/plain")
    url = site.put("/private/page")
    with pytest.raises(FetchError, match=r"robots\.txt does not allow") as failure:
        fetch(url, LOCAL)
    assert failure.value.kind == "robots"
    assert "/private/page" not in site.paths_requested()
    ignoring = FetchSettings(**{**LOCAL.__dict__, "respect_robots": False})
    assert fetch(url, ignoring).status == 200


def test_the_warc_holds_the_request_and_response_with_time_and_sha256(site: Site) -> None:
    url = site.put("/news/missile")
    fetched = fetch(url, LOCAL)
    data = warc.write(fetched)
    assert data[:2] == b"\x1f\x8b"  # gzipped, as WARC files usually are
    records = list(ArchiveIterator(io.BytesIO(data)))
    assert [r.rec_type for r in records] == ["request", "response"]
    response = warc.read_response(data)
    assert response.body == fetched.body
    assert response.status == 200
    assert response.url == url
    assert response.date.startswith(fetched.fetched_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert response.payload_digest == warc.payload_digest(fetched.body)
    expected = hashlib.sha256(site.pages["/news/missile"].body).digest()
    import base64

    assert base64.b32decode(response.payload_digest.removeprefix("sha256:")) == expected
    assert b"GET /news/missile HTTP/1.1" in gzip.decompress(data)


def test_the_text_digest_ignores_markup_and_wrapping_but_not_words() -> None:
    assert text_digest("Range of 480 km.\nSaid the ministry.") == text_digest(
        "Range of 480   km. Said the ministry."
    )
    assert text_digest("Range of 480 km.") != text_digest("Range of 500 km.")
