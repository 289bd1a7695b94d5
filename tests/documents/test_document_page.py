"""The document page: the text exactly as stored, each captured claim highlighted and linked,
quotes that moved found again, and quotes no longer in the text listed apart and flagged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.claims.models import AnchorStatus, Appearance
from factcheck.documents.operations import place_appearances, reanchor_document
from factcheck.security.permissions import PermissionDenied
from tests.documents.helpers import capture, document_text, make_document, page, text_in_page

TEXT = (
    "🚀 Launch day. Россия заявила, что ракета 9M729 летит на 480 км.\n"
    "家族 👩‍👩‍👧 and flags 🇷🇺🇺🇸: the 9M729 has a range of 480 km, <b>said</b> the ministry & others.\n\n"
    "Later: the 9M729 has a range of 480 km, again."
)


@pytest.fixture
def reviewer(login_as: Callable[[Role], User]) -> User:
    return login_as(Role.REVIEWER)


def marks(response: Any) -> list[Any]:
    return list(document_text(response).iter("mark"))


def test_the_text_is_shown_exactly_with_each_claim_highlighted_and_linked(
    client: Any, reviewer: User, db_session: Session
) -> None:
    document = make_document(db_session, reviewer, TEXT, title="Mixed scripts")
    russian = capture(db_session, document, "ракета 9M729 летит на 480 км", reviewer)
    # The second of two identical sentences.
    later = capture(db_session, document, "the 9M729 has a range of 480 km", reviewer, occurrence=1)

    response = client.get(f"/documents/{document.id}")
    assert response.status_code == 200
    # What a script reads from the container is the stored text, code point for code point
    # (markup in the text is escaped, not interpreted).
    assert text_in_page(response) == TEXT
    assert "<b>said</b>" not in response.get_data(as_text=True)

    found = marks(response)
    assert [m.text_content() for m in found] == [russian.quote_exact, later.quote_exact]
    for mark, appearance in zip(found, [russian, later], strict=True):
        assert mark.get("data-claim-id") == str(appearance.claim_id)
        assert mark.get("data-appearance-id") == str(appearance.id)
        [link] = mark.iter("a")
        assert link.get("href") == f"/claims/{appearance.claim_id}"
    # Each appearance has a target to link to, placed where its quote starts.
    targets = {element.get("id") for element in document_text(response).iter("span")}
    assert targets == {f"appearance-{russian.id}", f"appearance-{later.id}"}
    # The list of claims under the text links to each.
    body = response.get_data(as_text=True)
    assert f'href="/claims/{russian.claim_id}"' in body
    assert "Quotes no longer found" not in body
    # The claim page links back to the highlight.
    claim_page = client.get(f"/claims/{later.claim_id}").get_data(as_text=True)
    assert f"/documents/{document.id}#appearance-{later.id}" in claim_page


def test_overlapping_quotes_are_both_highlighted(client: Any, reviewer: User, db_session: Session) -> None:
    document = make_document(db_session, reviewer, TEXT)
    wide = capture(
        db_session, document, "the 9M729 has a range of 480 km, <b>said</b> the ministry", reviewer
    )
    narrow = capture(db_session, document, "range of 480 km, <b>said</b>", reviewer)
    response = client.get(f"/documents/{document.id}")
    assert text_in_page(response) == TEXT
    found = marks(response)
    assert [m.text_content() for m in found] == [
        "the 9M729 has a ",
        "range of 480 km, <b>said</b>",
        " the ministry",
    ]
    assert [m.get("data-claim-id") for m in found] == [
        str(wide.claim_id),
        str(narrow.claim_id),
        str(wide.claim_id),
    ]
    assert found[1].get("data-claim-ids") == f"{wide.claim_id} {narrow.claim_id}"
    assert "overlap" in found[1].get("class")


def test_a_quote_that_moved_is_found_again_and_its_new_position_can_be_recorded(
    client: Any, reviewer: User, db_session: Session
) -> None:
    document = make_document(db_session, reviewer, TEXT)
    appearance = capture(db_session, document, "the 9M729 has a range of 480 km", reviewer, occurrence=1)
    old_start = appearance.position_start
    # An editor's note is added at the top (the text changes under the stored positions).
    document.text = "Editor's note: corrected 🇺🇦.\n" + TEXT
    db_session.commit()

    response = client.get(f"/documents/{document.id}")
    [mark] = marks(response)
    start = len("Editor's note: corrected 🇺🇦.\n") + old_start
    assert mark.text_content() == appearance.quote_exact
    # Still the second occurrence: the stored context tells the two apart.
    assert place_appearances(document).placed[0].start == start
    assert page(response).get_element_by_id("reanchor-form") is not None

    assert client.post(f"/documents/{document.id}/reanchor").status_code == 302
    db_session.expire_all()
    stored = db_session.get(Appearance, appearance.id)
    assert (stored.position_start, stored.position_end) == (start, start + len(appearance.quote_exact))
    assert stored.anchor_status == AnchorStatus.ANCHORED
    assert page(client.get(f"/documents/{document.id}")).get_element_by_id("reanchor-form", None) is None


def test_a_quote_no_longer_in_the_text_is_listed_apart_and_flagged_not_dropped(
    client: Any, reviewer: User, db_session: Session
) -> None:
    document = make_document(db_session, reviewer, TEXT)
    kept = capture(db_session, document, "Россия заявила", reviewer)
    lost = capture(db_session, document, "ракета 9M729 летит на 480 км", reviewer)
    document.text = TEXT.replace("ракета 9M729 летит на 480 км", "ракета летит далеко")
    db_session.commit()

    response = client.get(f"/documents/{document.id}")
    assert [m.get("data-appearance-id") for m in marks(response)] == [str(kept.id)]
    orphaned = page(response).get_element_by_id("orphaned-quotes")
    assert "ракета 9M729 летит на 480 км" in orphaned.text_content()
    assert orphaned.find(".//li").get("data-appearance-id") == str(lost.id)

    client.post(f"/documents/{document.id}/reanchor")
    db_session.expire_all()
    assert db_session.get(Appearance, lost.id).anchor_status == AnchorStatus.ORPHANED
    assert db_session.get(Appearance, kept.id).anchor_status == AnchorStatus.ANCHORED
    # The claim keeps its appearance, and its page says the quote is lost.
    claim_page = client.get(f"/claims/{lost.claim_id}").get_data(as_text=True)
    assert "The quote is no longer found in the document." in claim_page
    assert "ракета 9M729 летит на 480 км" in claim_page

    # The quote comes back: anchored again.
    document.text = TEXT
    db_session.commit()
    client.post(f"/documents/{document.id}/reanchor")
    db_session.expire_all()
    assert db_session.get(Appearance, lost.id).anchor_status == AnchorStatus.ANCHORED


def test_re_anchoring_needs_a_desk_role(db_session: Session, make_user: Callable[..., User]) -> None:
    document = make_document(db_session, make_user(Role.REVIEWER), TEXT)

    class Anonymous:
        is_authenticated = False

    with pytest.raises(PermissionDenied):
        reanchor_document(db_session, Anonymous(), document)


def test_the_page_offers_capture_to_the_desk(client: Any, reviewer: User, db_session: Session) -> None:
    document = make_document(db_session, reviewer, TEXT, language="ru")
    response = client.get(f"/documents/{document.id}")
    tree = page(response)
    container = document_text(response)
    assert container.get("data-document-id") == str(document.id)
    assert container.get("lang") == "ru"
    form = tree.get_element_by_id("capture-selection")
    assert form.get("action") == f"/claims/capture/document/{document.id}"
    assert tree.get_element_by_id("capture-button").get("hidden") is not None
    # The script is served from this site, deferred; nothing inline.
    scripts = tree.findall(".//script")
    assert [(s.get("src"), s.get("defer") is not None, (s.text or "").strip()) for s in scripts] == [
        ("/static/js/capture.js", True, "")
    ]
    script = client.get("/static/js/capture.js")
    assert script.status_code == 200
    script.close()
    assert client.get("/documents/999999").status_code == 404
