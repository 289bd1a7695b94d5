"""The public annotated document: published claims highlighted, nothing else."""

from __future__ import annotations

import hashlib
import html as html_module
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Appearance, Claim
from factcheck.documents.models import Document
from factcheck.public.pages import Highlight, PublishedCheck, annotate
from factcheck.publishing import operations
from factcheck.publishing.models import PublicationKind
from tests.claims.desk import page_text
from tests.public.conftest import CheckBuilder, clock_at

TEXT = (
    "BRUSSELS — NATO's Secretary-General said on Friday that Russia's 9M729 missile violates the "
    "INF Treaty.\n\nThe Russian ministry insisted the missile's range is 480 km, below the treaty's limit. "
    "It said the Aegis Ashore site in Romania could fire cruise missiles.\n\n"
    'A spokesman added: "<script>alert(1)</script> & nothing else." Россия заявила, что всё в порядке.'
)
RANGE_QUOTE = "the missile's range is 480 km"
AEGIS_QUOTE = "the Aegis Ashore site in Romania could fire cruise missiles"
VIOLATION_QUOTE = "Russia's 9M729 missile violates the INF Treaty"


def make_document(db: Session, text: str = TEXT, **values: Any) -> Document:
    defaults: dict[str, Any] = {
        "title": "NATO chief warns Russia over missile",
        "outlet": "Example Daily",
        "author": "Jane Reporter",
        "published_on": date(2019, 2, 1),
        "url": "https://daily.example.org/nato-missile",
    }
    defaults.update(values)
    document = Document(text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(), **defaults)
    db.add(document)
    db.commit()
    return document


def in_document(
    builder: CheckBuilder,
    document: Document,
    quotes: Sequence[str],
    *,
    publish: bool = True,
    published_at: datetime | None = None,
    **overrides: Any,
) -> Claim:
    """A claim that appeared in ``document`` with these quotes; published unless told otherwise."""
    db = builder.db
    number = next(builder.counter)
    overrides.setdefault("slug", f"document-claim-{number}" if publish else None)
    claim = builder.draft(appearances=(), **overrides)
    set_actor(db, Actor.system("test setup", "test"))
    for quote in quotes:
        claim.appearances.append(Appearance(document=document, quote_exact=quote))
    db.commit()
    if publish:
        set_actor(db, Actor.for_user(builder.publisher, origin="test"))
        with clock_at(published_at):
            operations.publish(db, claim, builder.publisher)
        db.commit()
    return claim


def marks(html: str) -> list[str]:
    return re.findall(r"<mark\b[^>]*>(.*?)</mark>", html, flags=re.S)


def marked_text(html: str) -> str:
    return "".join(marks(html))


