"""The methodology, corrections and about pages, as an anonymous reader sees them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import Role
from factcheck.claims.models import Claim
from factcheck.organisation.models import Organisation
from factcheck.public import pages
from factcheck.publishing.models import Publication, PublicationKind
from factcheck.ratings.models import RatingLabel
from tests.claims.desk import page_text
from tests.public.conftest import when
from tests.public.reader import html_of


def save_organisation(db: Session, **values: Any) -> Organisation:
    row = Organisation(
        id=1,
        name=values.pop("name", "Treaty Watch"),
        url=values.pop("url", "https://treatywatch.example.org/"),
        **values,
    )
    db.add(row)
    db.commit()
    return row


# --- methodology -----------------------------------------------------------------


def test_methodology_lists_the_active_labels_in_order_with_their_definitions(
    client: FlaskClient, db_session: Session
) -> None:
    response = client.get("/methodology")
    assert response.status_code == 200
    html = html_of(response)
    labels = list(
        db_session.scalars(
            select(RatingLabel).where(RatingLabel.is_active.is_(True)).order_by(RatingLabel.position)
        )
    )
    assert [label.key for label in labels][:3] == ["false", "mostly-false", "misleading"]
    # Every label has its anchor, in position order, with its definition after it.
    anchors = re.findall(r'id="label-([a-z-]+)"', html)
    assert anchors == [label.key for label in labels]
    text = page_text(response)
    for label in labels:
        assert label.definition in text
    assert "False 1 of 5 The claim is inaccurate." in text
    assert "True 5 of 5 The claim is accurate and nothing significant is missing." in text
    assert "Unverifiable Not on the scale" in text
    assert "Satire Not on the scale" in text


def test_methodology_follows_the_admins_scale(client: FlaskClient, db_session: Session) -> None:
    satire = db_session.scalar(select(RatingLabel).where(RatingLabel.key == "satire"))
    unverifiable = db_session.scalar(select(RatingLabel).where(RatingLabel.key == "unverifiable"))
    assert satire is not None and unverifiable is not None
    satire.position = -1
    unverifiable.is_active = False
    db_session.add(
        RatingLabel(
            key="pants-on-fire", name="Pants on fire", value=None, definition="Ridiculous.", position=0
        )
    )
    db_session.commit()

    html = html_of(client.get("/methodology"))
    anchors = re.findall(r'id="label-([a-z-]+)"', html)
    assert anchors[:3] == ["satire", "pants-on-fire", "false"]
    assert "label-unverifiable" not in html
    assert "Ridiculous." in html


def test_methodology_explains_the_workflow_with_the_configured_rules(
    make_app: Callable[..., Flask],
) -> None:
    strict = page_text(make_app(MIN_RATINGS=3, FOUR_EYES=True).test_client().get("/methodology"))
    assert "At least 3 reviewers rate the claim" in strict
    assert "blind" in strict
    assert "primary sources" in strict
    assert "must not be its only author" in strict

    relaxed_response = make_app(MIN_RATINGS=1, FOUR_EYES=False).test_client().get("/methodology")
    relaxed = page_text(relaxed_response)
    assert "At least 1 reviewer rates the claim" in relaxed
    assert "must not be its only author" not in relaxed
    assert 'href="/corrections"' in html_of(relaxed_response)


# --- corrections -------------------------------------------------------------------


def test_corrections_page_has_a_default_policy_before_the_admin_writes_one(client: FlaskClient) -> None:
    response = client.get("/corrections")
    assert response.status_code == 200
    text = page_text(response)
    assert "We correct our mistakes openly." in text
    assert "We have not corrected, updated or retracted any fact check yet." in text


def test_corrections_policy_is_the_organisations_markdown_sanitised(
    client: FlaskClient, db_session: Session
) -> None:
    save_organisation(
        db_session,
        corrections_policy="We fix errors **fast**.\n\n<script>alert('policy')</script>\n\n[x](javascript:alert(1))",
    )
    html = html_of(client.get("/corrections"))
    assert "<strong>fast</strong>" in html
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "We correct our mistakes openly." not in html


def test_corrections_lists_every_later_revision_newest_first(
    client: FlaskClient,
    published_check: Callable[..., Claim],
    revise_check: Callable[..., Publication],
) -> None:
    first = published_check(headline="Range claim is false", published_at=when(1))
    second = published_check(
        headline="Deadline claim is misleading", label="misleading", published_at=when(2)
    )
    published_check(headline="Never corrected", published_at=when(3))
    revise_check(first, PublicationKind.CORRECTION, "We gave the wrong treaty date.", published_at=when(4))
    revise_check(
        second, PublicationKind.UPDATE, "Russia displayed the missile on 23 January.", published_at=when(5)
    )
    revise_check(
        first,
        PublicationKind.RETRACTION,
        "The claim was misattributed; we withdraw this check.",
        published_at=when(6),
    )

    response = client.get("/corrections")
    assert response.status_code == 200
    html, text = html_of(response), page_text(response)
    notes = [
        "The claim was misattributed; we withdraw this check.",
        "Russia displayed the missile on 23 January.",
        "We gave the wrong treaty date.",
    ]
    positions = [text.index(note) for note in notes]
    assert positions == sorted(positions)
    assert "6 February 2019 · Retraction Range claim is false" in text
    assert "5 February 2019 · Update Deadline claim is misleading" in text
    assert "4 February 2019 · Correction Range claim is false" in text
    assert "Never corrected" not in text
    assert f'href="/checks/{first.slug}"' in html
    assert f'href="/checks/{first.slug}/revisions/2"' in html
    assert f'href="/checks/{first.slug}/revisions/3"' in html
    assert f'href="/checks/{second.slug}/revisions/2"' in html
    assert '<time datetime="2019-02-06T12:00:00+00:00">' in html


def test_corrections_are_paginated(
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    published_check: Callable[..., Claim],
    revise_check: Callable[..., Publication],
) -> None:
    monkeypatch.setattr(pages, "CORRECTIONS_PAGE_SIZE", 2)
    claims = [published_check(headline=f"Check {n}", published_at=when(1, n)) for n in range(3)]
    for n, claim in enumerate(claims):
        revise_check(
            claim, PublicationKind.UPDATE, f"Update number {n} with new facts.", published_at=when(2, n)
        )

    first_page = client.get("/corrections")
    text = page_text(first_page)
    assert "Update number 2" in text and "Update number 1" in text
    assert "Update number 0" not in text
    older = re.search(r'href="([^"]+)" rel="next"', html_of(first_page))
    assert older is not None
    second_page = client.get(older.group(1).replace("&amp;", "&"))
    assert second_page.status_code == 200
    text = page_text(second_page)
    assert "Update number 0" in text and "Update number 1" not in text
    assert 'rel="prev"' in html_of(second_page)
    assert 'rel="next"' not in html_of(second_page)


def test_a_forged_corrections_cursor_is_refused(client: FlaskClient) -> None:
    assert client.get("/corrections?after=not-a-cursor").status_code == 400
    assert client.get("/corrections?after=a&before=b").status_code == 400


# --- about ---------------------------------------------------------------------------


def test_about_without_settings_shows_the_configured_organisation(make_app: Callable[..., Flask]) -> None:
    client = make_app(
        ORGANISATION_NAME="Config Checkers", ORGANISATION_URL="https://config.example.org/"
    ).test_client()
    response = client.get("/about")
    assert response.status_code == 200
    text = page_text(response)
    assert "About Config Checkers" in text
    assert "Config Checkers checks claims made in public" in text
    assert 'href="https://config.example.org/"' in html_of(response)
    assert "mailto:" not in html_of(response)
    assert "<img" not in html_of(response)


def test_about_shows_the_admins_details(client: FlaskClient, db_session: Session) -> None:
    save_organisation(
        db_session,
        logo_url="data:image/svg+xml;base64,PHN2Zy8+",
        contact_email="desk@treatywatch.example.org",
        about="We are funded by **readers**.\n\n<script>alert('about')</script><img src=x onerror=alert(1)>",
    )
    response = client.get("/about")
    html, text = html_of(response), page_text(response)
    assert "About Treaty Watch" in text
    assert (
        '<img class="organisation-logo" src="data:image/svg+xml;base64,PHN2Zy8+" alt="Treaty Watch logo">'
        in html
    )
    assert 'href="mailto:desk@treatywatch.example.org"' in html
    assert 'href="https://treatywatch.example.org/"' in html
    assert "<strong>readers</strong>" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "checks claims made in public" not in text


@pytest.mark.parametrize("path", ["/methodology", "/corrections", "/about"])
def test_pages_are_public_and_show_nothing_of_the_signed_in_user(
    path: str, client: FlaskClient, login_as: Callable[..., Any]
) -> None:
    anonymous = client.get(path)
    assert anonymous.status_code == 200
    user = login_as(Role.EDITOR)
    signed_in = client.get(path)
    assert signed_in.status_code == 200
    assert user.email not in html_of(signed_in)
    assert user.name not in html_of(signed_in)


# --- conditional requests -------------------------------------------------------------


def revalidate(client: FlaskClient, path: str) -> tuple[Any, Any]:
    """The page, then the same page asked again with its ETag."""
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["ETag"] and first.headers["Cache-Control"].startswith("public")
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    return first, again


@pytest.mark.parametrize("path", ["/methodology", "/corrections", "/about"])
def test_pages_answer_conditional_requests(path: str, client: FlaskClient) -> None:
    first, again = revalidate(client, path)
    assert again.status_code == 304
    assert again.data == b""
    assert "Set-Cookie" not in first.headers


def test_methodology_changes_when_the_scale_does(client: FlaskClient, db_session: Session) -> None:
    first, _ = revalidate(client, "/methodology")
    label = db_session.scalar(select(RatingLabel).where(RatingLabel.key == "false"))
    assert label is not None
    label.definition = "The claim is wrong, full stop."
    db_session.commit()
    changed = client.get("/methodology", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert "The claim is wrong, full stop." in html_of(changed)
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_methodology_changes_with_the_workflow_rules(make_app: Callable[..., Flask]) -> None:
    one = make_app(MIN_RATINGS=2).test_client().get("/methodology")
    other = make_app(MIN_RATINGS=4).test_client().get("/methodology")
    assert one.headers["ETag"] != other.headers["ETag"]


def test_about_and_corrections_change_with_the_settings(client: FlaskClient, db_session: Session) -> None:
    about, _ = revalidate(client, "/about")
    corrections, _ = revalidate(client, "/corrections")
    row = save_organisation(db_session, about="Funded by members.", corrections_policy="Fixed within a day.")
    assert "Funded by members." in html_of(
        client.get("/about", headers={"If-None-Match": about.headers["ETag"]})
    )
    changed = client.get("/corrections", headers={"If-None-Match": corrections.headers["ETag"]})
    assert "Fixed within a day." in html_of(changed)
    row.about = "Funded by a foundation."
    db_session.commit()
    assert "Funded by a foundation." in html_of(client.get("/about"))


def test_corrections_change_with_a_new_revision(
    client: FlaskClient, published_check: Callable[..., Claim], revise_check: Callable[..., Publication]
) -> None:
    claim = published_check(published_at=when(1))
    first, _ = revalidate(client, "/corrections")
    revise_check(claim, PublicationKind.UPDATE, "New facts about the deadline.", published_at=when(2))
    changed = client.get("/corrections", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert "New facts about the deadline." in html_of(changed)
