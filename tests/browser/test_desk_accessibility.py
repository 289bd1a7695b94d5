"""axe-core in Chromium on every page of the desk, as every role that may open it.

The desk's pages are enumerated from the app's url_map: every GET route whose
view is not public (see factcheck.security.permissions) is a desk page, and must
either have an address below (``DESK_PAGES``) or a reason not to be checked
(``NOT_PAGES``: downloads and the like). A new page without either fails
``test_every_desk_page_is_checked``, so none can be forgotten.

The roles that may open a page follow from the permission its view declares
(``MINIMUM_ROLE``); each of them loads it once, signed in through one test
client per role, in one browser page, over the demo data (``factcheck demo``)
plus what the demo lacks (a comment, a reader's report, a webhook and its delivery).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role, User
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims import merging
from factcheck.claims.models import Claim, ClaimState
from factcheck.discussion.operations import add_comment
from factcheck.documents.models import Document
from factcheck.publishing.models import Publication
from factcheck.security.permissions import MINIMUM_ROLE, PUBLIC, Permission, declared_access
from factcheck.sources.models import Source
from factcheck.submissions import operations as submissions
from factcheck.webhooks import operations as webhooks
from tests.browser.axe import axe_path
from tests.browser.conftest import ORIGIN, serve_app
from tests.browser.test_accessibility import FAILING_IMPACTS, describe, run_axe

pytestmark = pytest.mark.slow

DEMO_PASSWORDS = {
    Role.REVIEWER: ("anna@example.org", "demo-reviewer-password"),
    Role.EDITOR: ("editor@example.org", "demo-editor-password"),
    Role.ADMIN: ("admin@example.org", "demo-admin-password"),
}


@dataclass
class Desk:
    """The records the desk's addresses point at."""

    published: Claim
    researching: Claim
    in_review: Claim
    ready: Claim
    document: Document
    source: Source
    comment_id: int
    revision: int
    submission_id: int
    user_id: int
    endpoint_id: int
    delivery_id: int
    merged: Claim


# Endpoint -> the address that shows it with the demo data.
DESK_PAGES: dict[str, Callable[[Desk], str]] = {
    "main.home": lambda d: "/",
    "accounts.account": lambda d: "/account",
    "audit.chain_status": lambda d: "/admin/audit",
    "audit.security_log": lambda d: "/admin/security-log",
    "audit.log": lambda d: "/audit/",
    "jobs.index": lambda d: "/admin/jobs/",
    "organisation.edit": lambda d: "/admin/organisation",
    "rating_scale.index": lambda d: "/admin/rating-scale",
    "rating_scale.edit": lambda d: f"/admin/rating-scale/{d.published.verdict.label_id}",
    "user_admin.index": lambda d: "/admin/users/",
    "user_admin.create": lambda d: "/admin/users/new",
    "user_admin.edit": lambda d: f"/admin/users/{d.user_id}",
    "webhooks.index": lambda d: "/admin/webhooks/",
    "webhooks.create": lambda d: "/admin/webhooks/new",
    "webhooks.show": lambda d: f"/admin/webhooks/{d.endpoint_id}",
    "webhooks.delivery": lambda d: f"/admin/webhooks/deliveries/{d.delivery_id}",
    "claims.index": lambda d: "/claims/",
    "claims.my_work": lambda d: "/claims/mine",
    "claims.capture": lambda d: "/claims/capture",
    "claims.capture_from_document": lambda d: f"/claims/capture/document/{d.document.id}",
    "claims.show": lambda d: f"/claims/{d.published.id}",
    "claims.edit": lambda d: f"/claims/{d.researching.id}/edit",
    "claims.history": lambda d: f"/claims/{d.published.id}/history",
    "claims.revision": lambda d: f"/claims/{d.published.id}/revisions/{d.revision}",
    "claims.add_appearance": lambda d: f"/claims/{d.researching.id}/appearances/new",
    "discussion.add": lambda d: f"/claims/{d.published.id}/comments/new",
    "discussion.edit": lambda d: f"/claims/{d.published.id}/comments/{d.comment_id}/edit",
    "discussion.remove": lambda d: f"/claims/{d.published.id}/comments/{d.comment_id}/remove",
    "dossier.show": lambda d: f"/claims/{d.published.id}/dossier",
    "ratings.rate": lambda d: f"/claims/{d.in_review.id}/rating",
    "verdicts.edit": lambda d: f"/claims/{d.in_review.id}/verdict",
    "publishing.publish": lambda d: f"/claims/{d.ready.id}/publish",
    "publishing.revise": lambda d: f"/claims/{d.published.id}/revise",
    "sources.add": lambda d: f"/claims/{d.researching.id}/sources/new",
    "sources.edit": lambda d: f"/claims/{d.source.claim_id}/sources/{d.source.id}/edit",
    "sources.remove": lambda d: f"/claims/{d.source.claim_id}/sources/{d.source.id}/remove",
    "documents.index": lambda d: "/documents/",
    "documents.new": lambda d: "/documents/new",
    "documents.show": lambda d: f"/documents/{d.document.id}",
    "documents.edit": lambda d: f"/documents/{d.document.id}/edit",
    "claims.merge": lambda d: f"/claims/{d.researching.id}/merge",
    "claims.undo_merge": lambda d: f"/claims/{d.merged.id}/merge/undo",
    "notifications.index": lambda d: "/notifications/",
    "exports.index": lambda d: "/exports/",
    "reports.team": lambda d: "/reports/team",
    "search.index": lambda d: "/search/?q=missile",
    "submissions.queue": lambda d: "/desk/submissions",
    "submissions.show": lambda d: f"/desk/submissions/{d.submission_id}",
}