class TagBalance(HTMLParser):
    """Fails on an end tag that does not close the innermost open element."""

    VOID = {"meta", "link", "img", "br", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


def assert_well_formed(html: str) -> None:
    parser = TagBalance()
    parser.feed(html)
    parser.close()
    assert parser.open == [], parser.open


def test_a_published_claims_quote_is_highlighted_with_its_verdict(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    claim = in_document(check_builder, document, [RANGE_QUOTE], headline="Not 480 km, NATO says")

    response = client.get(f"/read/{document.id}")
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), page_text(response)
    assert "NATO chief warns Russia over missile" in text
    assert "Example Daily" in text
    assert "Jane Reporter" in text
    assert "1 February 2019" in text
    assert 'href="https://daily.example.org/nato-missile"' in html
    assert marks(html) == ["the missile&#39;s range is 480 km"]
    assert "Checked claim, rated False:" in text
    # The verdict label follows the quote and links to the verdict page.
    assert re.search(
        rf'</mark> <a class="verdict-tag" href="/checks/{claim.slug}" title="Not 480 km, NATO says">'
        r'<span class="visually-hidden">[^<]*</span>False</a>',
        html,
    )
    # The list of checks links to the verdict page and to the quote in the text.
    assert f'<a href="/checks/{claim.slug}"><bdi>Not 480 km, NATO says</bdi></a>' in html
    assert 'href="#check-1"' in html and 'id="check-1"' in html
    assert_well_formed(html)


def test_the_text_is_escaped_and_otherwise_unchanged(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    in_document(check_builder, document, [RANGE_QUOTE])
    html = client.get(f"/read/{document.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; nothing else." in html
    assert "Россия заявила, что всё в порядке." in html
    container = re.search(
        r'<div class="document-text public-document-text" dir="auto"[^>]*>(.*?)</div>', html, re.S
    )
    assert container is not None
    # Without the words we add (hidden labels, verdict links) the text is the document's, exactly.
    shown = re.sub(r'<span class="quote-start"[^>]*>.*?</span></span>', "", container.group(1))
    shown = re.sub(r' <a class="verdict-tag[^"]*"[^>]*>.*?</a>', "", shown)
    assert html_module.unescape(re.sub(r"<[^>]+>", "", shown)) == TEXT


def test_unpublished_claims_are_never_marked(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    in_document(check_builder, document, [RANGE_QUOTE])
    draft = in_document(
        check_builder,
        document,
        [AEGIS_QUOTE],
        publish=False,
        text="Aegis Ashore can fire cruise missiles.",
        headline="DRAFT HEADLINE about Aegis",
    )
    response = client.get(f"/read/{document.id}")
    html = response.get_data(as_text=True)
    assert marked_text(html) == "the missile&#39;s range is 480 km"
    assert "DRAFT HEADLINE" not in html
    assert draft.text not in html
    assert html.count('class="verdict-tag') == 2  # one in the list, one in the text


def test_a_document_without_a_published_claim_is_not_public(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    assert client.get(f"/read/{document.id}").status_code == 404
    in_document(check_builder, document, [AEGIS_QUOTE], publish=False)
    assert client.get(f"/read/{document.id}").status_code == 404
    assert client.get("/read/999999").status_code == 404


def test_only_the_published_snapshot_counts_not_later_draft_edits(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    claim = in_document(check_builder, document, [RANGE_QUOTE])
    # The desk adds another appearance to the draft after publishing: not public until a new revision.
    set_actor(db_session, Actor.system("test setup", "test"))
    claim.appearances.append(Appearance(document=document, quote_exact=AEGIS_QUOTE))
    db_session.commit()
    html = client.get(f"/read/{document.id}").get_data(as_text=True)
    assert marked_text(html) == "the missile&#39;s range is 480 km"

    # Another document the draft now names, but no revision does: not public.
    other = make_document(db_session, text="Other text with " + RANGE_QUOTE + ".", title="Other")
    set_actor(db_session, Actor.system("test setup", "test"))
    claim.appearances.append(Appearance(document=other, quote_exact=RANGE_QUOTE))
    db_session.commit()
    assert client.get(f"/read/{other.id}").status_code == 404


def test_the_latest_revision_decides_the_label_and_retracted_shows_retracted(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    corrected = in_document(check_builder, document, [RANGE_QUOTE], headline="Range check")
    retracted = in_document(
        check_builder, document, [VIOLATION_QUOTE], label="true", headline="Violation check"
    )
    check_builder.revise(
        corrected, PublicationKind.CORRECTION, "We misread the range figure.", label="misleading"
    )
    check_builder.revise(retracted, PublicationKind.RETRACTION, "We could not confirm who said it.")

    response = client.get(f"/read/{document.id}")
    html, text = response.get_data(as_text=True), page_text(response)
    assert "Checked claim, rated Misleading:" in text
    assert "Checked claim, rated Retracted:" in text
    assert "rated False" not in text and "rated True" not in text
    assert re.search(
        rf'class="verdict-tag retracted" href="/checks/{retracted.slug}"[^>]*>.*?Retracted</a>', html
    )
    # The checks are listed in the order their quotes appear in the text.
    assert text.index("Violation check") < text.index("Range check")


def test_a_correction_that_drops_the_document_takes_its_highlight_away(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    claim = in_document(check_builder, document, [RANGE_QUOTE])
    set_actor(db_session, Actor.system("test setup", "test"))
    claim.appearances.clear()
    claim.appearances.append(Appearance(url="https://tv.example.org/interview"))
    db_session.commit()
    # Still public: the published revision says the claim appeared here.
    assert client.get(f"/read/{document.id}").status_code == 200
    check_builder.revise(claim, PublicationKind.CORRECTION, "The claim was not made in that article.")
    assert client.get(f"/read/{document.id}").status_code == 404


def test_overlapping_quotes_keep_the_html_well_formed(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    in_document(
        check_builder, document, ["The Russian ministry insisted the missile's range"], headline="First"
    )
    in_document(check_builder, document, ["range is 480 km, below the treaty's limit"], headline="Second")
    in_document(check_builder, document, ["480 km"], headline="Third", label="true")
    html = client.get(f"/read/{document.id}").get_data(as_text=True)
    assert_well_formed(html)
    assert "<mark" in html and 'class="published-quote overlap"' in html
    # Every marked character is inside one of the quotes, and every quote is fully marked.
    assert marked_text(html).replace("&#39;", "'") == (
        "The Russian ministry insisted the missile's range is 480 km, below the treaty's limit"
    )
    assert len(re.findall(r'id="check-\d"', html)) == 3


def test_a_quote_no_longer_in_the_text_is_listed_but_not_marked(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    claim = in_document(check_builder, document, ["a sentence the outlet later deleted"], headline="Lost")
    response = client.get(f"/read/{document.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert marks(html) == []
    assert f'<a href="/checks/{claim.slug}"><bdi>Lost</bdi></a>' in html
    assert "Show in the text" not in html


def test_a_quote_whose_spacing_changed_is_still_found(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    in_document(check_builder, document, ["violates the\nINF   Treaty"])
    html = client.get(f"/read/{document.id}").get_data(as_text=True)
    assert marks(html) == ["violates the INF Treaty"]


def test_the_added_words_are_marked_english_in_a_text_in_another_language(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session, text="Россия заявила, что всё в порядке.", language="ru")
    in_document(check_builder, document, ["всё в порядке"])
    html = client.get(f"/read/{document.id}").get_data(as_text=True)
    assert 'lang="ru"' in html
    assert '<span class="visually-hidden" lang="en">Checked claim' in html
    assert marks(html) == ["всё в порядке"]


# --- the renderer on its own ---------------------------------------------------------


def check(slug: str, label: str = "False", retracted: bool = False) -> PublishedCheck:
    return PublishedCheck(
        slug=slug,
        label=label,
        retracted=retracted,
        headline=f"<b>{slug}</b>",
        claimant="x",
        quotes=[],
        target=f"t-{slug}",
    )


@pytest.mark.parametrize(
    "spans",
    [
        [(0, 5), (3, 9)],
        [(0, 9), (2, 4)],
        [(2, 4), (2, 4)],
        [(0, 3), (3, 6), (6, 9)],
        [(1, 8), (0, 9), (4, 5)],
    ],
)
def test_annotate_never_nests_or_crosses_elements(app: Any, spans: list[tuple[int, int]]) -> None:
    text = "<&>'\"abcd"
    highlights = [Highlight(start, end, check(f"s{n}")) for n, (start, end) in enumerate(spans)]
    with app.test_request_context():
        html = str(annotate(text, highlights))
    assert_well_formed(f"<div>{html}</div>")
    assert "<&>" not in html
    assert html.count("Read the fact check") == len(spans)
    assert "<b>" not in html
    covered = {i for start, end in spans for i in range(start, end)}
    assert html_module.unescape(marked_text(html)) == "".join(text[i] for i in sorted(covered))


def test_published_at_is_not_needed_for_the_document_date(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session, published_on=None, outlet=None, author=None, url=None)
    in_document(check_builder, document, [RANGE_QUOTE], published_at=datetime(2019, 2, 2, tzinfo=UTC))
    response = client.get(f"/read/{document.id}")
    assert response.status_code == 200
    assert "Read the original" not in response.get_data(as_text=True)


def test_the_document_page_answers_conditional_requests_and_follows_new_revisions(
    client: FlaskClient, db_session: Session, check_builder: CheckBuilder
) -> None:
    document = make_document(db_session)
    claim = in_document(check_builder, document, [RANGE_QUOTE])
    first = client.get(f"/read/{document.id}")
    etag = first.headers["ETag"]
    assert client.get(f"/read/{document.id}", headers={"If-None-Match": etag}).status_code == 304
    check_builder.revise(claim, PublicationKind.RETRACTION, "We could not confirm the quote.")
    changed = client.get(f"/read/{document.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Checked claim, rated Retracted:" in page_text(changed)
