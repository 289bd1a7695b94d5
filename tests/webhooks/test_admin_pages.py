"""The admins' webhook and job pages: who may see them, registering an endpoint, the ping, CSRF."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from factcheck.accounts.models import Role
from factcheck.audit.models import AuditChange
from factcheck.jobs.runner import run_all
from factcheck.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookSecret
from tests.conftest import PASSWORD, AuthActions
from tests.helpers import csrf_token, text
from tests.webhooks.receiver import running_receiver

PAGES = ["/admin/webhooks/", "/admin/webhooks/new", "/admin/jobs/", "/admin/jobs/?state=queued"]


def new_endpoint(client, url: str, events: list[str], **extra) -> object:
    return client.post("/admin/webhooks/new", data={"url": url, "events": events, "is_active": "y", **extra})


def stored_endpoint(db_session) -> WebhookEndpoint:
    db_session.expire_all()
    [endpoint] = db_session.scalars(select(WebhookEndpoint)).all()
    return endpoint


@pytest.mark.parametrize("page", PAGES)
def test_admins_see_the_pages(client, login_as, page):
    login_as(Role.ADMIN)
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
@pytest.mark.parametrize("page", PAGES)
def test_editors_and_reviewers_are_refused(client, login_as, role, page):
    login_as(role)
    assert client.get(page).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_editors_cannot_register_an_endpoint(client, login_as, db_session):
    login_as(Role.EDITOR)
    response = new_endpoint(client, "https://hooks.example.org/in", ["claim.published"])
    assert response.status_code == 403
    assert db_session.scalars(select(WebhookEndpoint)).all() == []


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(client, login_as, db_session):
    login_as(Role.ADMIN)
    response = new_endpoint(client, "https://hooks.example.org/in", ["claim.published", "claim.retracted"])
    assert response.status_code == 200
    endpoint = stored_endpoint(db_session)
    secret = db_session.get(WebhookSecret, endpoint.id).secret
    assert secret.startswith("whsec_")
    assert secret in text(response) and "not shown again" in text(response)
    assert (endpoint.url, endpoint.events) == (
        "https://hooks.example.org/in",
        ["claim.published", "claim.retracted"],
    )

    # Afterwards only its beginning is shown.
    page = text(client.get(f"/admin/webhooks/{endpoint.id}"))
    assert endpoint.secret_hint in page and secret not in page
    assert secret not in text(client.get("/admin/webhooks/"))

    # The endpoint is in the audit history; its secret is not.
    changes = db_session.scalars(
        select(AuditChange).where(AuditChange.table_name == "webhook_endpoints")
    ).all()
    assert changes, "registering an endpoint is audited"
    history = db_session.scalars(select(AuditChange)).all()
    assert not any(secret in repr((change.row_key, change.changes)) for change in history)


def test_an_admin_may_give_a_secret_of_the_right_form(client, login_as, db_session):
    login_as(Role.ADMIN)
    response = new_endpoint(client, "https://hooks.example.org/in", ["claim.published"], secret="hunter2")
    assert response.status_code == 422
    assert "a secret starts with whsec_" in text(response)
    given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    response = new_endpoint(client, "https://hooks.example.org/in", ["claim.published"], secret=given)
    assert response.status_code == 200
    assert db_session.get(WebhookSecret, stored_endpoint(db_session).id).secret == given


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("ftp://hooks.example.org/in", ["claim.published"], "only http and https addresses are allowed"),
        ("https://user:pw@hooks.example.org/in", ["claim.published"], "must not carry a user name"),
        ("https://hooks.example.org/in", [], "Choose at least one event"),
        ("https://hooks.example.org/in", ["claim.deleted"], "not a valid choice"),
    ],
)
def test_a_wrong_endpoint_is_refused_with_the_reason(client, login_as, db_session, url, events, message):
    login_as(Role.ADMIN)
    response = new_endpoint(client, url, events)
    assert response.status_code == 422
    assert message in text(response)
    assert db_session.scalars(select(WebhookEndpoint)).all() == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/in", "http://10.1.2.3/in", "http://[::1]/in", "http://169.254.169.254/latest"],
)
def test_a_private_address_is_refused_unless_allowed(make_app, make_user, db_session, url):
    strict = make_app(OUTGOING_ALLOW_PRIVATE_ADDRESSES=False).test_client()
    AuthActions(strict).login(make_user(Role.ADMIN).email)
    response = new_endpoint(strict, url, ["claim.published"])
    assert response.status_code == 422
    assert "private or local" in text(response)
    assert db_session.scalars(select(WebhookEndpoint)).all() == []


def test_the_test_ping_is_delivered_and_shown_with_its_answer(app, client, login_as, db_session):
    login_as(Role.ADMIN)
    with running_receiver() as receiver:
        new_endpoint(client, receiver.url, ["claim.published"])
        endpoint = stored_endpoint(db_session)
        receiver.secret = db_session.get(WebhookSecret, endpoint.id).secret
        response = client.post(f"/admin/webhooks/{endpoint.id}/ping")
        assert response.status_code == 302
        assert run_all(app) == 1
    [request] = receiver.received
    assert request.verified and request.payload["type"] == "webhook.ping"
    [delivery] = db_session.scalars(select(WebhookDelivery)).all()
    assert delivery.status == DeliveryStatus.DELIVERED
    page = text(client.get(f"/admin/webhooks/{endpoint.id}"))
    assert "webhook.ping" in page and "Delivered" in page and "200" in page
    response = client.get(f"/admin/webhooks/deliveries/{delivery.id}")
    assert response.status_code == 200, text(response)[-3000:]
    detail = html.unescape(text(response))
    assert delivery.message_id in detail and '{"ok": true}' in detail


def test_a_new_secret_replaces_the_old_one(client, login_as, db_session):
    login_as(Role.ADMIN)
    new_endpoint(client, "https://hooks.example.org/in", ["claim.published"])
    endpoint = stored_endpoint(db_session)
    old = db_session.get(WebhookSecret, endpoint.id).secret
    response = client.post(f"/admin/webhooks/{endpoint.id}/secret")
    db_session.expire_all()
    new = db_session.get(WebhookSecret, endpoint.id).secret
    assert new != old and new in text(response)


def test_an_admin_edits_and_removes_an_endpoint(client, login_as, db_session):
    login_as(Role.ADMIN)
    new_endpoint(client, "https://hooks.example.org/in", ["claim.published"])
    endpoint = stored_endpoint(db_session)
    client.post(f"/admin/webhooks/{endpoint.id}/ping")
    response = client.post(
        f"/admin/webhooks/{endpoint.id}",
        data={"url": "https://hooks.example.org/v2", "events": ["claim.corrected"], "description": "Partner"},
    )
    assert response.status_code == 302
    endpoint = stored_endpoint(db_session)
    assert (endpoint.url, endpoint.events, endpoint.is_active) == (
        "https://hooks.example.org/v2",
        ["claim.corrected"],
        False,
    )
    assert client.post(f"/admin/webhooks/{endpoint.id}/delete").status_code == 302
    db_session.expire_all()
    assert db_session.scalars(select(WebhookEndpoint)).all() == []
    assert db_session.scalars(select(WebhookDelivery)).all() == []
    assert db_session.scalars(select(WebhookSecret)).all() == []


def test_the_forms_and_buttons_need_a_csrf_token(make_app, make_user, db_session):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    admin = make_user(Role.ADMIN)
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    page = client.get("/admin/webhooks/new")
    data = {"url": "https://hooks.example.org/in", "events": ["claim.published"]}
    assert client.post("/admin/webhooks/new", data=data).status_code == 403
    assert db_session.scalars(select(WebhookEndpoint)).all() == []
    assert (
        client.post("/admin/webhooks/new", data={**data, "csrf_token": csrf_token(page)}).status_code == 200
    )
    endpoint = stored_endpoint(db_session)
    assert client.post(f"/admin/webhooks/{endpoint.id}/ping").status_code == 403
    assert client.post("/admin/jobs/1/retry").status_code == 403
    assert db_session.scalars(select(WebhookDelivery)).all() == []


def test_a_failed_delivery_is_retried_from_its_page(make_app, db_session, team, add_endpoint):
    app = make_app(OUTGOING_ALLOW_PRIVATE_ADDRESSES=True, JOBS_MAX_ATTEMPTS=1)
    client = app.test_client()
    AuthActions(client).login(team["ada"].email)
    with running_receiver(statuses=[500]) as receiver:
        endpoint, receiver.secret = add_endpoint(receiver.url, ["claim.published"])
        client.post(f"/admin/webhooks/{endpoint.id}/ping")
        run_all(app)
        [delivery] = db_session.scalars(select(WebhookDelivery)).all()
        page = html.unescape(text(client.get(f"/admin/webhooks/deliveries/{delivery.id}")))
        assert "Failed" in page and "Retry this delivery" in page and "500" in page
        assert client.post(f"/admin/webhooks/deliveries/{delivery.id}/retry").status_code == 302
        assert run_all(app) == 1
    db_session.expire_all()
    assert db_session.get(WebhookDelivery, delivery.id).status == DeliveryStatus.DELIVERED
    # Retrying what is not failed is refused, and says so.
    response = client.post(f"/admin/webhooks/deliveries/{delivery.id}/retry", follow_redirects=True)
    assert "only a failed job can be retried" in html.unescape(text(response))
