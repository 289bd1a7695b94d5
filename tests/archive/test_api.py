"""POST /api/v1/documents with a url: 202 while the page is fetched, then the text."""

from __future__ import annotations

from flask import Flask

from factcheck.accounts.models import Role, TokenScope
from factcheck.jobs.runner import run_all
from tests.api.conftest import assert_problem
from tests.archive.site import Site


def test_a_document_by_url_is_accepted_then_fetched(
    app: Flask, api: object, token_for: object, site: Site
) -> None:
    holder = token_for(Role.REVIEWER)  # type: ignore[operator]
    url = site.put("/news/missile")
    response = api.post("/documents", holder, json={"url": url, "language": "en"})  # type: ignore[attr-defined]
    assert response.status_code == 202, response.data
    body = response.get_json()
    assert response.headers["Location"] == body["links"]["self"]
    assert (body["fetch_state"], body["text"], body["url"], body["title"]) == ("fetching", "", url, url)

    run_all(app)
    fetched = api.get(response.headers["Location"].removeprefix("/api/v1"), holder).get_json()  # type: ignore[attr-defined]
    assert fetched["fetch_state"] == "fetched"
    assert fetched["title"] == "Ministry says missile range is 480 km"
    assert "480 kilometres" in fetched["text"]
    assert fetched["fetched_at"] is not None
    assert fetched["links"]["warc"].endswith(".warc.gz")


def test_a_failed_fetch_is_reported(app: Flask, api: object, token_for: object, site: Site) -> None:
    holder = token_for(Role.REVIEWER)  # type: ignore[operator]
    response = api.post("/documents", holder, json={"url": site.url + "/missing"})  # type: ignore[attr-defined]
    run_all(app)
    body = api.get(response.headers["Location"].removeprefix("/api/v1"), holder).get_json()  # type: ignore[attr-defined]
    assert (body["fetch_state"], body["fetch_error"]) == ("failed", "the server answered 404")


def test_neither_text_nor_url_and_a_read_token_are_refused(api: object, token_for: object) -> None:
    holder = token_for(Role.REVIEWER)  # type: ignore[operator]
    assert "url" in assert_problem(api.post("/documents", holder, json={"title": "x"}), 422)["detail"]  # type: ignore[attr-defined]
    body = assert_problem(api.post("/documents", holder, json={"url": "ftp://example.org/a"}), 422)  # type: ignore[attr-defined]
    assert body["detail"]
    reader = token_for(Role.REVIEWER, TokenScope.READ)  # type: ignore[operator]
    assert_problem(api.post("/documents", reader, json={"url": "https://example.org/a"}), 403)  # type: ignore[attr-defined]