# Desk routes that are not pages a person reads, with the reason.
NOT_PAGES: dict[str, str] = {
    "audit.export_csv": "a download (CSV file)",
    "audit.export_json": "a download (JSON file)",
    "audit.export_ndjson": "a download (NDJSON file)",
    "audit.export_xlsx": "a download (XLSX workbook)",
    "dossier.pdf": "a download (PDF file)",
    "documents.original": "a download (the uploaded PDF, as an attachment)",
    "exports.claim_record": "a download (JSON file)",
    "archive.download": "a download (WARC file)",
    "archive.page": "someone else's page as it was archived, shown sandboxed and unchanged",
    "exports.claims": "a download (the export file)",
    "reports.team_pdf": "a download (PDF file)",
    "reports.team_xlsx": "a download (XLSX workbook)",
}


def desk_endpoints(app: Flask) -> dict[str, Permission]:
    """Every GET endpoint whose view is not public, with the permission it declares.

    The JSON API (its own bearer-token gate, no HTML) and static files are not pages."""
    found: dict[str, Permission] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static" or rule.endpoint.startswith("api."):
            continue
        access = declared_access(app.view_functions[rule.endpoint])
        if access == PUBLIC and rule.endpoint != "main.home":
            continue
        found[rule.endpoint] = Permission.USE_ACCOUNT if access == PUBLIC else Permission(access)
    return found


def roles_for(permission: Permission) -> list[Role]:
    return [role for role in Role if role.rank >= MINIMUM_ROLE[permission].rank]


def test_every_desk_page_is_checked(app: Flask) -> None:
    endpoints = set(desk_endpoints(app))
    unchecked = endpoints - set(DESK_PAGES) - set(NOT_PAGES)
    assert not unchecked, f"desk pages with neither an axe check nor a reason to skip: {sorted(unchecked)}"
    # Nothing listed that the app no longer has.
    assert not (set(DESK_PAGES) | set(NOT_PAGES)) - endpoints


