"""axe-core (Deque's accessibility engine) for the browser tests, from the npm registry.

:func:`axe_path` gives the path of ``axe.min.js``, installing ``axe-core@4`` into
``<repo>/.cache/axe`` with npm the first time. Without npm, or when the install
fails (no network), the test is skipped with the reason, or fails in CI (where
the ``CI`` environment variable is set), so a CI run never passes without it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from factcheck import PROJECT_ROOT

PACKAGE = "axe-core@4"
PREFIX = Path(PROJECT_ROOT) / ".cache" / "axe"
SCRIPT = PREFIX / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_TIMEOUT_SECONDS = 300


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"axe-core is required in CI: {reason}")
    pytest.skip(f"axe-core unavailable: {reason}")


def axe_path() -> str:
    """The path of axe.min.js; skips (fails in CI) when it cannot be installed."""
    if SCRIPT.is_file():
        return str(SCRIPT)
    PREFIX.mkdir(parents=True, exist_ok=True)
    with open(PREFIX / ".install.lock", "w") as lock:
        # Test workers running in parallel (pytest -n) wait for the first one's install.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if SCRIPT.is_file():
            return str(SCRIPT)
        return _install()


def _install() -> str:
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed (apt-get install npm)")
    command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(PREFIX), PACKAGE]
    try:
        subprocess.run(  # noqa: S603 - a fixed command line; npm found on PATH
            command, check=True, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS
        )
    except subprocess.CalledProcessError as error:
        last_lines = " ".join((error.stderr or error.stdout or "").strip().splitlines()[-3:])
        _unavailable(f"`{' '.join(command)}` failed: {last_lines or f'exit status {error.returncode}'}")
    except (subprocess.TimeoutExpired, OSError) as error:
        _unavailable(f"`{' '.join(command)}` failed: {error}")
    if not SCRIPT.is_file():
        _unavailable(f"npm installed {PACKAGE} but {SCRIPT} is missing")
    return str(SCRIPT)
