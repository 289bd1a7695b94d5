"""Readers see the rating scale's names and definitions in the page's language: the verdict
page, its ClaimReview, the methodology, the list of checks and the annotated documents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Claim
from factcheck.public.checks import check_state
from factcheck.ratings.translations import LabelText, save_texts
from tests.helpers import text
from tests.i18n.languages import headers_for, set_public_language
from tests.public.conftest import label_of, when
from tests.public.reader import claim_review, text_of

SPANISH_FALSE = LabelText("Falso", "La afirmación es inexacta.")


@pytest.fixture
def translate(db_session: Session, make_user: Callable[..., User]) -> Callable[..., None]:
    """``translate(key, language=LabelText)``: what an admin saves on the rating scale page."""
    admin = make_user(Role.ADMIN)

    def save(key: str, **texts: LabelText) -> None:
        set_actor(db_session, Actor.for_user(admin, origin="test"))
        save_texts(db_session, admin, label_of(db_session, key), texts)
        db_session.commit()

    return save


def spanish(client: FlaskClient, db: Session, path: str):
    set_public_language(db, "es")
    return client.get(path, headers=headers_for("es"))


def test_a_spanish_verdict_page_shows_the_spanish_name_and_definition(
    client: FlaskClient, db_session: Session, published_check: Callable[..., Claim], translate
) -> None:
    claim = published_check(published_at=when(5), label="false")
    translate("false", es=SPANISH_FALSE)

    response = spanish(client, db_session, f"/checks/{claim.slug}")

    assert response.status_code == 200
    assert text_of(response, "verdict-label") == "Falso"
    assert "La afirmación es inexacta." in text(response)
    assert claim_review(response)["reviewRating"]["alternateName"] == "Falso"
    # The scale's number stays what it is in every language.
    assert claim_review(response)["reviewRating"]["ratingValue"] == label_of(db_session, "false").value


def test_an_english_verdict_page_keeps_the_labels_own_name(
    client: FlaskClient, db_session: Session, published_check: Callable[..., Claim], translate
) -> None:
    claim = published_check(published_at=when(5), label="false")
    translate("false", es=SPANISH_FALSE)

    response = client.get(f"/checks/{claim.slug}")

    assert text_of(response, "verdict-label") == "False"
    assert claim_review(response)["reviewRating"]["alternateName"] == "False"


def test_a_label_without_a_translation_shows_its_own_name(
    client: FlaskClient, db_session: Session, published_check: Callable[..., Claim], translate
) -> None:
    claim = published_check(published_at=when(5), label="mostly-true")
    translate("false", es=SPANISH_FALSE)
    own = label_of(db_session, "mostly-true")

    response = spanish(client, db_session, f"/checks/{claim.slug}")

    assert text_of(response, "verdict-label") == own.name
    assert own.definition in text(response)


def test_saving_a_translation_changes_the_pages_validators(
    client: FlaskClient, db_session: Session, published_check: Callable[..., Claim], translate
) -> None:
    claim = published_check(published_at=when(5), label="false")
    before = check_state(db_session, claim.slug)
    first = spanish(client, db_session, f"/checks/{claim.slug}")

    translate("false", es=SPANISH_FALSE)

    assert check_state(db_session, claim.slug).key() != before.key()
    again = client.get(
        f"/checks/{claim.slug}", headers={**headers_for("es"), "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 200
    assert text_of(again, "verdict-label") == "Falso"


def test_the_methodology_shows_the_scale_in_the_pages_language(
    client: FlaskClient, db_session: Session, translate
) -> None:
    translate("false", es=SPANISH_FALSE, ar=LabelText("خطأ", "الادعاء غير دقيق."))
    true = label_of(db_session, "true")

    page = text(spanish(client, db_session, "/methodology"))

    assert '<span class="rating-name">Falso</span>' in page
    assert "<dd>La afirmación es inexacta.</dd>" in page
    # Untranslated labels keep their own name and definition.
    assert f'<span class="rating-name">{true.name}</span>' in page
    assert "خطأ" not in page


def test_the_list_of_checks_shows_the_names_in_the_pages_language(
    client: FlaskClient, db_session: Session, published_check: Callable[..., Claim], translate
) -> None:
    published_check(published_at=when(5), label="false")
    translate("false", es=SPANISH_FALSE)

    page = text(spanish(client, db_session, "/checks/"))

    assert '<span class="verdict-label public-label">Falso</span>' in page
    # The filter still sends the label's own name, so links and searches stay the same.
    assert '<option value="False">Falso</option>' in page
