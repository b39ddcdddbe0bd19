"""The quality gate and the versioning rule, stated as tables (pure functions)."""

from __future__ import annotations

import pytest

from crawler.archive.gate import Current, SiteSources, judge, site_sources
from crawler.archive.versions import History, next_version
from crawler.items import Article
from crawler.sites import get_profile

ALL = frozenset({"title", "published", "body"})
CSS_ALL = {"title": "css", "published": "css", "body": "css"}
NOTICE = {"title": "title-tag", "body": "trafilatura"}
CURRENT = Current("Talks in Tehran", "2016-08-16T13:22:15+00:00", "Officials met on Tuesday.")


def record(
    sources: dict[str, str],
    *,
    title: str = "Talks in Tehran",
    published: str | None = "2016-08-16T13:22:15+00:00",
    body: str = "Officials met on Tuesday.",
) -> Article:
    return Article(
        site="alalam_en",
        article_id="1",
        url="https://en.alalam.ir/news/1",
        language="en",
        title=title,
        kind="article",
        published_at=published,
        published_local=None,
        lead=None,
        body=body,
        field_sources=sources,
    )


HISTORY = SiteSources(ruled=ALL, recent=ALL)
FRESH = SiteSources(ruled=ALL, recent=None)
NO_RULES = SiteSources(ruled=frozenset(), recent=None)


@pytest.mark.parametrize(
    ("case", "current", "new", "site", "run", "verdict"),
    [
        (
            "an ordinary edit: new body, same layout",
            CURRENT,
            record(CSS_ALL, body="Officials met again on Wednesday."),
            HISTORY,
            ALL,
            None,
        ),
        (
            "a gallery without a body among pages that have one",
            None,
            record({"title": "css", "published": "css"}, body=""),
            HISTORY,
            ALL,
            None,
        ),
        (
            "a notice: no rule reads any page of the run, rules read the site before",
            CURRENT,
            record(NOTICE, title="Alalam", published=None, body="Temporarily unavailable."),
            HISTORY,
            frozenset(),
            "layout_drift",
        ),
        (
            "a new article during the notice run is held too",
            None,
            record(NOTICE, title="Alalam", published=None, body="Temporarily unavailable."),
            HISTORY,
            frozenset(),
            "layout_drift",
        ),
        (
            "one field's rule stops reading the whole run (the date moved)",
            None,
            record({"title": "css", "body": "css", "published": "htmldate"}),
            HISTORY,
            frozenset({"title", "body"}),
            "layout_drift",
        ),
        (
            "a date lost against the page's own current version",
            CURRENT,
            record({"title": "css", "body": "css"}, published=None),
            HISTORY,
            ALL,
            "lost_fields: published_at",
        ),
        (
            "a date and a body lost",
            CURRENT,
            record({"title": "css"}, published=None, body=""),
            HISTORY,
            ALL,
            "lost_fields: published_at, body",
        ),
        (
            "a field the current version never had is not lost",
            Current("Talks", None, ""),
            record({"title": "css"}, published=None, body=""),
            HISTORY,
            ALL,
            None,
        ),
        (
            "no history: a run in which no rule reads any page holds everything",
            None,
            record(NOTICE, title="Alalam", published=None),
            FRESH,
            frozenset(),
            "layout_drift",
        ),
        (
            "no history: one rule reading some page of the run is enough",
            None,
            record({"title": "css", "body": "trafilatura"}, published=None),
            FRESH,
            frozenset({"title"}),
            None,
        ),
        (
            "a notice for a new article among pages the rules read",
            None,
            record(NOTICE, title="Alalam", published=None, body="Temporarily unavailable."),
            HISTORY,
            ALL,
            "layout_drift",
        ),
        (
            "no history: a notice among pages the rules read",
            None,
            record(NOTICE, title="Alalam", published=None),
            FRESH,
            frozenset({"title"}),
            "layout_drift",
        ),
        (
            "a profile without rules never drifts",
            None,
            record(NOTICE),
            NO_RULES,
            frozenset(),
            None,
        ),
        (
            "a field the rules never read on this site is not drift",
            None,
            record({"title": "css", "body": "css", "published": "json-ld"}),
            SiteSources(ruled=ALL, recent=frozenset({"title", "body"})),
            frozenset({"title", "body"}),
            None,
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_gate(case, current, new, site, run, verdict):
    judged = judge(current, new, site, run)

    assert judged.held == (verdict is not None), case
    assert judged.reason == verdict, case


def test_site_sources_are_the_fields_the_rules_read_in_most_recent_runs():
    runs = [
        {"rules/title": 1.0, "rules/date": 0.9, "rules/body": 0.2},
        {"rules/title": 1.0, "rules/date": 0.1, "rules/body": 0.2},
        {"rules/title": 0.9, "rules/date": 0.8, "rules/body": 0.9},
    ]

    sources = site_sources(get_profile("alalam_en"), runs, 0.5)

    assert sources.recent == {"title", "published"}
    assert sources.ruled == ALL


def test_no_finished_run_is_no_history():
    assert site_sources(get_profile("alalam_en"), [], 0.5).recent is None
    assert site_sources(get_profile("generic"), [], 0.5).ruled == frozenset()


@pytest.mark.parametrize(
    ("history", "content_hash", "expected"),
    [
        (None, "a", ("new", 1)),
        (History("a", 1, {"a": 1}), "a", ("unchanged", 1)),
        (History("b", 2, {"a": 1, "b": 2}), "c", ("changed", 3)),
        (History("b", 2, {"a": 1, "b": 2}), "a", ("reverted", 1)),
        (History("a", 1, {"a": 1, "b": 2}), "c", ("changed", 3)),
    ],
)
def test_the_versioning_rule(history, content_hash, expected):
    assert next_version(history, content_hash) == expected
