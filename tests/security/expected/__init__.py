"""Who may use each route, one module per feature.

Each module here defines ``EXPECTED`` ((endpoint, method) -> the status seen by
anonymous, reviewer, editor, admin) and may define ``ARGUMENTS`` (route argument
name -> a function of the :class:`~tests.security.expected.world.World` giving its value).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from tests.security.expected.world import Expected, World


def collect() -> tuple[Expected, dict[str, Callable[[World], Any]]]:
    expected: Expected = {}
    arguments: dict[str, Callable[[World], Any]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name == "world":
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        duplicated = expected.keys() & module.EXPECTED.keys()
        assert not duplicated, f"{module_info.name} repeats routes: {sorted(duplicated)}"
        expected.update(module.EXPECTED)
        arguments.update(getattr(module, "ARGUMENTS", {}))
    return expected, arguments
