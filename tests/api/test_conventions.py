"""The API's conventions: problem details everywhere, the OpenAPI document and its page,
ETags, CORS only when configured, rate limits per token."""

from __future__ import annotations

import re

from factcheck import CONTENT_SECURITY_POLICY
from factcheck.accounts.models import Role
from tests.api.conftest import assert_problem


def test_unknown_addresses_and_methods_are_problems_not_pages(api, token_for):
    holder = token_for()
    assert_problem(api.get("/nowhere", holder), 404)
    assert_problem(api.get("/nowhere"), 404)
    assert_problem(api.get("/claims/999999", holder), 404)
    assert_problem(api.get("/claims/99999999999", holder), 404)  # beyond the ids' range
    assert_problem(api.get("/documents/0", holder), 404)
    assert_problem(api.client.get("/api/v2/claims"), 404)
    wrong = api.call("DELETE", "/me", holder)
    assert_problem(wrong, 405)
    assert "GET" in wrong.headers["Allow"]


def test_bodies_must_be_json(api, token_for):
    holder = token_for()
    body = assert_problem(api.post("/documents", holder, data="text=hello"), 415)
    assert "application/json" in body["detail"]
    broken = api.post("/documents", holder, data="{not json", content_type="application/json")
    assert_problem(broken, 400)


def test_invalid_fields_are_a_422_with_per_field_messages(api, token_for):
    holder = token_for()
    response = api.post(
        "/claims",
        holder,
        json={
            "text": "x" * 5001,
            "claimant": "A",
            "appearance": {"url": "https://example.org/"},
            "colour": 1,
        },
    )
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"text", "colour"}
    assert body["errors"]["text"] == ["String should have at most 5000 characters"]
    assert body["errors"]["colour"] == ["Extra inputs are not permitted"]

    nul = assert_problem(api.post("/documents", holder, json={"text": "a\x00b"}), 422)
    assert nul["errors"] == {"text": ["must not contain control characters"]}

    dates = assert_problem(api.get("/claims?captured_from=2026-02-01&captured_to=2026-01-01", holder), 422)
    assert dates["errors"] == {"captured_to": ["the end date is before the start date"]}
    assert "limit" in assert_problem(api.get("/claims?limit=0", holder), 422)["errors"]


def test_the_openapi_document_is_3_1_and_describes_every_resource(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/v1/me",
        "/api/v1/documents",
        "/api/v1/documents/{document_id}",
        "/api/v1/claims",
        "/api/v1/claims/{claim_id}",
        "/api/v1/claims/{claim_id}/transitions",
        "/api/v1/claims/{claim_id}/sources",
        "/api/v1/claims/{claim_id}/comments",
        "/api/v1/claims/{claim_id}/ratings",
        "/api/v1/claims/{claim_id}/rating",
        "/api/v1/claims/{claim_id}/verdict",
        "/api/v1/claims/{claim_id}/publications",
        "/api/v1/claims/{claim_id}/history",
        "/api/v1/exports/claims",
    }
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    create = document["paths"]["/api/v1/claims"]["post"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert (
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        == "#/components/schemas/ClaimIn"
    )


def test_the_docs_page_uses_local_files_and_no_inline_script(api):
    page = api.get("/docs")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/' in attributes and not body.strip() for attributes, body in scripts)
    assert "style=" not in html and "<style" not in html
    assert "http" not in re.sub(r"<a [^>]*>", "", html).replace("/api/v1/openapi.json", "")
    for path in re.findall(r'(?:src|href)="(/[^"]+)"', html):
        asset = api.client.get(path)
        assert asset.status_code == 200, path
        asset.close()
    assert api.get("/docs/assets/index.html").status_code == 404


def test_reads_carry_an_etag_and_answer_304(api, token_for):
    holder = token_for()
    first = api.get("/me", holder)
    etag = first.headers["ETag"]
    again = api.get("/me", holder, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert api.get("/me", holder, headers={"If-None-Match": '"other"'}).status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first.headers["Vary"]


def test_no_cors_headers_unless_configured(api, token_for, make_app):
    holder = token_for()
    plain = api.get("/me", holder, headers={"Origin": "https://tools.example.org"})
    assert "Access-Control-Allow-Origin" not in plain.headers

    client = make_app(API_CORS_ORIGINS="https://tools.example.org").test_client()
    allowed = client.get("/api/v1/me", headers={**holder.headers, "Origin": "https://tools.example.org"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://tools.example.org"
    assert "Origin" in allowed.headers["Vary"]
    other = client.get("/api/v1/me", headers={**holder.headers, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/v1/claims",
        headers={"Origin": "https://tools.example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_rate_limit_per_token_is_a_429_problem_with_retry_after(make_app, token_for):
    client = make_app(API_RATE_LIMIT="3 per minute").test_client()
    first, second = token_for(Role.REVIEWER), token_for(Role.REVIEWER)
    for _ in range(3):
        assert client.get("/api/v1/me", headers=first.headers).status_code == 200

    limited = client.get("/api/v1/me", headers=first.headers)

    body = assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert body["detail"]
    # Counted per token: another token from the same address is not limited.
    assert client.get("/api/v1/me", headers=second.headers).status_code == 200
