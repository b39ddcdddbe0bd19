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

The longest units start first, so that none of them is left to start last
while the other workers stand idle. The controller has no timings, so a
unit's cost is estimated from the source: each test costs one, and each
process or crawl it starts (`SLOW_CALLS`, directly or through a helper of
its module) costs `PROCESS_COST` more.
"""

from __future__ import annotations

import ast
import re
from collections import OrderedDict
from functools import cache
from typing import TYPE_CHECKING

from xdist.scheduler import LoadScopeScheduling

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

    from xdist.workermanage import WorkerController

SHARED_SCOPES = {"module", "package", "session"}
SLOW_CALLS = frozenset(
    {
        "crawl",
        "start_crawl",
        "run_module",
        "subprocess.run",
        "subprocess.Popen",
        "subprocess.check_call",
        "subprocess.check_output",
    }
)
"""Calls that start a process or a whole crawl: what a test's time is mostly spent on."""
PROCESS_COST = 10
"""A process or crawl, in units of a test that starts none."""


class ModuleFixtureScheduling(LoadScopeScheduling):
    """One test a unit of work, save the tests of a module with a shared fixture."""

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if declares_a_shared_fixture(self.config.rootpath / module) else nodeid

    def _assign_work_unit(self, node: WorkerController) -> None:
        if not getattr(self, "_longest_first", False):
            self.workqueue = longest_first(self.workqueue, self._cost)
            self._longest_first = True
        super()._assign_work_unit(node)

    def _cost(self, nodeids: Iterable[str]) -> int:
        cost = 0
        for nodeid in nodeids:
            module, _, name = nodeid.partition("::")
            costs = function_costs(self.config.rootpath / module)
            cost += 1 + PROCESS_COST * costs.get(function_of_test(name), 0)
        return cost


def longest_first(
    workqueue: Mapping[str, dict[str, bool]], cost: Callable[[Iterable[str]], int]
) -> OrderedDict[str, dict[str, bool]]:
    """The work units by falling cost; units of the same cost keep their order."""
    ordered = sorted(workqueue.items(), key=lambda unit: -cost(unit[1]))
    return OrderedDict(ordered)


def function_of_test(name: str) -> str:
    """The function a test id's name part runs: ``Class::test_x[param]`` -> ``test_x``."""
    return re.sub(r"\[.*\]$", "", name).rsplit("::", 1)[-1]


@cache
def function_costs(path: Path) -> dict[str, int]:
    """For each function of the module at `path`: how many processes or crawls it starts,
    counting those its module's own helpers and fixtures start for it (each once a use)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return {}
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    costs: dict[str, int] = {}

    def cost_of(name: str, seen: frozenset[str]) -> int:
        if name in costs:
            return costs[name]
        function = functions[name]
        used = [argument.arg for argument in function.args.args]  # fixtures of the module
        for call in ast.walk(function):
            if isinstance(call, ast.Call):
                used.append(_called_name(call.func) or "")
        total = 0
        for called in used:
            if called in SLOW_CALLS:
                total += 1
            elif called in functions and called not in seen:
                total += cost_of(called, seen | {called})
        costs[name] = total
        return total

    for name in functions:
        cost_of(name, frozenset({name}))
    return costs


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"  # subprocess.run, not asyncio.run
    return None


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
