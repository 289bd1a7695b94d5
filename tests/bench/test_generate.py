"""bench.generate: a realistic data set whose audit history verifies and whose checks are public."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select

from bench import generate
from factcheck import create_app, migrate
from factcheck.claims.models import Appearance, Claim, ClaimState
from factcheck.db import get_database, make_engine
from factcheck.publishing.models import Publication
from factcheck.sources.models import Source
from tests.conftest import TEST_AUDIT_KEY, DatabaseServer, config_for_tests

CLAIMS = 400


@pytest.fixture(scope="module")
def generated(database_server: DatabaseServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The command run once on a new database, with the app's configuration from the environment."""
    url = database_server.create()
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("FACTCHECK_AUDIT_KEY", TEST_AUDIT_KEY)
        environment.setenv("FACTCHECK_INSTANCE_PATH", str(tmp_path_factory.mktemp("generator")))
        code = generate.main(
            ["--claims", str(CLAIMS), "--database", url, "--published", "0.2", "--batch", "150"]
        )
    assert code == 0
    yield url
    database_server.drop(url)


@pytest.fixture
def engine_on(generated: str) -> Iterator[Engine]:
    engine = make_engine(generated)
    yield engine
    engine.dispose()


@pytest.fixture
def site(generated: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on the generated database."""
    app = create_app(config_for_tests(tmp_path, generated))
    yield app
    get_database(app).engine.dispose()


def count(engine: Engine, statement) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return connection.scalar(statement) or 0


def test_every_state_with_its_rows(engine_on: Engine) -> None:
    assert count(engine_on, select(func.count()).select_from(Claim)) == CLAIMS
    with engine_on.connect() as connection:
        states = dict(connection.execute(select(Claim.state, func.count()).group_by(Claim.state)).all())
    assert set(states) == set(ClaimState)
    # --published 0.2 of 400: about 80.
    assert 55 <= states[ClaimState.PUBLISHED] <= 105
    # Every published claim has a slug and a first publication; some have a correction.
    published = states[ClaimState.PUBLISHED]
    assert count(engine_on, select(func.count()).where(Claim.slug.is_not(None))) == published
    assert count(engine_on, select(func.count()).where(Publication.revision == 1)) == published
    # Quotes in articles carry their selectors, which point at the quote in the article's text.
    with engine_on.connect() as connection:
        quoted = connection.execute(
            select(Appearance.quote_exact, Appearance.position_start, Appearance.position_end).where(
                Appearance.document_id.is_not(None)
            )
        ).all()
        texts = connection.execute(
            select(Appearance.quote_exact, Appearance.quote_prefix, Appearance.quote_suffix).where(
                Appearance.document_id.is_not(None)
            )
        ).all()
    assert len(quoted) > CLAIMS // 10
    assert all(end - start == len(exact) for exact, start, end in quoted)
    assert all(prefix is not None and suffix is not None for _, prefix, suffix in texts)
    stances = count(engine_on, select(func.count(func.distinct(Source.stance))))
    assert stances == 3


def test_the_audit_history_verifies(site: Flask) -> None:
    result = site.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "the data matches its history" in result.output


def test_published_checks_are_on_the_public_site(engine_on: Engine, site: Flask) -> None:
    with engine_on.connect() as connection:
        slug, headline = connection.execute(
            select(Claim.slug, Publication.headline)
            .join(Publication, Publication.claim_id == Claim.id)
            .where(Claim.slug.is_not(None))
            .order_by(Publication.published_at.desc())
            .limit(1)
        ).one()
    client = site.test_client()
    page = client.get(f"/checks/{slug}")
    assert page.status_code == 200
    assert headline in page.get_data(as_text=True).replace("&#39;", "'")
    listing = client.get("/checks/")
    assert listing.status_code == 200
    assert f"/checks/{slug}" in listing.get_data(as_text=True)


def test_the_same_seed_gives_the_same_data(empty_database: str) -> None:
    engine = make_engine(empty_database)
    try:
        migrate.upgrade(engine)
        first = generate.generate(engine, 30, seed=7, batch_size=30)
        with engine.connect() as connection:
            texts = connection.scalars(select(Claim.text).order_by(Claim.id)).all()
        again = generate.generate(engine, 30, seed=7, batch_size=30)
        with engine.connect() as connection:
            added = connection.scalars(select(Claim.text).order_by(Claim.id).offset(30)).all()
    finally:
        engine.dispose()
    assert first.states == again.states
    assert added == texts
