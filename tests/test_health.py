"""A run's health: coverage against the recent runs of its site."""

from __future__ import annotations

from crawler.archive.health import FIELDS, assess, coverage
from crawler.archive.runs import RunCounts

FULL = {"title": 1.0, "date": 1.0, "body": 1.0, "related": 0.95}


def run(pages: int = 100, archived: int | None = None, **shares: float) -> RunCounts:
    return RunCounts(
        pages_fetched=pages,
        new_articles=pages if archived is None else archived,
        coverage={**FULL, **shares},
    )


def judge(current: RunCounts, recent: list[RunCounts], listed: int | None = None) -> str | None:
    return assess(current, recent, tolerance=0.2, min_pages=10, listed=listed)


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


def test_a_listing_without_articles_is_degraded():
    assert (
        judge(run(pages=0, archived=0), [run()], listed=0) == "the listing pages list no articles"
    )


def test_nothing_new_to_fetch_is_healthy():
    assert judge(run(pages=0, archived=0), [run()], listed=50) is None


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