def build_desk(db: Session, app: Flask) -> Desk:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output

    def claim_in(state: ClaimState) -> Claim:
        return db.scalars(select(Claim).where(Claim.state == state).order_by(Claim.id)).first()

    published = claim_in(ClaimState.PUBLISHED)
    users = {user.email: user for user in db.scalars(select(User))}
    anna, ada = users["anna@example.org"], users["admin@example.org"]
    # Anna's own source and comment: a reviewer may edit and remove those.
    source = db.scalars(select(Source).where(Source.created_by_id == anna.id).order_by(Source.id)).first()
    set_actor(db, Actor.for_user(anna, origin="test"))
    comment = add_comment(
        db, anna, published, "The NATO statement of 4 December 2018 says *all* allies agreed."
    )
    set_actor(db, submissions.reader_actor())
    report = submissions.report_error(
        db,
        published,
        1,
        submissions.ReaderValues(text="The statement was made on 4 December 2018, not 5 December."),
    )
    set_actor(db, Actor.for_user(ada, origin="test"))
    endpoint, _secret = webhooks.create_endpoint(
        db,
        ada,
        webhooks.EndpointValues(url="https://hooks.example.org/factcheck", events=["claim.published"]),
        allow_private=False,
    )
    delivery = webhooks.ping(db, ada, endpoint)
    # A duplicate merged into the claim being researched, for the undo page.
    merged = claim_in(ClaimState.NEW)
    elena = users["editor@example.org"]
    set_actor(db, Actor.for_user(elena, origin="test"))
    merging.merge(
        db, elena, merged, claim_in(ClaimState.RESEARCHING), "Captured twice from the same article."
    )
    db.commit()
    revision = db.scalar(select(Publication.revision).where(Publication.claim_id == published.id).limit(1))
    return Desk(
        published=published,
        researching=claim_in(ClaimState.RESEARCHING),
        in_review=claim_in(ClaimState.IN_REVIEW),
        ready=claim_in(ClaimState.READY),
        document=db.scalars(select(Document)).first(),
        source=source,
        comment_id=comment.id,
        revision=revision,
        submission_id=report.id,
        user_id=users["boris@example.org"].id,
        endpoint_id=endpoint.id,
        delivery_id=delivery.id,
        merged=merged,
    )


@pytest.fixture
def desk(db_session: Session, app: Flask) -> Desk:
    return build_desk(db_session, app)


@pytest.fixture
def signed_in(app: Flask) -> Iterator[Callable[[Role], Any]]:
    """A test client per role, signed in once as the demo account of that role."""
    clients: dict[Role, Any] = {}

    def client_for(role: Role) -> Any:
        if role not in clients:
            client = app.test_client()
            email, password = DEMO_PASSWORDS[role]
            response = client.post("/login", data={"email": email, "password": password})
            assert response.status_code == 302, response.get_data(as_text=True)
            clients[role] = client
        return clients[role]

    yield client_for


def test_every_desk_page_has_no_serious_accessibility_violations(
    browser_page: Any,
    app: Flask,
    desk: Desk,
    signed_in: Callable[[Role], Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    axe_path()  # skip (or fail in CI) before loading anything when axe-core is unavailable
    page = browser_page
    failures: list[str] = []
    findings: list[str] = []
    for role in Role:
        client = signed_in(role)
        serve_app(page, client)
        for endpoint, permission in sorted(desk_endpoints(app).items()):
            if endpoint in NOT_PAGES or role not in roles_for(permission):
                continue
            path = DESK_PAGES[endpoint](desk)
            # Straight from the app first: a redirect or a refusal would hide the page from axe.
            status = client.get(path).status_code
            if status != 200:
                failures.append(f"{path} as {role}: status {status}")
                continue
            page.goto(f"{ORIGIN}{path}")
            violations = run_axe(page)
            failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
            others = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
            if failing:
                failures.append(f"{path} as {role}:\n{describe(failing)}")
            if others:
                findings.append(f"{path} as {role}:\n{describe(others)}")
        page.unroute(f"{ORIGIN}/**")
    if findings:
        with capsys.disabled():
            print("\naxe findings below 'serious' (not failing):\n" + "\n".join(findings))
    assert not failures, "desk pages with serious or critical violations:\n" + "\n".join(failures)
