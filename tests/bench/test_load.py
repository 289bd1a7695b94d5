"""The short form of bench/load.py: a mixed load on gunicorn while its own PostgreSQL restarts.

Nothing is timed here (bench/README.md has the figures of a full run); what must
hold is that the restart costs readers and staff only 503 answers while the
database is down, that every write the app acknowledged is stored, and that the
audit history verifies afterwards. The script brings its own throwaway cluster,
so it would run the same whichever database the rest of the suite uses: it runs in
the PostgreSQL pass only, where the server programs are there anyway, so that CI
pays for it once.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from factcheck import PROJECT_ROOT

pytestmark = pytest.mark.slow


def load_script() -> ModuleType:
    path = Path(PROJECT_ROOT) / "bench" / "load.py"
    spec = importlib.util.spec_from_file_location("bench_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def require_postgresql_server_programs() -> None:
    if glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return
    reason = "PostgreSQL's server programs are missing (apt-get install postgresql)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI runs the PostgreSQL server, so they must be there")
    pytest.skip(reason)


@pytest.mark.skipif(
    not os.environ.get("FACTCHECK_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="runs in the PostgreSQL pass (it brings its own cluster; once is enough)",
)
def test_a_database_restart_under_load_costs_only_503s_and_loses_no_acknowledged_write() -> None:
    require_postgresql_server_programs()
    load = load_script()
    result = load.run(seconds=10, workers=2, readers=2, reviewers=2, editors=1, outage=2.0)
    print(result.describe())
    assert result.unexpected_5xx == [], result.describe()
    assert result.connection_errors == 0, result.describe()
    # The outage was felt, and work went on around it.
    assert result.allowed_503 > 0, result.describe()
    assert result.statuses[200] > 0, result.describe()
    assert result.acknowledged > 0, result.describe()
    assert (result.missing, result.unacknowledged) == ([], []), result.describe()
    assert result.verify_ok, result.verify_output
