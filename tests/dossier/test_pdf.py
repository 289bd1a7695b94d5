"""The dossier as a PDF, and the shared offline PDF renderer (factcheck.web.pdf)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from factcheck.web.pdf import RefusedFetch, render_pdf, static_fetcher, static_files
from tests.dossier.conftest import CLAIM_TEXT, CORRECTION_NOTE, PRIMARY_QUOTE, RITA_REASONING, sign_in


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


@pytest.mark.slow
def test_the_dossier_downloads_as_a_pdf(client, desk):
    sign_in(client, desk.author)
    response = client.get(f"/claims/{desk.claim.id}/dossier.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(
        rf'filename="?dossier-claim-{desk.claim.id}-[a-z0-9-]+-\d{{4}}-\d{{2}}-\d{{2}}\.pdf', disposition
    )
    assert "no-store" in response.headers["Cache-Control"]

    text = pdf_text(response.data)
    assert CLAIM_TEXT in text
    assert PRIMARY_QUOTE in text
    assert CORRECTION_NOTE in text
    assert RITA_REASONING in text
    # Page numbers from the print stylesheet (read from the static folder).
    assert re.search(r"Page 1 of \d+", text)


@pytest.mark.slow
def test_the_pdf_keeps_ratings_blind(client, desk):
    sign_in(client, desk.newcomer)
    response = client.get(f"/claims/{desk.claim.id}/dossier.pdf")

    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Ratings are blind" in text
    assert RITA_REASONING not in text
    assert CLAIM_TEXT in text


def test_the_fetcher_serves_only_the_apps_static_files(app):
    with app.test_request_context("/claims/1/dossier.pdf", base_url="https://desk.example.org"):
        files = static_files("https://desk.example.org/claims/1/dossier.pdf")
        assert files.base == "https://desk.example.org/static/"
        assert files.path_for("https://desk.example.org/static/css/print.css?v=2").endswith("css/print.css")
        for refused in (
            "https://elsewhere.example.org/static/css/print.css",
            "http://desk.example.org/static/css/print.css",
            "https://desk.example.org/claims/1",
            "https://desk.example.org/static/../config.py",
            "https://desk.example.org/static/%2e%2e/config.py",
            "https://desk.example.org/static/css/missing.css",
            "https://desk.example.org/static/",
            "file:///etc/passwd",
            "data:text/css,body{color:red}",
        ):
            with pytest.raises(RefusedFetch):
                files.path_for(refused)


@pytest.mark.slow
def test_the_renderer_fetches_nothing_from_the_network(app, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the PDF renderer tried the network")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    html = (
        '<!doctype html><html><head><link rel="stylesheet" href="/static/css/print.css">'
        '<link rel="stylesheet" href="https://cdn.example.org/evil.css"></head>'
        '<body><h1 class="print-title">Report</h1><img src="https://tracker.example.org/pixel.png">'
        "<p>Offline text.</p></body></html>"
    )
    with app.test_request_context("/report", base_url="https://desk.example.org"):
        fetcher = static_fetcher("https://desk.example.org/report")
        assert b"@page" in fetcher.fetch("https://desk.example.org/static/css/print.css").read()
        with pytest.raises(RefusedFetch):
            fetcher.fetch("https://cdn.example.org/evil.css")
        pdf = render_pdf(html, "https://desk.example.org/report")

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Offline text." in text
    assert "Page 1 of 1" in text
