"""The organisation's settings page: admins save the details readers and search engines see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.organisation.details import publisher
from factcheck.organisation.models import Organisation
from tests.helpers import audit_rows, field_error, text

DETAILS = {
    "name": "The Verification Desk",
    "url": "https://verification.example.org/",
    "logo_url": "https://verification.example.org/logo.png",
    "contact_email": "desk@verification.example.org",
    "about": "We are **independent**.",
    "corrections_policy": "Write to us; we correct within a day.",
}


def saved(db):
    db.expire_all()
    return db.get(Organisation, 1)


def test_before_the_first_save_the_form_shows_the_configured_defaults(app, client, login_as, db_session):
    login_as(Role.ADMIN)

    response = client.get("/admin/organisation")

    assert response.status_code == 200
    page = text(response)
    assert 'value="Factcheck demo newsroom"' in page
    assert f'value="{app.config["ORGANISATION_URL"]}"' in page
    assert "Nothing saved yet" in page
    assert saved(db_session) is None


def test_an_admin_saves_the_details(client, login_as, db_session, app):
    login_as(Role.ADMIN)

    response = client.post("/admin/organisation", data=DETAILS)

    assert response.status_code == 302
    row = saved(db_session)
    assert row is not None and row.id == 1
    assert {name: getattr(row, name) for name in DETAILS} == DETAILS
    with app.test_request_context():
        assert publisher(db_session).name == "The Verification Desk"
    page = text(client.get("/admin/organisation"))
    assert 'value="The Verification Desk"' in page
    assert "Last saved" in page


def test_saving_again_updates_the_one_row(client, login_as, db_session):
    login_as(Role.ADMIN)
    client.post("/admin/organisation", data=DETAILS)

    response = client.post(
        "/admin/organisation",
        data={**DETAILS, "name": "Verification Desk", "logo_url": "", "contact_email": ""},
    )

    assert response.status_code == 302
    assert db_session.scalars(select(Organisation)).all() == [saved(db_session)]
    row = saved(db_session)
    assert (row.name, row.logo_url, row.contact_email) == ("Verification Desk", None, None)


def test_the_saved_name_is_shown_on_every_page(client, login_as):
    login_as(Role.ADMIN)
    client.post("/admin/organisation", data=DETAILS)

    page = text(client.get("/claims/"))

    assert "The Verification Desk" in page
    assert "Factcheck demo newsroom" not in page


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR])
def test_only_admins_may_change_the_details(client, login_as, db_session, role):
    login_as(role)

    assert client.get("/admin/organisation").status_code == 403
    assert client.post("/admin/organisation", data=DETAILS).status_code == 403
    assert saved(db_session) is None
    assert 'href="/admin/organisation"' not in text(client.get("/claims/"))


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/organisation")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_see_the_nav_link(client, login_as):
    login_as(Role.ADMIN)
    assert 'href="/admin/organisation"' in text(client.get("/claims/"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("url", "javascript:alert(1)", "Only web addresses starting with http:// or https://"),
        ("url", "", "Give the organisation's website."),
        ("name", "", "Give the organisation's name."),
        ("logo_url", "ftp://example.org/logo.png", "Only web addresses starting with http:// or https://"),
        ("contact_email", "nobody", "This is not a valid email address."),
    ],
)
def test_invalid_details_are_refused(client, login_as, db_session, field, value, message):
    login_as(Role.ADMIN)

    response = client.post("/admin/organisation", data={**DETAILS, field: value})

    assert response.status_code == 422
    assert message in (field_error(response, field) or "")
    assert saved(db_session) is None


def test_the_audit_history_records_the_change(client, login_as, db_session):
    admin = login_as(Role.ADMIN)
    client.post("/admin/organisation", data=DETAILS)
    client.post("/admin/organisation", data={**DETAILS, "name": "Verification Desk"})

    rows = audit_rows(db_session, "organisation")

    assert [change.operation for _changeset, change in rows] == ["INSERT", "UPDATE"]
    assert all(changeset.actor_id == admin.id for changeset, _change in rows)
    assert rows[1][1].changes["name"] == ["The Verification Desk", "Verification Desk"]
    # And the audit log page shows it.
    log = text(client.get("/audit/?record=organisation"))
    assert "Verification Desk" in log and admin.name in log
