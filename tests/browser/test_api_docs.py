"""The API's documentation page in a real browser: Swagger UI runs from the app's own
files under the strict Content-Security-Policy and shows every operation."""

from __future__ import annotations

from tests.browser.conftest import ORIGIN, serve_app


def test_api_docs_render_under_the_csp(browser_page, client):
    serve_app(browser_page, client)
    outside: list[str] = []
    browser_page.on(
        "request", lambda request: outside.append(request.url) if not request.url.startswith(ORIGIN) else None
    )

    browser_page.goto(f"{ORIGIN}/api/v1/docs")
    browser_page.wait_for_selector(".opblock-summary-path", timeout=15_000)

    paths = browser_page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/claims" in [path.strip() for path in paths]
    # Every operation of the document, however many the API has.
    document = client.get("/api/v1/openapi.json").get_json()
    operations = sum(len(item) for item in document["paths"].values())
    assert len(paths) == operations
    assert "factcheck API" in browser_page.locator(".info .title").inner_text()
    assert [url for url in outside if not url.startswith("data:")] == []
    # browser_page fails the test on any console error, CSP violations included.
