"""Readers never see the desk: drafts, ratings, source notes, comments, assignments, unpublished edits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factcheck.audit.changesets import Actor, set_actor, set_reason
from factcheck.claims.models import Appearance, Claim
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.sources.models import Source
from tests.public.conftest import PRIVATE_MARKERS, label_of, when

PublishedCheck = Callable[..., Claim]
ReviseCheck = Callable[..., Publication]
UNPUBLISHED = "UNPUBLISHED-EDIT-3b9f"
# The search form, and the language switcher's links to the same search in other languages.
SEARCH_FORM = re.compile(
    r'<form method="get" action="/checks/".*?</form>|<nav class="language-switcher".*?</nav>', re.S
)


def everything_public(client: FlaskClient, claim: Claim, *searches: str) -> dict[str, str]:
    """Every public response about ``claim``: its pages, the index (and searches), the feeds."""
    urls = [
        f"/checks/{claim.slug}",
        f"/checks/{claim.slug}/revisions/1",
        "/checks/",
        "/checks/feed.atom",
        "/sitemap.xml",
        "/claimreview.json",
        *(f"/checks/?q={search}" for search in searches),
    ]
    seen = {}
    for url in urls:
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url
        # The search form (and the switcher) show what was searched for; the rest is what was found.
        seen[url] = SEARCH_FORM.sub("", response.get_data(as_text=True))
    return seen


def edit_the_draft(db: Session, claim: Claim) -> None:
    """Change everything readers could see, without publishing."""
    set_actor(db, Actor.system("test editor", "test"))
    set_reason(db, "Working on an update.")
    claim.text = f"{UNPUBLISHED} claim text"
    claim.claimant = f"{UNPUBLISHED} claimant"
    claim.claimed_on = date(2001, 1, 1)
    assert claim.verdict is not None
    claim.verdict.headline = f"{UNPUBLISHED} headline"
    claim.verdict.summary = f"{UNPUBLISHED} summary"
    claim.verdict.explanation = f"{UNPUBLISHED} explanation"
    claim.verdict.label = label_of(db, "satire")
    claim.sources.append(Source(title=f"{UNPUBLISHED} source", url="https://unpublished.example.org/"))
    claim.appearances.append(
        Appearance(url="https://unpublished.example.org/appearance", quote_exact=UNPUBLISHED)
    )
    db.commit()


def test_unpublished_edits_and_desk_work_appear_nowhere_public(
    client: FlaskClient, db_session: Session, published_check: PublishedCheck
) -> None:
    claim = published_check(published_at=when(5))
    before = everything_public(client, claim)
    edit_the_draft(db_session, claim)

    after = everything_public(client, claim, UNPUBLISHED, UNPUBLISHED.lower(), "satire")
    for url, body in after.items():
        assert UNPUBLISHED not in body, url
        assert "unpublished.example.org" not in body, url
        assert "Satire" not in body, url
        for marker in PRIVATE_MARKERS:
            assert marker not in body, (url, marker)
        # The ratings' label ("Mostly true") is the desk's, not the published verdict's.
        assert "Mostly true" not in body, url
    # The public pages are byte for byte what they were.
    for url, body in before.items():
        assert after[url] == body, url
    # Searching for the unpublished words finds nothing.
    assert "0 fact checks found." in after[f"/checks/?q={UNPUBLISHED}"]
    assert "0 fact checks found." in after["/checks/?q=satire"]


def test_a_new_revision_publishes_the_edits_but_still_no_desk_work(
    client: FlaskClient, db_session: Session, published_check: PublishedCheck, revise_check: ReviseCheck
) -> None:
    claim = published_check(published_at=when(5))
    edit_the_draft(db_session, claim)
    revise_check(claim, PublicationKind.UPDATE, "We updated the whole check.", published_at=when(6))

    after = everything_public(client, claim)
    assert f"{UNPUBLISHED} headline" in after[f"/checks/{claim.slug}"]
    assert UNPUBLISHED not in after[f"/checks/{claim.slug}/revisions/1"]
    for url, body in after.items():
        for marker in PRIVATE_MARKERS:
            assert marker not in body, (url, marker)


@pytest.mark.parametrize("slug", ["a-draft-with-a-slug", None])
def test_drafts_are_not_public(
    client: FlaskClient, draft_check: Callable[..., Claim], published_check: PublishedCheck, slug: str | None
) -> None:
    published_check(published_at=when(5))
    draft = draft_check(
        slug=slug, text=f"{UNPUBLISHED} draft claim", headline=f"{UNPUBLISHED} draft headline"
    )
    if slug:
        assert client.get(f"/checks/{slug}").status_code == 404
        assert client.get(f"/checks/{slug}/revisions/1").status_code == 404
    assert client.get(f"/checks/{draft.id}").status_code == 404
    for url in [
        "/checks/",
        f"/checks/?q={UNPUBLISHED}",
        "/checks/feed.atom",
        "/sitemap.xml",
        "/claimreview.json",
    ]:
        body = SEARCH_FORM.sub("", client.get(url, buffered=True).get_data(as_text=True))
        assert UNPUBLISHED not in body, url
        assert "a-draft-with-a-slug" not in body, url
