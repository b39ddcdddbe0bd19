"""A run's health: coverage against the recent runs of its site."""

from __future__ import annotations

from typing import Any

from crawler.archive.health import FIELDS, assess, coverage
from crawler.archive.runs import RunCounts
from crawler.plan.failures import is_gone

FULL = {"title": 1.0, "date": 1.0, "body": 1.0, "related": 0.95}


def run(
    pages: int = 100,
    archived: int | None = None,
    failed: dict[str, int] | None = None,
    sources: list[dict[str, Any]] | None = None,
    **shares: float,
) -> RunCounts:
    return RunCounts(
        pages_fetched=pages,
        new_articles=pages if archived is None else archived,
        http_errors=failed or {},
        coverage={**FULL, **shares} if pages else {},
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
    feed = source("feed", "failed", error="HTTP 404", reason="http_404")
    sources = [feed, source("listing", entries=50)]
    assert judge(run(pages=0, archived=0, sources=sources), [run()]) is None


def test_every_source_failing_makes_the_run_degraded():
    sources = [
        source("robots", sitemaps=1),
        source("sitemap", "failed", error="not a sitemap: the document is <html>"),
        source("feed", "failed", error="HTTP 404", reason="http_404"),
    ]
    assert judge(run(pages=0, archived=0, sources=sources), [run()]) == (
        "the discovery sources could not be read: unreadable on 1, HTTP 404 on 1 of 3 sources"
        " (http://site/sitemap: not a sitemap: the document is <html>)"
    )


def test_nothing_new_to_fetch_is_healthy():
    assert judge(run(pages=0, archived=0, sources=[source("listing", entries=50)]), [run()]) is None


def test_a_host_refusing_connections_is_unreachable():
    listing = source("listing", "failed", error="Connection refused", reason="connection_refused")
    dead = run(pages=0, failed={"connection_refused": 39}, sources=[listing])

    assert judge(dead, [run()]) == "site unreachable: connection refused on 40 of 40 fetches"


def test_a_site_answering_403_to_every_page_refuses_the_crawler():
    assert (
        judge(run(pages=0, failed={"http_403": 12}), [run()])
        == "the site refuses the crawler: HTTP 403 on 12 of 12 fetches"
    )


def test_a_site_answering_401_or_429_refuses_the_crawler_too():
    for status in (401, 429):
        verdict = judge(run(pages=0, failed={f"http_{status}": 3}), [])
        assert verdict == f"the site refuses the crawler: HTTP {status} on 3 of 3 fetches"


def test_a_site_answering_5xx_to_every_page_is_failing():
    assert (
        judge(run(pages=0, failed={"http_503": 5, "http_500": 2, "timeout": 1}), [])
        == "the site is failing: HTTP 503 on 5, HTTP 500 on 2, timed out on 1 of 8 fetches"
    )


def test_one_page_to_fetch_that_failed_is_degraded_however_small_the_run():
    assert (
        judge(run(pages=0, failed={"timeout": 1}, sources=[source("listing", entries=50)]), [])
        == "site unreachable: timed out on 1 of 2 fetches"
    )


def test_pages_that_are_gone_are_news_not_trouble():
    assert judge(run(pages=0, failed={"http_404": 30, "not_html": 2}), [run()]) is None


def test_a_run_whose_discovery_sources_could_not_be_read_is_degraded():
    listing = source("listing", "failed", error="HTTP 503", reason="http_503")
    revisits = run(pages=20, sources=[listing])

    assert (
        judge(revisits, [run()])
        == "the discovery sources could not be read: HTTP 503 on 1 of 1 sources"
        " (http://site/listing: HTTP 503)"
    )


def test_a_run_whose_fetches_mostly_failed_is_degraded():
    assert (
        judge(run(pages=10, failed={"http_403": 25, "http_404": 3}), [run()])
        == "most fetches failed: HTTP 403 on 25 of 38 fetches; 10 pages archived"
    )


def test_a_few_failures_among_many_pages_are_healthy():
    assert judge(run(pages=100, failed={"http_503": 12, "connection": 3}), [run()]) is None


def test_401_and_403_are_trouble_not_pages_gone():
    assert not is_gone("http_401")
    assert not is_gone("http_403")
    assert is_gone("http_404")


def test_coverage_is_a_share_of_fetched_pages():
    shares = coverage(4, {"title": 4, "date": 3, "body": 4})

    assert {name: shares[name] for name in FIELDS} == {
        "title": 1.0,
        "date": 0.75,
        "body": 1.0,
        "related": 0.0,
    }


RULED = {"rules/title": 1.0, "rules/date": 1.0, "rules/body": 1.0}


def test_titles_suddenly_from_the_fallbacks_are_layout_drift_though_every_page_is_archived():
    drifted = run(**{**RULED, "rules/title": 0.05})

    message = judge(drifted, [run(**RULED), run(**RULED), run(**RULED)])

    assert message == (
        "layout drift, fields no longer found by the profile's rules: title 5% against 100%"
        " (pages still archived, from the fallbacks)"
    )


def test_a_site_read_by_fallbacks_all_along_is_not_drifting():
    by_fallbacks = {"rules/title": 0.0, "rules/date": 0.0, "rules/body": 0.0}

    assert judge(run(**by_fallbacks), [run(**by_fallbacks), run(**by_fallbacks)]) is None


def test_runs_from_before_sources_were_counted_are_no_baseline_for_drift():
    assert judge(run(**{**RULED, "rules/title": 0.0}), [run(), run()]) is None


def test_coverage_counts_the_fields_the_rules_found():
    shares = coverage(4, {"title": 4, "rules/title": 1, "rules/body": 4})

    assert (shares["rules/title"], shares["rules/body"], shares["rules/date"]) == (0.25, 1.0, 0.0)
