"""axe-core in Chromium on every kind of public page: no serious or critical accessibility violation.

Each page is loaded through the real app (its stylesheet and strict
Content-Security-Policy included, see conftest.serve_app), then axe-core runs
in it. axe is injected with ``page.evaluate`` (the DevTools protocol), which the
page's CSP does not govern, so the page is tested exactly as readers get it:
no ``bypass_csp``, no inline script. Colour contrast is measured on the
rendered page, so it is part of the check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.audit.changesets import Actor, set_actor
from factcheck.claims.models import Appearance
from factcheck.documents.models import Document
from factcheck.organisation.models import Organisation
from factcheck.publishing import operations
from factcheck.publishing.models import PublicationKind
from tests.browser.axe import axe_path
from tests.browser.conftest import ORIGIN, serve_app
from tests.public.conftest import CheckBuilder, clock_at

pytestmark = pytest.mark.slow

# The impacts that fail the test; "moderate" and "minor" findings are printed but pass.
FAILING_IMPACTS = ("serious", "critical")

ARTICLE = (
    "BRUSSELS — NATO Secretary-General Jens Stoltenberg said on Friday that Russia's 9M729 missile "
    "violates the Intermediate-Range Nuclear Forces Treaty.\n\n"
    "The Russian ministry insisted the missile's range is 480 km, below the treaty's limit. "
    "It said the Aegis Ashore site in Romania could fire cruise missiles.\n\n"
    "Allies gave Moscow 60 days to return to compliance."
)
# A tiny logo, same origin in the CSP's eyes (img-src allows data:).
LOGO = (
    "data:image/svg+xml;base64,"
    "PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnIHdpZHRoPSc0OCcgaGVpZ2h0PSc0OCc+"
    "PHJlY3Qgd2lkdGg9JzQ4JyBoZWlnaHQ9JzQ4JyBmaWxsPScjMGI1Y2FkJy8+PC9zdmc+"
)


@dataclass
class Site:
    plain: str
    corrected: str
    retracted: str
    document_id: int


def build_site(db: Session, make_user: Callable[..., User]) -> Site:
    """Published checks in every state, a document that quotes them, and the organisation's details."""
    builder = CheckBuilder(db, make_user)
    set_actor(db, Actor.system("test setup", "test"))
    db.add(
        Organisation(
            id=1,
            name="Treaty Watch",
            url="https://treatywatch.example.org/",
            logo_url=LOGO,
            contact_email="desk@treatywatch.example.org",
            about="We check claims about **arms control**. We are funded by [our readers](https://treatywatch.example.org/members).",
            corrections_policy="We correct errors openly and date every change.\n\n- Corrections\n- Updates",
        )
    )
    text = ARTICLE
    document = Document(
        title="NATO chief warns Russia over missile",
        outlet="Example Daily",
        author="Jane Reporter",
        published_on=date(2019, 2, 1),
        url="https://daily.example.org/nato-missile",
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
    db.add(document)
    db.commit()

    def in_document(quote: str, **overrides: Any) -> Any:
        claim = builder.draft(appearances=(), slug=overrides.pop("slug"), **overrides)
        set_actor(db, Actor.system("test setup", "test"))
        claim.appearances.append(Appearance(document=document, quote_exact=quote))
        claim.appearances.append(Appearance(url="https://tv.example.org/interview", quote_exact=quote))
        db.commit()
        set_actor(db, Actor.for_user(builder.publisher, origin="test"))
        with clock_at(datetime(2019, 2, 2, tzinfo=UTC)):
            operations.publish(db, claim, builder.publisher)
        db.commit()
        return claim

    plain = in_document(
        "Russia's 9M729 missile violates the Intermediate-Range Nuclear Forces Treaty",
        slug="nato-says-9m729-violates-inf",
        label="true",
        headline="Yes: NATO allies found the 9M729 breaches the INF Treaty",
    )
    corrected = in_document(
        "the missile's range is 480 km",
        slug="the-9m729-range-is-not-480-km",
        headline="The 9M729's range is not 480 km, NATO allies say",
    )
    retracted = in_document(
        "range is 480 km, below the treaty's limit",
        slug="the-range-is-below-the-limit",
        label="unverifiable",
        headline="The range cannot be checked",
    )
    builder.revise(
        corrected,
        PublicationKind.CORRECTION,
        "We said the deadline was set by NATO; it was set by the United States.",
        published_at=datetime(2019, 2, 3, tzinfo=UTC),
        label="mostly-false",
    )
    builder.revise(
        retracted,
        PublicationKind.RETRACTION,
        "We could not confirm who made this claim, so we withdraw the check.",
        published_at=datetime(2019, 2, 4, tzinfo=UTC),
    )
    return Site(plain.slug, corrected.slug, retracted.slug, document.id)


PAGES: dict[str, Callable[[Site], str]] = {
    "index": lambda site: "/checks/",
    "index-search": lambda site: "/checks/?q=range",
    "verdict": lambda site: f"/checks/{site.plain}",
    "corrected-verdict": lambda site: f"/checks/{site.corrected}",
    "retracted-verdict": lambda site: f"/checks/{site.retracted}",
    "revision": lambda site: f"/checks/{site.corrected}/revisions/1",
    "methodology": lambda site: "/methodology",
    "corrections": lambda site: "/corrections",
    "about": lambda site: "/about",
    "transparency": lambda site: "/transparency/",
    "annotated-document": lambda site: f"/read/{site.document_id}",
    "suggest": lambda site: "/suggest",
    "report-error": lambda site: f"/checks/{site.plain}/report-error",
    "not-found": lambda site: "/checks/no-such-check",
}


def describe(violations: list[dict[str, Any]]) -> str:
    """axe's findings as a reader can act on them: rule, impact, what to fix, where."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:8]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def run_axe(page: Any) -> list[dict[str, Any]]:
    # Through the DevTools protocol: the page's CSP (script-src 'self') does not apply to it.
    page.evaluate(Path(axe_path()).read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


@pytest.fixture
def site(db_session: Session, make_user: Callable[..., User]) -> Site:
    return build_site(db_session, make_user)


@pytest.mark.parametrize("kind", list(PAGES))
def test_public_page_has_no_serious_accessibility_violations(
    kind: str, browser_page: Any, app: Any, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    axe_path()  # skip (or fail in CI) before loading anything when axe-core is unavailable
    page = browser_page
    serve_app(page, app.test_client())
    path = PAGES[kind](site)
    response = page.goto(f"{ORIGIN}{path}")
    assert response is not None
    if kind == "not-found":
        assert response.status == 404, path
        # Chromium logs every 404 it loads; here it is the point.
        page.errors[:] = [error for error in page.errors if "status of 404" not in error]
    else:
        assert response.status == 200, path
    violations = run_axe(page)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    others = [v for v in violations if v["impact"] not in FAILING_IMPACTS]
    if others:
        with capsys.disabled():
            print(f"\n{path}: axe findings below 'serious' (not failing):\n{describe(others)}")
    assert not failing, f"{path}: axe found serious or critical violations:\n{describe(failing)}"


def test_the_check_reports_what_axe_finds(browser_page: Any, app: Any, site: Site) -> None:
    """The harness itself: a violation added to a good page is found and described."""
    axe_path()
    page = browser_page
    serve_app(page, app.test_client())
    page.goto(f"{ORIGIN}/methodology")
    page.evaluate("() => document.querySelector('main').appendChild(document.createElement('img'))")
    failing = [v for v in run_axe(page) if v["impact"] in FAILING_IMPACTS]
    assert [v["id"] for v in failing] == ["image-alt"]
    assert "Images must have alternative text" in describe(failing)
