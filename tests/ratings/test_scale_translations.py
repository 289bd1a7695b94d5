"""Admins give the rating scale's labels a name and a definition per language; pages in that
language show them, and fall back to the label's own text where none was given."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.ratings.models import RatingLabel, RatingLabelTranslation
from factcheck.ratings.translations import label_definition, label_name
from tests.conftest import PASSWORD
from tests.helpers import audit_rows, csrf_token, field_error, text
from tests.i18n.languages import headers_for

SPANISH_FALSE = {
    "name_es": "Falso",
    "definition_es": "La afirmación no es exacta.",
    "name_ar": "",
    "definition_ar": "",
}


def label(db, key: str) -> RatingLabel:
    found = db.scalar(select(RatingLabel).where(RatingLabel.key == key))
    assert found is not None
    return found


def saved(db, label_id: int) -> dict[str, tuple[str, str]]:
    db.expire_all()
    rows = db.scalars(select(RatingLabelTranslation).where(RatingLabelTranslation.label_id == label_id))
    return {row.language: (row.name, row.definition) for row in rows}


def test_the_scale_page_lists_every_label_and_what_is_translated(client, login_as, db_session):
    login_as(Role.ADMIN)
    false = label(db_session, "false")
    client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)

    page = text(client.get("/admin/rating-scale"))

    for row in db_session.scalars(select(RatingLabel)):
        assert row.name in page
    assert '<td lang="es">Falso</td>' in page
    assert "Not translated" in page
    assert 'href="/admin/rating-scale"' in text(client.get("/claims/"))


def test_an_admin_gives_a_label_its_spanish_name_and_definition(client, login_as, db_session):
    login_as(Role.ADMIN)
    false = label(db_session, "false")

    response = client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)

    assert response.status_code == 302
    assert saved(db_session, false.id) == {"es": ("Falso", "La afirmación no es exacta.")}
    form = text(client.get(f"/admin/rating-scale/{false.id}"))
    assert 'value="Falso"' in form
    # Typed in each language's own direction.
    assert re.search(r'<input[^>]*dir="rtl"[^>]*lang="ar"', form)
    assert re.search(r'<input[^>]*dir="ltr"[^>]*lang="es"', form)


def test_emptying_a_translation_keeps_the_row_and_falls_back(client, login_as, db_session):
    login_as(Role.ADMIN)
    false = label(db_session, "false")
    client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)

    client.post(f"/admin/rating-scale/{false.id}", data={**SPANISH_FALSE, "name_es": "", "definition_es": ""})

    assert saved(db_session, false.id) == {"es": ("", "")}
    db_session.expire_all()
    assert label_name(label(db_session, "false"), "es") == false.name


def test_the_names_fall_back_to_the_labels_own(db_session, client, login_as):
    login_as(Role.ADMIN)
    false = label(db_session, "false")
    client.post(f"/admin/rating-scale/{false.id}", data={**SPANISH_FALSE, "definition_es": ""})
    db_session.expire_all()
    false = label(db_session, "false")

    assert label_name(false, "es") == "Falso"
    assert label_name(false, "es_MX") == "Falso"
    # No definition given: the label's own.
    assert label_definition(false, "es") == false.definition
    # Nothing in Arabic, and English is the labels' own language.
    assert label_name(false, "ar") == false.name
    assert label_name(false, "en") == false.name
    assert label_name(label(db_session, "true"), "es") == label(db_session, "true").name


def test_the_audit_history_shows_the_change(client, login_as, db_session):
    admin = login_as(Role.ADMIN)
    false = label(db_session, "false")
    client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)
    client.post(f"/admin/rating-scale/{false.id}", data={**SPANISH_FALSE, "name_es": "Falsa"})

    changes = audit_rows(db_session, "rating_label_translations")

    assert [change.operation for _, change in changes] == ["INSERT", "UPDATE"]
    assert all(changeset.actor_id == admin.id for changeset, _ in changes)
    assert changes[1][1].changes["name"] == ["Falso", "Falsa"]  # [old, new]
    # The audit log lists it under its own record type, and its export carries the values.
    log = text(client.get("/audit/?record=rating_label_translations"))
    assert "Not a valid choice" not in log and log.count("rating_label_translations {") == 2
    exported = text(client.get("/audit/export.json?record=rating_label_translations"))
    assert "Falsa" in exported and "La afirmaci" in exported


def test_saving_nothing_new_changes_nothing(client, login_as, db_session):
    login_as(Role.ADMIN)
    false = label(db_session, "false")
    client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)

    response = client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE, follow_redirects=True)

    assert "Nothing changed." in text(response)
    assert len(audit_rows(db_session, "rating_label_translations")) == 1


def test_a_form_missing_its_fields_is_refused(client, login_as, db_session):
    login_as(Role.ADMIN)
    false = label(db_session, "false")
    client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)

    response = client.post(f"/admin/rating-scale/{false.id}", data={"name_es": "Falso"})

    assert response.status_code == 422
    assert field_error(response, "definition_es") == "This field was missing from the form."
    assert saved(db_session, false.id) == {"es": ("Falso", "La afirmación no es exacta.")}


def test_a_name_longer_than_the_labels_own_may_be_is_refused(client, login_as, db_session):
    login_as(Role.ADMIN)
    false = label(db_session, "false")

    response = client.post(f"/admin/rating-scale/{false.id}", data={**SPANISH_FALSE, "name_es": "F" * 81})

    assert response.status_code == 422
    assert field_error(response, "name_es") is not None
    assert saved(db_session, false.id) == {}


def test_an_unknown_label_is_not_found(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/rating-scale/99999").status_code == 404
    assert client.post("/admin/rating-scale/99999", data=SPANISH_FALSE).status_code == 404


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR])
def test_only_admins_may_translate_the_scale(client, login_as, db_session, role):
    login_as(role)
    false = label(db_session, "false")

    assert client.get("/admin/rating-scale").status_code == 403
    assert client.get(f"/admin/rating-scale/{false.id}").status_code == 403
    assert client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE).status_code == 403
    assert saved(db_session, false.id) == {}
    assert 'href="/admin/rating-scale"' not in text(client.get("/claims/"))


def test_anonymous_visitors_are_sent_to_sign_in(client, db_session):
    false = label(db_session, "false")
    for response in (
        client.get("/admin/rating-scale"),
        client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE),
    ):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert saved(db_session, false.id) == {}


def test_a_post_without_the_csrf_token_is_refused(make_app, make_user, db_session):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    admin = make_user(Role.ADMIN)
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    false = label(db_session, "false")

    refused = client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)
    assert refused.status_code == 403
    assert saved(db_session, false.id) == {}

    token = csrf_token(client.get(f"/admin/rating-scale/{false.id}"))
    accepted = client.post(f"/admin/rating-scale/{false.id}", data={**SPANISH_FALSE, "csrf_token": token})
    assert accepted.status_code == 302
    assert saved(db_session, false.id) == {"es": ("Falso", "La afirmación no es exacta.")}


def test_the_desk_offers_the_labels_in_the_desk_language(client, login_as, db_session, claim):
    login_as(Role.ADMIN)
    false = label(db_session, "false")
    client.post(f"/admin/rating-scale/{false.id}", data=SPANISH_FALSE)

    spanish = text(client.get(f"/claims/{claim.id}/rating", headers=headers_for("es")))
    english = text(client.get(f"/claims/{claim.id}/rating"))

    assert f'<option value="{false.id}">Falso</option>' in spanish
    assert f'<option value="{false.id}">{false.name}</option>' in english
    # The claim list's and the export page's label filters too (their values stay the same).
    assert f'<option value="{false.id}">Falso</option>' in text(
        client.get("/claims/", headers=headers_for("es"))
    )
    assert '<option value="false">Falso</option>' in text(client.get("/exports/", headers=headers_for("es")))
