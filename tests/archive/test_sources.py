"""Archived sources: archiving by hand and on publication, link checks, the public archived copy."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from factcheck.accounts.models import User
from factcheck.claims.models import Claim
from factcheck.jobs.models import Job
from factcheck.jobs.runner import run_all
from factcheck.publishing import operations
from factcheck.sources.models import LinkStatus, Source
from tests.archive.helpers import writers_of
from tests.archive.site import ARTICLE, Site
from tests.claims.desk import acting_as
from tests.conftest import AuthActions
from tests.publishing.building import ready_claim


def _claim_citing(db: Session, team: dict[str, User], url: str) -> tuple[Claim, Source]:
    claim = ready_claim(db, team)
    source = claim.sources[0]
    source.url = url
    db.commit()
    return claim, source


def _publish(app: Flask, db: Session, team: dict[str, User], claim: Claim) -> str:
    with app.app_context():
        acting_as(db, team["ada"])
        operations.publish(db, claim, team["ada"])
        db.commit()
    assert claim.slug
    return claim.slug


def test_publishing_archives_the_cited_pages_and_readers_get_the_copy(
    app: Flask, client: FlaskClient, db_session: Session, team: dict[str, User], site: Site
) -> None:
    url = site.put("/treaty")
    claim, source = _claim_citing(db_session, team, url)
    slug = _publish(app, db_session, team, claim)
    assert run_all(app) == 1
    db_session.expire_all()
    assert source.snapshot is not None and source.snapshot.final_url == url
    assert source.link_status == LinkStatus.OK
    assert (
        writers_of(db_session, "sources", source.id)[-1][1]
        == f"Background worker, archiving source {source.id}"
    )

    page = client.get(f"/checks/{slug}").get_data(as_text=True)
    archived_link = f"/checks/{slug}/archived?url={url}"
    assert html.escape(archived_link) in page or archived_link.replace(":", "%3A").replace("/", "%2F") in page

    archived = client.get(f"/checks/{slug}/archived", query_string={"url": url})
    assert archived.status_code == 200
    assert archived.headers["Content-Security-Policy"].startswith("sandbox;")
    assert archived.data == site.pages["/treaty"].body
    # Only what the published revision cites; nothing for other addresses.
    assert client.get(f"/checks/{slug}/archived", query_string={"url": site.url + "/x"}).status_code == 404


def test_an_unpublished_claims_archived_source_is_not_public(
    app: Flask, client: FlaskClient, db_session: Session, team: dict[str, User], site: Site
) -> None:
    url = site.put("/treaty")
    claim, source = _claim_citing(db_session, team, url)
    AuthActions(client).login(team["anna"].email)
    assert client.post(f"/claims/{claim.id}/sources/{source.id}/archive").status_code == 302
    run_all(app)
    db_session.expire_all()
    assert source.snapshot is not None
    desk = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert f"/snapshots/{source.snapshot.id}" in desk
    AuthActions(client).logout()
    assert client.get(f"/snapshots/{source.snapshot.id}").status_code in (302, 401)
    claim.slug = "not-yet-published"
    db_session.commit()
    assert client.get("/checks/not-yet-published/archived", query_string={"url": url}).status_code == 404


def test_signed_out_visitors_cannot_archive(
    client: FlaskClient, db_session: Session, team: dict[str, User], site: Site
) -> None:
    claim, source = _claim_citing(db_session, team, site.put("/treaty"))
    response = client.post(f"/claims/{claim.id}/sources/{source.id}/archive")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db_session.scalars(select(Job)).all() == []


def test_link_checks_find_gone_and_changed_pages(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    db_session: Session,
    team: dict[str, User],
    site: Site,
) -> None:
    claim, kept = _claim_citing(db_session, team, site.put("/kept"))
    changed = Source(claim=claim, title="Ministry statement", url=site.put("/statement"))
    gone = Source(claim=claim, title="Briefing", url=site.put("/briefing"))
    db_session.add_all([changed, gone])
    db_session.commit()
    AuthActions(client).login(team["anna"].email)
    for source in (kept, changed, gone):
        client.post(f"/claims/{claim.id}/sources/{source.id}/archive")
    assert run_all(app) == 3

    # The frame of the page changes (a new script, navigation): not a change of the text.
    site.put("/kept", ARTICLE.replace("window.tracker = 1", "window.tracker = 2").replace("World", "Europe"))
    site.put("/statement", ARTICLE.replace("480 kilometres", "500 kilometres"))
    site.put("/briefing", "removed", status=404)

    result = runner.invoke(args=["sources", "check-links"])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"Source {changed.id}: changed since cited: {changed.url} (the page's main text differs from the archived copy)",
        f"Source {gone.id}: gone: {gone.url} (the server answered 404)",
        "3 checked, 2 gone or changed.",
    ]
    db_session.expire_all()
    assert (kept.link_status, changed.link_status, gone.link_status) == (
        LinkStatus.OK,
        LinkStatus.CHANGED,
        LinkStatus.GONE,
    )
    desk = html.unescape(client.get(f"/claims/{claim.id}").get_data(as_text=True))
    assert "Changed since cited: the page's main text differs from the archived copy" in desk
    assert "Gone: the server answered 404" in desk


def test_the_periodic_link_check_is_queued_once_per_period(app: Flask, db_session: Session) -> None:
    from datetime import UTC, datetime

    from factcheck.sources.archiving import CHECK_LINKS_JOB, schedule_link_checks

    now = datetime(2026, 12, 3, 16, 20, tzinfo=UTC)
    schedule_link_checks(db_session, {"LINK_CHECK_HOURS": 24}, now=now)
    schedule_link_checks(db_session, {"LINK_CHECK_HOURS": 24}, now=now.replace(hour=18))
    db_session.commit()
    jobs = db_session.scalars(select(Job).where(Job.kind == CHECK_LINKS_JOB)).all()
    assert len(jobs) == 1
    assert jobs[0].run_after == datetime(2026, 12, 4, tzinfo=UTC)
    schedule_link_checks(db_session, {"LINK_CHECK_HOURS": 0}, now=now.replace(day=10))
    db_session.commit()
    assert len(db_session.scalars(select(Job).where(Job.kind == CHECK_LINKS_JOB)).all()) == 1
