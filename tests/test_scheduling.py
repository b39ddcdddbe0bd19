"""How `make test` orders its work: the longest units first (tests/scheduling.py)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

from tests.scheduling import function_costs, function_of_test, longest_first

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("test_a", "test_a"),
        ("test_a[sqlite]", "test_a"),
        ("test_a[arguments0-is not [a] list]", "test_a"),
        ("Suite::test_b[postgresql]", "test_b"),
    ],
)
def test_a_test_id_names_the_function_it_runs(name, function):
    assert function_of_test(name) == function


def test_the_costliest_units_come_first_and_equal_ones_keep_their_order():
    workqueue = {"a": {"a1": False}, "b": {"b1": False, "b2": False}, "c": {"c1": False}}
    sizes = {"a1": 1, "b1": 1, "b2": 1, "c1": 5}

    ordered = longest_first(workqueue, lambda nodeids: sum(sizes[n] for n in nodeids))

    assert list(ordered) == ["c", "b", "a"]


def test_a_crawl_counts_where_it_is_called_through_a_helper_or_a_fixture(tmp_path: Path):
    module = tmp_path / "test_example.py"
    module.write_text(
        textwrap.dedent(
            """
            import asyncio, subprocess

            def twice(url):
                crawl(url)
                subprocess.run(["true"])

            @pytest.fixture
            def crawled(url):
                crawl(url)

            def test_direct(url):
                crawl(url)

            def test_through_a_helper(url):
                twice(url)

            def test_through_a_fixture(crawled):
                pass

            def test_in_process():
                asyncio.run(work())
            """
        ),
        encoding="utf-8",
    )

    costs = function_costs(module)

    assert (
        costs["test_direct"],
        costs["test_through_a_helper"],
        costs["test_through_a_fixture"],
        costs["test_in_process"],
    ) == (1, 2, 1, 0)
