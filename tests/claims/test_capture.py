"""Capturing claims: from a selection (the script's selectors), from a pasted quote, without a
document, and adding appearances, including to a similar claim instead of a new one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.history import claim_history
from factcheck.claims.anchoring import select_quote
from factcheck.claims.capturing import AppearanceValues, CaptureError, add_appearance, capture_claim
from factcheck.claims.editing import ClaimValues
from factcheck.claims.models import Appearance, Claim, ClaimState, ClaimTransition
from factcheck.documents.models import Document
from factcheck.security.permissions import PermissionDenied
from tests.documents.helpers import capture, field_error, make_document, page

TEXT = (
    "🚀 Moscow, 23 January. The ministry showed the 9M729 to reporters 🇷🇺.\n"
    "«Дальность ракеты — 480 км», said a general. 导弹射程为480公里。\n"
    "Officials said the 9M729 has a range of 480 km. Critics said: the 9M729 has a range of 480 km, "
    "but only on paper."
)
QUOTE = "the 9M729 has a range of 480 km"


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


@pytest.fixture
def document(db_session: Session, reviewer: User) -> Document:
    return make_document(db_session, reviewer, TEXT, title="Briefing", published_on=date(2019, 1, 23))


def claims(db: Session) -> list[Claim]:
    db.expire_all()
    return list(db.scalars(select(Claim).order_by(Claim.id)))


def selection(text: str, quote: str, occurrence: int = 0) -> dict[str, str]:
    """The fields capture.js sends for a selection of the quote (code points)."""
    selector = select_quote(text, quote, occurrence=occurrence)
    return {
        "quote_exact": selector.exact,
        "quote_prefix": selector.prefix,
        "quote_suffix": selector.suffix,
        "position_start": str(selector.start),
        "position_end": str(selector.end),
    }


def test_the_form_opens_with_the_selected_quote(client: Any, reviewer: User, document: Document) -> None:
    fields = selection(TEXT, "Дальность ракеты — 480 км")
    response = client.get(f"/claims/capture/document/{document.id}?{urlencode(fields)}")
    assert response.status_code == 200
    tree = page(response)
    form = tree.get_element_by_id("capture-form")
    assert form.get("method") == "post"
    assert tree.get_element_by_id("quote_exact").text_content().lstrip("\r\n") == "Дальность ракеты — 480 км"
    # The wording starts as the quote; the claim date as the document's date.
    assert tree.get_element_by_id("text").text_content().lstrip("\r\n") == "Дальность ракеты — 480 км"
    assert tree.get_element_by_id("claimed_on").get("value") == "2019-01-23"
    for name in ("quote_prefix", "quote_suffix", "position_start", "position_end", "document_id"):
        assert tree.get_element_by_id(name).get("type") == "hidden"
    assert tree.get_element_by_id("position_start").get("value") == fields["position_start"]


def test_capturing_a_selection_creates_a_new_claim_with_its_appearance(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    # The second of two identical quotes was selected: the position says which.
    fields = selection(TEXT, QUOTE, occurrence=1)
    response = client.post(
        f"/claims/capture/document/{document.id}",
        data={
            **fields,
            "document_id": str(document.id),
            "text": "The 9M729 has a range of 480 km.",
            "claimant": "Russian Ministry of Defence",
            "claimed_on": "2019-01-23",
        },
    )
    assert response.status_code == 302
    [claim] = claims(db_session)
    assert response.headers["Location"] == f"/claims/{claim.id}"
    assert (claim.text, claim.claimant, claim.claimed_on) == (
        "The 9M729 has a range of 480 km.",
        "Russian Ministry of Defence",
        date(2019, 1, 23),
    )
    assert claim.state == ClaimState.NEW
    assert claim.created_by_id == reviewer.id
    [transition] = claim.transitions
    assert (transition.from_state, transition.to_state, transition.actor_id) == (
        None,
        ClaimState.NEW,
        reviewer.id,
    )
    [appearance] = claim.appearances
    expected = select_quote(TEXT, QUOTE, occurrence=1)
    assert appearance.document_id == document.id
    assert (appearance.quote_exact, appearance.quote_prefix, appearance.quote_suffix) == (
        expected.exact,
        expected.prefix,
        expected.suffix,
    )
    assert (appearance.position_start, appearance.position_end) == (expected.start, expected.end)
    assert appearance.appeared_on == date(2019, 1, 23)
    assert appearance.created_by_id == reviewer.id
    # The history shows who captured it.
    [entry] = claim_history(db_session, claim.id, ratings_visible=True)
    assert entry.actor_name == reviewer.name
    assert {item.table for item in entry.items} == {"claims", "claim_transitions", "appearances"}
    # The document page now highlights it.
    document_page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert f'data-claim-id="{claim.id}"' in document_page


def test_without_the_script_a_pasted_quote_is_found_in_the_text(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    response = client.post(
        f"/claims/capture/document/{document.id}",
        data={
            # Pasted with a line break where the text has a space, and spaces around.
            "quote_exact": "  ministry showed the 9M729\nto reporters 🇷🇺  ",
            "text": "The ministry showed the 9M729 to reporters.",
            "claimant": "Russian Ministry of Defence",
        },
    )
    assert response.status_code == 302
    [appearance] = claims(db_session)[0].appearances
    start = TEXT.index("ministry showed")
    assert appearance.quote_exact == "ministry showed the 9M729 to reporters 🇷🇺"
    assert (appearance.position_start, appearance.position_end) == (
        start,
        start + len(appearance.quote_exact),
    )
    assert appearance.quote_prefix == TEXT[max(0, start - 32) : start]


def test_a_quote_not_in_the_document_is_refused_next_to_the_field(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    response = client.post(
        f"/claims/capture/document/{document.id}",
        data={"quote_exact": "the 9M729 has a range of 500 km", "text": "x", "claimant": "Someone"},
    )
    assert response.status_code == 422
    assert "This quote is not in the document" in field_error(response, "quote_exact")
    # What was typed is kept.
    assert (
        page(response).get_element_by_id("quote_exact").text_content().lstrip("\r\n")
        == "the 9M729 has a range of 500 km"
    )
    assert claims(db_session) == []


def test_missing_wording_claimant_or_quote_are_named(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    response = client.post(f"/claims/capture/document/{document.id}", data={"claimed_on": "2999-01-01"})
    assert response.status_code == 422
    assert field_error(response, "text") == "Give the claim's wording."
    assert field_error(response, "claimant") == "Say who made the claim."
    assert "paste it here" in field_error(response, "quote_exact")
    assert "future" in field_error(response, "claimed_on")
    assert claims(db_session) == []


def test_an_edited_quote_with_stale_selectors_is_still_found(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    fields = selection(TEXT, QUOTE, occurrence=1)
    # The person trimmed the selected quote in the form; the position no longer matches.
    fields["quote_exact"] = "9M729 has a range"
    data = {**fields, "text": "Range claim", "claimant": "Critics"}
    assert client.post(f"/claims/capture/document/{document.id}", data=data).status_code == 302
    [appearance] = claims(db_session)[0].appearances
    # The context still points at the second occurrence.
    second = select_quote(TEXT, "9M729 has a range", occurrence=1)
    assert (appearance.position_start, appearance.position_end) == (second.start, second.end)


def test_a_claim_without_a_document_is_captured_with_its_web_address(
    client: Any, reviewer: User, db_session: Session
) -> None:
    response = client.get("/claims/capture")
    assert response.status_code == 200
    assert page(response).get_element_by_id("url") is not None
    response = client.post(
        "/claims/capture",
        data={
            "url": "https://video.example.org/watch?v=abc&t=42",
            "appeared_on": "2019-02-02",
            "text": "We have never violated the INF Treaty.",
            "claimant": "Sergei Lavrov",
            "claimed_on": "2019-02-02",
        },
    )
    assert response.status_code == 302
    [claim] = claims(db_session)
    [appearance] = claim.appearances
    assert (appearance.document_id, appearance.url, appearance.appeared_on) == (
        None,
        "https://video.example.org/watch?v=abc&t=42",
        date(2019, 2, 2),
    )
    assert appearance.quote_exact is None
    assert claim.transitions[0].to_state == ClaimState.NEW
    claim_page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert 'href="https://video.example.org/watch?v=abc&amp;t=42"' in claim_page


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Give the web address"),
        ("javascript:alert(1)", "http:// or https://"),
        ("data:text/html,x", "http://"),
    ],
)
def test_a_claim_without_a_document_needs_a_web_address(
    client: Any, reviewer: User, db_session: Session, url: str, message: str
) -> None:
    response = client.post("/claims/capture", data={"url": url, "text": "Words", "claimant": "Someone"})
    assert response.status_code == 422
    assert message in field_error(response, "url")
    assert claims(db_session) == []


def test_an_appearance_is_added_from_the_claim_page(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    existing = capture(db_session, document, "Дальность ракеты — 480 км", reviewer)
    claim = existing.claim
    version = claim.version
    claim_page = page(client.get(f"/claims/{claim.id}"))
    assert claim_page.get_element_by_id("add-appearance").get("href") == f"/claims/{claim.id}/appearances/new"

    form_page = client.get(f"/claims/{claim.id}/appearances/new?document_id={document.id}")
    assert form_page.status_code == 200
    selected = page(form_page).get_element_by_id("document-document").find(".//option[@selected]")
    assert selected.get("value") == str(document.id)

    # A quote from a document, pasted.
    response = client.post(
        f"/claims/{claim.id}/appearances/new",
        data={
            "document-kind": "document",
            "document-document": str(document.id),
            "document-quote_exact": "导弹射程为480公里",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/claims/{claim.id}"
    # A web address.
    response = client.post(
        f"/claims/{claim.id}/appearances/new",
        data={"web-kind": "url", "web-url": "https://social.example/@mod/1", "web-appeared_on": "2019-01-24"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    claim = db_session.get(Claim, claim.id)
    assert [(a.document_id, a.quote_exact, a.url) for a in claim.appearances] == [
        (document.id, "Дальность ракеты — 480 км", None),
        (document.id, "导弹射程为480公里", None),
        (None, None, "https://social.example/@mod/1"),
    ]
    assert claim.appearances[1].position_start == TEXT.index("导弹射程为480公里")
    # Adding an appearance is not an edit of the claim: nobody editing it gets a conflict.
    assert claim.version == version


def test_an_appearance_the_claim_has_already_or_a_wrong_one_is_refused(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    existing = capture(db_session, document, "Дальность ракеты — 480 км", reviewer)
    claim_id = existing.claim_id
    url = f"/claims/{claim_id}/appearances/new"
    response = client.post(
        url,
        data={
            "document-kind": "document",
            "document-document": str(document.id),
            "document-quote_exact": "Дальность ракеты — 480 км",
        },
    )
    assert response.status_code == 422
    assert "already has this appearance" in field_error(response, "document-quote_exact")
    response = client.post(
        url,
        data={
            "document-kind": "document",
            "document-document": str(document.id),
            "document-quote_exact": "not in it",
        },
    )
    assert "not in the document" in field_error(response, "document-quote_exact")
    response = client.post(url, data={"web-kind": "url", "web-url": "javascript:alert(1)"})
    assert response.status_code == 422
    assert "http://" in field_error(response, "web-url")
    response = client.post(
        url, data={"document-kind": "document", "document-document": "999999", "document-quote_exact": "x"}
    )
    assert response.status_code == 422
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Appearance)) == 1


def test_attach_adds_the_appearance_to_the_similar_claim_instead(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    known = capture(
        db_session, document, "Дальность ракеты — 480 км", reviewer, text="The 9M729 has a range of 480 km."
    )
    fields = selection(TEXT, QUOTE, occurrence=1)
    data = {
        **fields,
        "document_id": str(document.id),
        "text": "The 9M729 has a range of 480 km",
        "claimant": "",
    }

    # The capture form suggests the known claim, with a button that posts the form elsewhere.
    shown = client.post(f"/claims/capture/document/{document.id}", data={**data, "check_similar": "1"})
    assert shown.status_code == 200
    [button] = page(shown).find_class("attach-button")
    assert button.get("formaction") == f"/claims/{known.claim_id}/appearances/attach"
    assert button.get("form") == "capture-form"
    assert len(claims(db_session)) == 1

    response = client.post(button.get("formaction"), data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/claims/{known.claim_id}"
    [claim] = claims(db_session)
    second = select_quote(TEXT, QUOTE, occurrence=1)
    assert [(a.position_start, a.position_end) for a in claim.appearances] == [
        (known.position_start, known.position_end),
        (second.start, second.end),
    ]
    # Attaching the same appearance again is refused on the capture form.
    again = client.post(button.get("formaction"), data=data)
    assert again.status_code == 422
    assert "already has this appearance" in field_error(again, "quote_exact")


def test_attach_works_for_a_web_address_too(
    client: Any, reviewer: User, db_session: Session, document: Document
) -> None:
    known = capture(db_session, document, QUOTE, reviewer)
    response = client.post(
        f"/claims/{known.claim_id}/appearances/attach",
        data={
            "url": "https://tv.example/news/2019-01-23",
            "appeared_on": "2019-01-23",
            "text": "",
            "claimant": "",
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert [a.url for a in db_session.get(Claim, known.claim_id).appearances] == [
        None,
        "https://tv.example/news/2019-01-23",
    ]
    response = client.post(f"/claims/{known.claim_id}/appearances/attach", data={"url": "ftp://x"})
    assert response.status_code == 422
    assert "http://" in field_error(response, "url")


def test_checking_for_similar_claims_saves_nothing_and_keeps_the_form(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    capture(db_session, document, QUOTE, reviewer, text="Russia says the 9M729 has a range of 480 km")
    before = db_session.scalar(select(func.count()).select_from(ClaimTransition))
    response = client.post(
        "/claims/capture",
        data={
            "url": "https://x.example/1",
            "text": "The 9M729 has a range of only 480 km",
            "claimant": "A",
            "check_similar": "1",
        },
    )
    assert response.status_code == 200
    tree = page(response)
    assert (
        tree.get_element_by_id("text").text_content().lstrip("\r\n") == "The 9M729 has a range of only 480 km"
    )
    assert "Russia says the 9M729" in tree.get_element_by_id("similar-claims").text_content()
    assert len(claims(db_session)) == 1
    assert db_session.scalar(select(func.count()).select_from(ClaimTransition)) == before


def test_the_form_suggests_similar_claims_for_the_selected_quote(
    client: Any, reviewer: User, document: Document, db_session: Session
) -> None:
    capture(
        db_session, document, "Дальность ракеты — 480 км", reviewer, text="Дальность ракеты 9M729 — 480 км"
    )
    fields = selection(TEXT, "Дальность ракеты — 480 км")
    response = client.get(f"/claims/capture/document/{document.id}?{urlencode(fields)}")
    suggestions = page(response).find_class("suggestion")
    assert [s.find(".//a").text_content() for s in suggestions] == ["“Дальность ракеты 9M729 — 480 км”"]


def test_operations_refuse_visitors_without_a_desk_role(db_session: Session, document: Document) -> None:
    class Anonymous:
        is_authenticated = False

    with pytest.raises(PermissionDenied):
        capture_claim(
            db_session,
            Anonymous(),
            ClaimValues("Words", "Someone"),
            AppearanceValues(url="https://x.example"),
        )
    known = capture(db_session, document, QUOTE, document.created_by)
    with pytest.raises(PermissionDenied):
        add_appearance(db_session, Anonymous(), known.claim, AppearanceValues(url="https://x.example"))


def test_operations_check_the_values_themselves(
    db_session: Session, document: Document, reviewer: User
) -> None:
    with pytest.raises(CaptureError) as error:
        capture_claim(
            db_session, reviewer, ClaimValues("", "Someone"), AppearanceValues(url="https://x.example")
        )
    assert error.value.field == "text"
    with pytest.raises(CaptureError) as error:
        capture_claim(db_session, reviewer, ClaimValues("Words", "Someone"), AppearanceValues())
    assert error.value.field == "url"
    with pytest.raises(CaptureError) as error:
        capture_claim(
            db_session,
            reviewer,
            ClaimValues("Words", "Someone"),
            AppearanceValues(document=document, quote="x" * 5001),
        )
    assert error.value.field == "quote_exact"
