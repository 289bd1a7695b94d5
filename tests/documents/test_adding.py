"""Adding documents: pasted or uploaded, with clear errors for what cannot be read, and nothing stored then."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import encode_multipart

from factcheck.accounts.models import Role, User
from factcheck.audit.models import AuditChange, AuditChangeset
from factcheck.documents import operations
from factcheck.documents.operations import DocumentValues, text_digest
from factcheck.security.permissions import PermissionDenied
from tests.conftest import PASSWORD
from tests.documents.helpers import documents, field_error, upload

ARTICLE = "NATO demands compliance\n\nThe Alliance gave Russia 60 days. «Россия» — 🚀 ready."

HTML_PAGE = b"""<!doctype html>
<html lang="en-GB"><head><title>NATO gives Russia 60 days | Daily Planet</title>
<meta name="author" content="Jane Reporter">
<meta property="og:site_name" content="Daily Planet">
<meta property="article:published_time" content="2019-02-01T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>NATO gives Russia 60 days</h1>
<p>The Atlantic Alliance will take the necessary steps if Russia does not return to the INF Treaty by the end of the deadline, said the bloc's secretary general.</p>
<p>It is worth noting that NATO had established an ultimatum of 60 days in December regarding this matter.</p>
<script>var tracking = "do not keep me";</script>
</article>
<footer>Copyright Daily Planet. Subscribe to our newsletter.</footer>
</body></html>"""


def post_document(client: Any, data: dict[str, Any]) -> Any:
    return client.post("/documents/new", data=data, content_type="multipart/form-data")


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


def test_a_pasted_document_is_stored_with_its_details(
    client: Any, reviewer: User, db_session: Session
) -> None:
    response = post_document(
        client,
        {
            "title": "  NATO demands compliance ",
            "text": ARTICLE.replace("\n", "\r\n"),
            "url": "https://example.org/nato",
            "outlet": "Daily Planet",
            "author": "Jane Reporter",
            "published_on": "2019-02-01",
            "language": "en",
        },
    )
    assert response.status_code == 302
    [document] = documents(db_session)
    assert response.headers["Location"] == f"/documents/{document.id}"
    # Line breaks are stored as a browser hands them to scripts, so selections count the same.
    assert document.text == ARTICLE
    assert document.text_sha256 == text_digest(ARTICLE)
    assert (document.title, document.url, document.outlet, document.author) == (
        "NATO demands compliance",
        "https://example.org/nato",
        "Daily Planet",
        "Jane Reporter",
    )
    assert (document.published_on, document.language, document.created_by_id) == (
        date(2019, 2, 1),
        "en",
        reviewer.id,
    )
    # The audit history says who added it.
    change = db_session.scalar(
        select(AuditChange).where(AuditChange.table_name == "documents", AuditChange.operation == "INSERT")
    )
    assert change is not None and change.changes["title"] == [None, "NATO demands compliance"]
    assert db_session.get(AuditChangeset, change.changeset_seq).actor_id == reviewer.id
    assert "NATO demands compliance" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_without_a_title_the_first_line_is_the_title(
    client: Any, reviewer: User, db_session: Session
) -> None:
    assert post_document(client, {"text": "\n  First line here  \nSecond line"}).status_code == 302
    assert documents(db_session)[0].title == "First line here"


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("article.txt", ARTICLE.encode(), ARTICLE),
        ("article.TXT", codecs.BOM_UTF8 + ARTICLE.encode(), ARTICLE),
        ("article.txt", codecs.BOM_UTF16_LE + ARTICLE.encode("utf-16-le"), ARTICLE),
        (
            "notes.md",
            b"# Heading\r\n\r\n*Emphasis* stays as written.\r\n",
            "# Heading\n\n*Emphasis* stays as written.",
        ),
    ],
)
def test_text_and_markdown_uploads_are_kept_as_written(
    client: Any, reviewer: User, db_session: Session, filename: str, data: bytes, expected: str
) -> None:
    response = post_document(client, upload(filename, data, title="Uploaded"))
    assert response.status_code == 302, field_error(response, "upload")
    [document] = documents(db_session)
    assert document.text == expected
    assert document.text_sha256 == text_digest(expected)


def test_an_html_upload_keeps_the_main_text_and_fills_the_details(
    client: Any, reviewer: User, db_session: Session
) -> None:
    response = post_document(client, upload("page.html", HTML_PAGE, outlet="Typed by hand"))
    assert response.status_code == 302, field_error(response, "upload")
    [document] = documents(db_session)
    assert "The Atlantic Alliance will take the necessary steps" in document.text
    assert "ultimatum of 60 days" in document.text
    for boilerplate in ("Home", "Sport", "Copyright", "tracking", "<p>"):
        assert boilerplate not in document.text
    assert document.title.startswith("NATO gives Russia 60 days")
    assert document.author == "Jane Reporter"
    # What the person typed wins over what the page says.
    assert document.outlet == "Typed by hand"
    assert document.published_on == date(2019, 2, 1)
    assert document.language == "en-GB"


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("latin1.txt", "Caf\xe9 cr\xe8me".encode("latin-1"), "UTF-8"),
        ("binary.txt", b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "not a text file"),
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\t\n", "no text"),
        (
            "nothing.html",
            b"<html><head><title>x</title></head><body><script>x()</script></body></html>",
            "No readable text",
        ),
        ("report.pdf", b"%PDF-1.4 ...", "This PDF is damaged"),
        ("no-extension", b"plain words", ".txt, .md, .html or .pdf"),
    ],
)
def test_an_unreadable_upload_gets_an_error_next_to_the_field_and_stores_nothing(
    client: Any, reviewer: User, db_session: Session, filename: str, data: bytes, message: str
) -> None:
    response = post_document(client, upload(filename, data, title="Will fail"))
    assert response.status_code == 422
    assert message in field_error(response, "upload")
    assert documents(db_session) == []


def test_an_oversized_upload_or_text_is_refused(
    make_app: Callable[..., Flask], make_user: Callable[..., User], db_session: Session
) -> None:
    app = make_app(MAX_DOCUMENT_BYTES=1000)
    client = app.test_client()
    user = make_user(Role.REVIEWER)
    client.post("/login", data={"email": user.email, "password": PASSWORD})

    response = post_document(client, upload("big.txt", b"a" * 1001))
    assert response.status_code == 422
    assert "too large" in field_error(response, "upload")
    # 999 bytes of text, but more than 1000 once encoded: the limit counts bytes.
    response = post_document(client, {"text": "я" * 501})
    assert response.status_code == 422
    assert "too long" in field_error(response, "text")
    assert documents(db_session) == []
    assert post_document(client, upload("fits.txt", b"a" * 1000)).status_code == 302


def test_an_html_page_over_its_own_limit_gets_a_form_error_and_nothing_is_stored(
    make_app: Callable[..., Flask], make_user: Callable[..., User], db_session: Session
) -> None:
    # HTML is bounded below MAX_DOCUMENT_BYTES: extracting a large page takes seconds.
    app = make_app(MAX_HTML_UPLOAD_BYTES=len(HTML_PAGE) + 100)
    client = app.test_client()
    user = make_user(Role.REVIEWER)
    client.post("/login", data={"email": user.email, "password": PASSWORD})

    padded = HTML_PAGE.replace(b"</body>", b"<p>" + b"more words " * 20 + b"</p></body>")
    response = post_document(client, upload("page.html", padded))
    assert response.status_code == 422
    assert "This web page is too large to read here (the most is 1 KB)" in field_error(response, "upload")
    assert documents(db_session) == []
    # The same bytes as text are within the document limit; a page under the limit is read.
    assert post_document(client, upload("page.html", HTML_PAGE)).status_code == 302
    assert len(documents(db_session)) == 1


def test_a_long_pasted_text_under_the_default_limit_is_accepted(
    client: Any, reviewer: User, db_session: Session
) -> None:
    # Flask keeps only 500 KB of form text by default; a pasted article may be longer.
    text = ("The Alliance gave Russia 60 days. 🚀 Россия.\n" * 30_000).strip()
    assert 1_500_000 < len(text.encode()) < 2 * 1024 * 1024
    # Encoded here: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart({"title": "Long", "text": text})
    response = client.post(
        "/documents/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302
    assert documents(db_session)[0].text == text


def test_a_request_over_the_request_limit_gets_the_form_back_with_the_error(
    make_app: Callable[..., Flask], make_user: Callable[..., User], db_session: Session
) -> None:
    app = make_app(MAX_DOCUMENT_BYTES=1000, MAX_CONTENT_LENGTH=4000)
    client = app.test_client()
    user = make_user(Role.REVIEWER)
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = post_document(client, upload("huge.txt", b"a" * 10_000))
    assert response.status_code == 413
    assert "too large" in field_error(response, "upload")
    assert documents(db_session) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "http:// or https://"),
        ("ftp://example.org/file", "http:// or https://"),
        ("https://", "no host name"),
        ("https://example.org/a page", "spaces"),
        ("example.org/page", "http:// or https://"),
    ],
)
def test_a_web_address_must_be_http_or_https(
    client: Any, reviewer: User, db_session: Session, url: str, message: str
) -> None:
    response = post_document(client, {"text": ARTICLE, "url": url})
    assert response.status_code == 422
    assert message in field_error(response, "url")
    assert documents(db_session) == []


def test_other_mistakes_are_named_next_to_their_field(
    client: Any, reviewer: User, db_session: Session
) -> None:
    response = post_document(client, {"title": "Nothing"})
    assert response.status_code == 422
    assert "Paste the document's text or upload a file." in field_error(response, "text")
    response = post_document(client, upload("a.txt", b"words", text="typed words"))
    assert "not both" in field_error(response, "text")
    response = post_document(client, {"text": ARTICLE, "language": "English!"})
    assert "language tag" in field_error(response, "language")
    response = post_document(client, {"text": "bad \x00 character"})
    assert response.status_code == 422
    assert documents(db_session) == []


def test_the_same_text_twice_offers_the_first_and_asks_before_adding(
    client: Any, reviewer: User, db_session: Session
) -> None:
    first = post_document(client, {"title": "First", "text": ARTICLE})
    assert first.status_code == 302
    # The same text, uploaded: the form comes back with a link to the first, and keeps the text.
    again = post_document(client, upload("copy.txt", ARTICLE.encode(), title="Second"))
    assert again.status_code == 422
    body = again.get_data(as_text=True)
    assert first.headers["Location"] in body
    assert "already on the desk" in field_error(again, "text")
    assert "🚀 ready." in body
    assert len(documents(db_session)) == 1

    anyway = post_document(client, {"title": "Second", "text": ARTICLE, "add_anyway": "y"})
    assert anyway.status_code == 302
    assert [d.title for d in documents(db_session)] == ["First", "Second"]
    # Each document's page links to the other.
    assert first.headers["Location"] in client.get(anyway.headers["Location"]).get_data(as_text=True)


def test_adding_a_document_needs_a_desk_role(db_session: Session) -> None:
    class Anonymous:
        is_authenticated = False

    with pytest.raises(PermissionDenied):
        operations.add_document(db_session, Anonymous(), DocumentValues(title="x", text="words"))


def test_the_list_shows_the_newest_first_a_page_at_a_time(
    client: Any, reviewer: User, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from factcheck.documents import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for number in range(1, 6):
        assert (
            post_document(client, {"title": f"Document {number}", "text": f"Text {number}"}).status_code
            == 302
        )

    def titles(body: str) -> list[str]:
        return [f"Document {n}" for n in range(5, 0, -1) if f"Document {n}<" in body]

    first = client.get("/documents/").get_data(as_text=True)
    assert titles(first) == ["Document 5", "Document 4"]
    next_link = next(line for line in first.splitlines() if "Older documents" in line)
    href = next_link.split('href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(href).get_data(as_text=True)
    assert titles(second) == ["Document 3", "Document 2"]
