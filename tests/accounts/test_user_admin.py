"""The admin pages for users: who may see them, and what they store."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from factcheck.accounts.models import Role, User
from tests.accounts.helpers import login_sessions, stored_user
from tests.conftest import PASSWORD
from tests.helpers import field_error, text

NEW_PASSWORD = "a long enough password"


def new_user_form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Nadia Newcomer",
        "email": "nadia@example.org",
        "role": "editor",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def user_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(User))


# --- who may see them ------------------------------------------------------------


ADMIN_PAGES = ["/admin/users/", "/admin/users/new", "/admin/users/{id}"]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR])
def test_non_admins_are_refused(client, login_as, db_session, role):
    user = login_as(role)
    for page in ADMIN_PAGES:
        assert client.get(page.format(id=user.id)).status_code == 403
    assert client.post("/admin/users/new", data=new_user_form()).status_code == 403
    assert client.post(f"/admin/users/{user.id}", data={"role": "admin"}).status_code == 403
    assert stored_user(db_session, user).role == role
    assert db_session.scalar(select(User).where(User.email == "nadia@example.org")) is None


def test_refusal_page_explains_itself(client, login_as):
    login_as(Role.EDITOR)
    response = client.get("/admin/users/")
    assert "You do not have permission to see this page." in text(response)


def test_anonymous_visitors_are_sent_to_login(client, make_user):
    user = make_user()
    for page in ADMIN_PAGES:
        path = page.format(id=user.id)
        response = client.get(path)
        assert response.status_code == 302
        assert response.location == f"/login?next={path}"
    response = client.post("/admin/users/new", data=new_user_form())
    assert response.status_code == 302
    assert response.location == "/login"


def test_unknown_user_is_404_for_admins(client, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/users/999999").status_code == 404
    assert client.post("/admin/users/999999", data={"role": "admin"}).status_code == 404


def test_non_admins_cannot_probe_which_users_exist(client, login_as):
    login_as(Role.EDITOR)
    assert client.get("/admin/users/999999").status_code == 403


# --- the list ----------------------------------------------------------------------


def test_admin_lists_users_active_first(client, login_as, make_user):
    admin = login_as(Role.ADMIN)
    gone = make_user(Role.EDITOR, name="Aaron Departed", disabled=True)
    reviewer = make_user(Role.REVIEWER, name="Zoe Reviewer")

    response = client.get("/admin/users/")

    assert response.status_code == 200
    page = text(response)
    for user in (admin, gone, reviewer):
        assert user.email in page
        assert f"/admin/users/{user.id}" in page
    assert page.index(reviewer.name) < page.index(gone.name)
    assert "Disabled" in page
    assert "never" in page  # nobody but the admin has signed in


def test_names_are_shown_as_text_not_markup(client, login_as, make_user):
    login_as(Role.ADMIN)
    make_user(Role.REVIEWER, name="<script>alert(1)</script>")
    page = text(client.get("/admin/users/"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_list_never_shows_password_hashes(client, login_as):
    login_as(Role.ADMIN)
    assert "$argon2" not in text(client.get("/admin/users/"))


# --- creating users ------------------------------------------------------------------


def test_admin_creates_a_user(client, login_as, db_session):
    login_as(Role.ADMIN)
    assert client.get("/admin/users/new").status_code == 200

    response = client.post("/admin/users/new", data=new_user_form(email="Nadia@Example.ORG"))

    assert response.status_code == 302
    assert response.location == "/admin/users/"
    created = db_session.scalar(select(User).where(User.email == "nadia@example.org"))
    assert created is not None
    assert created.name == "Nadia Newcomer"
    assert created.role == Role.EDITOR
    assert created.is_disabled is False
    assert created.last_login_at is None
    assert created.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in created.password_hash
    assert PasswordHasher().verify(created.password_hash, NEW_PASSWORD)
    assert "Created Nadia Newcomer (Editor)." in text(client.get("/admin/users/"))


def test_created_user_can_sign_in(app, client, login_as):
    login_as(Role.ADMIN)
    client.post("/admin/users/new", data=new_user_form(role="reviewer"))

    newcomer = app.test_client()
    response = newcomer.post("/login", data={"email": "nadia@example.org", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert newcomer.get("/admin/users/").status_code == 403


def test_new_user_form_defaults_to_reviewer(client, login_as):
    login_as(Role.ADMIN)
    page = text(client.get("/admin/users/new"))
    assert '<option selected value="reviewer">Reviewer</option>' in page


def test_duplicate_email_is_reported_next_to_the_email(client, login_as, db_session):
    admin = login_as(Role.ADMIN)
    before = user_count(db_session)

    response = client.post("/admin/users/new", data=new_user_form(email=admin.email.upper()))

    assert response.status_code == 422
    assert field_error(response, "email") == f"A user with the email {admin.email} already exists."
    assert field_error(response, "password") is None
    assert user_count(db_session) == before
    # What was typed is kept, except the passwords.
    assert 'value="Nadia Newcomer"' in text(response)
    assert NEW_PASSWORD not in text(response)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Use at least 10 characters."),
        (" padded password ", "The password must not start or end with spaces."),
    ],
)
def test_weak_password_is_reported_next_to_the_password(client, login_as, db_session, password, message):
    login_as(Role.ADMIN)
    before = user_count(db_session)
    response = client.post("/admin/users/new", data=new_user_form(password=password, confirm=password))
    assert response.status_code == 422
    assert field_error(response, "password") == message
    assert user_count(db_session) == before


def test_invalid_email_is_reported_next_to_the_email(client, login_as, db_session):
    login_as(Role.ADMIN)
    before = user_count(db_session)
    response = client.post("/admin/users/new", data=new_user_form(email="not-an-email"))
    assert response.status_code == 422
    assert field_error(response, "email").startswith("Not a valid email address")
    assert user_count(db_session) == before


def test_mismatched_confirmation_is_reported(client, login_as, db_session):
    login_as(Role.ADMIN)
    before = user_count(db_session)
    response = client.post("/admin/users/new", data=new_user_form(confirm="a different password"))
    assert response.status_code == 422
    assert field_error(response, "confirm") == "The passwords differ."
    assert user_count(db_session) == before


@pytest.mark.parametrize("field", ["name", "email", "password"])
def test_required_fields(client, login_as, db_session, field):
    login_as(Role.ADMIN)
    before = user_count(db_session)
    response = client.post(
        "/admin/users/new", data=new_user_form(**{field: "   " if field == "name" else ""})
    )
    assert response.status_code == 422
    assert field_error(response, field) == "This field is required."
    assert user_count(db_session) == before


@pytest.mark.parametrize("field", ["name", "email"])
def test_nul_characters_are_refused(client, login_as, db_session, field):
    login_as(Role.ADMIN)
    before = user_count(db_session)
    response = client.post("/admin/users/new", data=new_user_form(**{field: "nadia\x00@example.org"}))
    assert response.status_code == 422
    assert field_error(response, field) == "This contains a character that is not allowed."
    assert user_count(db_session) == before


def test_unknown_role_is_refused(client, login_as, db_session):
    login_as(Role.ADMIN)
    before = user_count(db_session)
    response = client.post("/admin/users/new", data=new_user_form(role="owner"))
    assert response.status_code == 422
    assert field_error(response, "role") == "Not a valid choice."
    assert user_count(db_session) == before


# --- editing users ------------------------------------------------------------------


def test_edit_page_shows_the_current_state(client, login_as, make_user):
    login_as(Role.ADMIN)
    editor = make_user(Role.EDITOR, disabled=True)
    page = text(client.get(f"/admin/users/{editor.id}"))
    assert editor.email in page
    assert '<option selected value="editor">Editor</option>' in page
    assert '<input checked id="is_disabled" name="is_disabled" type="checkbox" value="y">' in page


def test_admin_changes_a_role(client, login_as, make_user, db_session):
    login_as(Role.ADMIN)
    reviewer = make_user(Role.REVIEWER)

    response = client.post(f"/admin/users/{reviewer.id}", data={"role": "editor"})

    assert response.status_code == 302
    assert response.location == "/admin/users/"
    stored = stored_user(db_session, reviewer)
    assert stored.role == Role.EDITOR
    assert stored.is_disabled is False
    assert f"Saved {reviewer.name}: Editor, active." in text(client.get("/admin/users/"))


def test_admin_demotes_another_admin(client, login_as, make_user, db_session):
    login_as(Role.ADMIN)
    other = make_user(Role.ADMIN)
    assert client.post(f"/admin/users/{other.id}", data={"role": "reviewer"}).status_code == 302
    assert stored_user(db_session, other).role == Role.REVIEWER


def test_admin_disables_a_user_and_their_sessions_end(app, client, login_as, make_user, db_session):
    login_as(Role.ADMIN)
    editor = make_user(Role.EDITOR)
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": editor.email, "password": PASSWORD})
    assert elsewhere.get("/account").status_code == 200

    response = client.post(f"/admin/users/{editor.id}", data={"role": "editor", "is_disabled": "y"})

    assert response.status_code == 302
    assert stored_user(db_session, editor).is_disabled is True
    [record] = login_sessions(db_session, editor)
    assert record.ended_at is not None
    assert elsewhere.get("/account").status_code == 302
    assert elsewhere.post("/login", data={"email": editor.email, "password": PASSWORD}).status_code == 422


def test_admin_reenables_a_user(client, login_as, make_user, db_session):
    login_as(Role.ADMIN)
    gone = make_user(Role.REVIEWER, disabled=True)
    assert client.post(f"/admin/users/{gone.id}", data={"role": "reviewer"}).status_code == 302
    assert stored_user(db_session, gone).is_disabled is False


def test_admin_cannot_disable_themselves(client, login_as, make_user, db_session):
    admin = login_as(Role.ADMIN)
    make_user(Role.ADMIN)  # not the last admin: the rule holds anyway

    response = client.post(f"/admin/users/{admin.id}", data={"role": "admin", "is_disabled": "y"})

    assert response.status_code == 422
    assert field_error(response, "is_disabled") == "You cannot disable your own account."
    assert stored_user(db_session, admin).is_disabled is False
    assert client.get("/admin/users/").status_code == 200


def test_admin_cannot_demote_themselves(client, login_as, make_user, db_session):
    admin = login_as(Role.ADMIN)
    make_user(Role.ADMIN)

    response = client.post(f"/admin/users/{admin.id}", data={"role": "editor"})

    assert response.status_code == 422
    assert field_error(response, "role") == "You cannot remove your own admin role; ask another admin."
    assert stored_user(db_session, admin).role == Role.ADMIN


def test_last_admin_cannot_demote_or_disable_themselves(client, login_as, db_session):
    admin = login_as(Role.ADMIN)

    response = client.post(f"/admin/users/{admin.id}", data={"role": "reviewer", "is_disabled": "y"})

    assert response.status_code == 422
    assert field_error(response, "role")
    assert field_error(response, "is_disabled")
    stored = stored_user(db_session, admin)
    assert stored.role == Role.ADMIN
    assert stored.is_disabled is False


def test_saving_yourself_unchanged_is_fine(client, login_as, db_session):
    admin = login_as(Role.ADMIN)
    assert client.post(f"/admin/users/{admin.id}", data={"role": "admin"}).status_code == 302
    assert stored_user(db_session, admin).role == Role.ADMIN
