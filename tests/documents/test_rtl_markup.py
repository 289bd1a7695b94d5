"""Right-to-left and mixed text: user text is isolated (dir="auto" or <bdi>) wherever it is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.publishing import operations
from tests.claims.desk import acting_as
from tests.documents.helpers import capture, make_document, page
from tests.publishing.building import make_team, ready_claim

ARABIC_TEXT = "قال وزير المالية إن العجز انخفض إلى 2.1 في المئة من الناتج المحلي الإجمالي."
CLAIMANT = "وزارة المالية"


def test_desk_pages_isolate_arabic_text(
    client: Any, login_as: Callable[[Role], User], db_session: Session
) -> None:
    reviewer = login_as(Role.REVIEWER)
    document = make_document(
        db_session, reviewer, ARABIC_TEXT, title="بيان وزارة المالية", language="ar", outlet="الجريدة"
    )
    appearance = capture(db_session, document, "العجز انخفض إلى 2.1 في المئة", reviewer)
    appearance.claim.claimant = CLAIMANT
    appearance.claim.claimed_on = date(2026, 3, 14)
    appearance.claim.language = "ar"
    db_session.commit()

    shown = page(client.get(f"/documents/{document.id}"))
    text = shown.get_element_by_id("document-text")
    assert (text.get("lang"), text.get("dir")) == ("ar", "auto")
    assert shown.find(".//h1").get("dir") == "auto"

    listing = page(client.get("/claims/"))
    [cell] = listing.find_class("claim-cell")
    assert (cell.get("dir"), cell.get("lang")) == ("auto", "ar")
    claimant_cell = cell.getnext()
    assert claimant_cell.get("dir") == "auto" and claimant_cell.text_content() == CLAIMANT

    header = page(client.get(f"/claims/{appearance.claim_id}")).find_class("claim-header")[0]
    # The claimant is isolated, so the date after it is not reversed with it.
    [claimant] = header.find_class("claimant")
    assert claimant.tag == "bdi" and claimant.text_content() == CLAIMANT
    assert claimant.tail.startswith(", 2026-03-14")

    documents_list = page(client.get("/documents/"))
    title_cell = documents_list.find(".//tbody/tr/td")
    assert (title_cell.get("dir"), title_cell.get("lang")) == ("auto", "ar")


def test_public_pages_isolate_the_claimant(client: Any, make_user: Any, db_session: Session) -> None:
    team = make_team(make_user)
    claim = ready_claim(db_session, team)
    claim.claimant = CLAIMANT
    acting_as(db_session, team["ada"])
    operations.publish(db_session, claim, team["ada"])
    db_session.commit()
    listing = page(client.get("/checks/"))
    [claimant] = listing.find_class("claimant")
    assert claimant.tag == "bdi" and claimant.text_content().strip() == CLAIMANT
    assert listing.find_class("claim-quote")[0].get("dir") == "auto"
