"""``factcheck run`` starts the development server with one background worker in the same process."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from factcheck import cli
from factcheck.db import get_database
from factcheck.jobs import cli as jobs_cli
from factcheck.public import stored
from tests.conftest import TEST_AUDIT_KEY


@pytest.fixture
def started(monkeypatch, tmp_path, database_url):
    """Run ``factcheck run`` without serving: what was started, in order."""
    events: list[str] = []
    apps = []
    check_pages = stored.ensure_current

    def ensure_current(app):
        # The command's app checks its stored pages on the database; its connections are closed below.
        apps.append(app)
        return check_pages(app)

    monkeypatch.setattr(stored, "ensure_current", ensure_current)
    monkeypatch.setenv("FACTCHECK_DATABASE_URL", database_url)
    monkeypatch.setenv("FACTCHECK_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("FACTCHECK_AUDIT_KEY", TEST_AUDIT_KEY)
    monkeypatch.setattr(jobs_cli, "start_in_thread", lambda app: events.append(f"worker for {app.name}"))
    monkeypatch.setattr("flask.cli.run_simple", lambda host, port, *a, **k: events.append(f"serve {port}"))
    yield events
    for app in apps:
        get_database(app).engine.dispose()


def test_run_starts_a_worker_and_the_server(started):
    result = CliRunner().invoke(cli.main, ["run", "--port", "5077"])
    assert result.exit_code == 0, result.output
    assert started == ["worker for factcheck", "serve 5077"]
    assert "Background worker running in this process" in result.output


def test_run_without_a_worker(started):
    result = CliRunner().invoke(cli.main, ["run", "--port", "5077", "--no-worker"])
    assert result.exit_code == 0, result.output
    assert started == ["serve 5077"]
