"""A run's health: coverage against the recent runs of its site."""

from __future__ import annotations

from typing import Any

from crawler.archive.health import assess, coverage
from crawler.archive.runs import RunCounts

FULL = {"title": 1.0, "date": 1.0, "body": 1.0, "related": 0.95}


def run(
    pages: int = 100,
    archived: int | None = None,
    sources: list[dict[str, Any]] | None = None,
    **shares: float,
) -> RunCounts:
    return RunCounts(
        pages_fetched=pages,
        new_articles=pages if archived is None else archived,
        coverage={**FULL, **shares},
        discovery=None if sources is None else {"since": None, "new": 0, "sources": sources},
    )


def judge(current: RunCounts, recent: list[RunCounts]) -> str | None:
    return assess(current, recent, tolerance=0.2, min_pages=10)


def source(kind: str, status: str = "read", entries: int = 0, **more: Any) -> dict[str, Any]:
    return {"url": f"http://site/{kind}", "kind": kind, "status": status, "entries": entries} | more


def test_a_run_like_the_recent_ones_is_healthy():
    assert judge(run(), [run(), run()]) is None


def test_a_field_whose_coverage_falls_clearly_makes_the_run_degraded():
    assert (
        judge(run(date=0.1), [run(), run(), run()])
        == "coverage fell below recent runs: date 10% against 100%"
    )


def test_a_small_dip_is_not_degraded():
    assert judge(run(related=0.8), [run(), run()]) is None


def test_a_run_too_small_to_judge_is_not_degraded():
    assert judge(run(pages=3, date=0.0), [run()]) is None


def test_the_first_run_has_nothing_to_compare_with():
    assert judge(run(date=0.0), []) is None


def test_pages_fetched_and_not_one_archived_is_degraded():
    assert (
        judge(run(pages=20, archived=0), [run()]) == "20 pages fetched and not one article archived"
    )


def test_discovery_sources_that_list_no_article_make_the_run_degraded():
    quiet = [source("robots", sitemaps=1), source("sitemap"), source("feed"), source("listing")]
    assert (
        judge(run(pages=0, archived=0, sources=quiet), [run()])
        == "the discovery sources list no articles"
    )


def test_one_failing_source_is_a_warning_not_a_degraded_run():
    sources = [source("feed", "failed", error="HTTP 404"), source("listing", entries=50)]
    assert judge(run(pages=0, archived=0, sources=sources), [run()]) is None


def test_every_source_failing_makes_the_run_degraded():
    sources = [
        source("robots", sitemaps=1),
        source("sitemap", "failed", error="not a sitemap: the document is <html>"),
        source("feed", "failed", error="HTTP 404"),
    ]
    assert judge(run(pages=0, archived=0, sources=sources), [run()]) == (
        "every discovery source failed (2; http://site/sitemap: "
        "not a sitemap: the document is <html>)"
    )


def test_nothing_new_to_fetch_is_healthy():
    assert judge(run(pages=0, archived=0, sources=[source("listing", entries=50)]), [run()]) is None


def test_coverage_is_a_share_of_fetched_pages():
    assert coverage(4, {"title": 4, "date": 3, "body": 4}) == {
        "title": 1.0,
        "date": 0.75,
        "body": 1.0,
        "related": 0.0,
    }
