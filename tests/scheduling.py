"""How `make test` spreads the tests over pytest-xdist's workers (``--dist loadgroup``).

A test on its own goes to whichever worker is free, so that a long module (a
crawl a test) is spread over the workers rather than left to one of them at
the end. A module that declares a module- or session-scoped fixture of its own
(a venv, a crawled archive, a server its tests share) is one unit of work, run
on one worker, so that what the fixture builds is built once.

xdist's own ``xdist_group`` marks cannot say this under pytest 9: the worker
appends the group to ``item._nodeid``, which pytest 9 no longer reads. The
scheduler runs in the controller, which collects nothing, so it reads the
modules' fixtures from their source.
"""

from __future__ import annotations

import ast
from functools import cache
from typing import TYPE_CHECKING

from xdist.scheduler import LoadScopeScheduling

if TYPE_CHECKING:
    from pathlib import Path

SHARED_SCOPES = {"module", "package", "session"}


class ModuleFixtureScheduling(LoadScopeScheduling):
    """One test a unit of work, save the tests of a module with a shared fixture."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if declares_a_shared_fixture(self.config.rootpath / module) else nodeid


@cache
def declares_a_shared_fixture(path: Path) -> bool:
    """Whether the module at `path` has a ``@pytest.fixture(scope=...)`` wider than a test."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return True  # unknown: kept whole, as --dist loadfile would
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if _fixture_scope(decorator) in SHARED_SCOPES:
                    return True
    return False


def _fixture_scope(decorator: ast.expr) -> str | None:
    if not isinstance(decorator, ast.Call):
        return None
    for keyword in decorator.keywords:
        if keyword.arg == "scope" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None
