"""The storage API on SQLite and PostgreSQL: one row per article, versions, edges, raw pages."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, text

from crawler.archive.models import ArticleRecord, Capture, RelatedLinkRecord
from crawler.archive.store import ParsedPage
from crawler.items import FetchedPage
from crawler.parsing.article import parse_article
from tests.archive_db import last_reads
from tests.conftest import SEED_URL, seed_html


def fetched(
    html: str, at: str = "2026-11-24T10:00:00.000001+00:00", url: str = SEED_URL
) -> FetchedPage:
    article_id = url.rsplit("/", 1)[1]
    body = html.encode()
    return FetchedPage("alalam_en", article_id, url, url, 200, "text/html", "utf-8", body, at)


def parsed(profile, html: str | None = None, **kwargs) -> ParsedPage:
    page = fetched(html or seed_html(), **kwargs)
    return ParsedPage(page, parse_article(page.body.decode(), page.url, profile))


def count(store, model) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_new_article_is_stored_as_version_one(store, profile):
    [outcome] = store.save([parsed(profile)])

    assert outcome.status == "new"
    assert outcome.article.version == 1
    assert outcome.article.first_seen_at == outcome.article.fetched_at == outcome.article.changed_at


def test_storing_the_same_page_again_keeps_one_row_and_its_version(store, profile):
    store.save([parsed(profile)])
    [outcome] = store.save([parsed(profile, at="2026-11-24T11:00:00+00:00")])

    assert outcome.status == "unchanged"
    assert outcome.article.version == 1
    assert outcome.article.fetched_at == "2026-11-24T11:00:00+00:00"
    assert outcome.article.first_seen_at == "2026-11-24T10:00:00.000001+00:00"
    assert count(store, ArticleRecord) == 1
    assert count(store, RelatedLinkRecord) == 12


def test_a_changed_text_makes_a_new_version(store, profile):
    store.save([parsed(profile)])
    edited = seed_html().replace("Press TV reported.", "Press TV reported on Tuesday.")

    [outcome] = store.save([parsed(profile, edited, at="2026-11-24T12:00:00+00:00")])

    assert outcome.status == "changed"
    assert outcome.article.version == 2
    assert outcome.article.changed_at == "2026-11-24T12:00:00+00:00"


def test_the_same_article_twice_in_one_batch_is_one_row(store, profile):
    store.save([parsed(profile), parsed(profile, at="2026-11-24T10:00:01+00:00")])

    assert count(store, ArticleRecord) == 1


def test_related_links_are_stored_in_order_with_their_listed_titles(store, profile):
    store.save([parsed(profile)])

    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                RelatedLinkRecord.position, RelatedLinkRecord.target_id, RelatedLinkRecord.title
            ).order_by(RelatedLinkRecord.position)
        ).all()
    assert rows[0] == (0, "1808639", "Iran and Russia Reject General Soleimani's Visit to Moscow")
    assert [r.position for r in rows] == list(range(12))


def test_linked_ids_not_archived_are_reported_missing_until_fetched(store, profile):
    store.save([parsed(profile)])
    assert ("alalam_en", "1808639") in store.missing_ids()

    other = seed_html().replace("Iran, Russia Engaged", "Another")
    store.save([parsed(profile, other, url="https://en.alalam.ir/news/1808639")])

    assert ("alalam_en", "1808639") not in store.missing_ids()
    assert len(store.missing_ids()) == 11


def test_a_dropped_page_keeps_its_capture_and_reason_but_no_article(store, profile):
    [outcome] = store.save([parsed(profile, "<html><body><p>No headline</p></body></html>")])

    assert (outcome.status, outcome.drop_reason) == ("dropped", "no_title")
    assert count(store, ArticleRecord) == 0
    with store.engine.connect() as conn:
        capture = conn.execute(select(Capture)).one()
    assert (capture.outcome, capture.reason) == ("dropped", "no_title")


def test_the_page_is_kept_byte_for_byte_once_as_its_capture(store, profile):
    store.save([parsed(profile)])

    with store.engine.connect() as conn:
        [(key, read)] = last_reads(conn).items()
        tables = set(inspect(conn).get_table_names())
    assert key == ("alalam_en", SEED_URL.rsplit("/", 1)[-1])
    assert read.body == seed_html().encode()
    capture = read.capture
    assert (capture.url, capture.http_status, capture.content_type, capture.encoding) == (
        SEED_URL,
        200,
        "text/html",
        "utf-8",
    )
    assert "raw_pages" not in tables  # the body is not kept a second time


def test_an_article_reads_back_as_the_record_it_was_stored_as(store, profile):
    [outcome] = store.save([parsed(profile)])

    [article] = store.iter_articles()

    assert article == outcome.article


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url, profile):
    from crawler.archive.database import create_archive_engine

    engine = create_archive_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def versions_of(store) -> list[tuple[int, str]]:
    from crawler.archive.models import ArticleVersion

    with store.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(ArticleVersion.version, ArticleVersion.title).order_by(
                    ArticleVersion.version
                )
            )
        ]


def test_every_version_keeps_its_title_and_body(store, profile):
    store.save([parsed(profile)])
    edited = seed_html().replace("Iran, Russia Engaged", "Iran and Russia Engaged")

    store.save([parsed(profile, edited, at="2026-11-24T12:00:00+00:00")])

    [(v1, t1), (v2, t2)] = versions_of(store)
    assert (v1, v2) == (1, 2)
    assert t1.startswith("Iran, Russia Engaged") and t2.startswith("Iran and Russia Engaged")
    assert [v.version for v in store.history("alalam_en", "1851093")] == [1, 2]


def test_a_text_returning_to_an_earlier_version_takes_that_versions_number(store, profile):
    store.save([parsed(profile)])
    edited = seed_html().replace("Press TV reported.", "Press TV reported it.")
    store.save([parsed(profile, edited, at="2026-11-24T12:00:00+00:00")])

    [outcome] = store.save([parsed(profile, at="2026-11-24T13:00:00+00:00")])

    assert (outcome.status, outcome.article.version) == ("reverted", 1)
    assert len(versions_of(store)) == 2
    [first, _] = store.history("alalam_en", "1851093")
    assert first.last_seen_at.isoformat() == "2026-11-24T13:00:00+00:00"


def test_a_failed_fetch_is_recorded_and_counted_until_the_page_is_fetched(store, profile):
    from crawler.archive.models import FailedFetch
    from crawler.items import FetchFailure

    failure = FetchFailure(
        "alalam_en", "1851093", SEED_URL, 503, "http_503", "HTTP 503", "2026-11-24T10:00:00+00:00"
    )
    [outcome] = store.save([], [failure])
    store.save([], [failure])
    with store.engine.connect() as conn:
        row = conn.execute(select(FailedFetch)).one()
    assert (outcome.status, row.http_status, row.attempts) == ("failed", 503, 2)

    store.save([parsed(profile)])

    assert count(store, FailedFetch) == 0


def test_the_run_plan_skips_what_is_archived_and_resumes_what_was_discovered(store, profile):
    from datetime import UTC, datetime, timedelta

    from crawler.items import FetchFailure
    from crawler.plan.revisits import RevisitPolicy
    from crawler.plan.schedule import plan_run

    store.save(
        [parsed(profile)],
        [
            FetchFailure(
                "alalam_en",
                "1808639",
                SEED_URL,
                404,
                "http_404",
                "HTTP 404",
                "2026-11-24T10:00:00+00:00",
            )
        ],
    )
    policy = RevisitPolicy((timedelta(hours=1),), timedelta(days=14), timedelta(days=7))

    plan = plan_run(store, "alalam_en", policy, datetime(2026, 11, 24, 11, tzinfo=UTC))

    # archived in 2016 (too old to revisit), and gone
    assert len(plan.skip) == 2 and "1851093" in plan.skip and "1808639" in plan.skip
    assert plan.due == []
    assert len(plan.pending) == 11 and "1808639" not in plan.pending


def test_a_batch_of_known_articles_in_any_order_keeps_each_ones_links_and_versions(store, profile):
    # Rows that already exist come back from a multi-row upsert in no promised order.
    first, second = "https://en.alalam.ir/news/1808639", "https://en.alalam.ir/news/1807000"
    other = seed_html().replace("Iran, Russia Engaged", "Another article")
    store.save([parsed(profile, url=first), parsed(profile, other, url=second)])
    changed = other.replace("Press TV reported.", "Press TV reported it.")

    store.save(
        [
            parsed(profile, changed, url=second, at="2026-11-24T11:00:00+00:00"),
            parsed(profile, url=first, at="2026-11-24T11:00:00+00:00"),
        ]
    )

    articles = {article.article_id: article for article in store.iter_articles()}
    assert articles["1808639"].title.startswith("Iran, Russia Engaged")
    assert articles["1807000"].title.startswith("Another article")
    assert [v.title[:15] for v in store.history("alalam_en", "1808639")] == ["Iran, Russia En"]
    assert [v.title[:15] for v in store.history("alalam_en", "1807000")] == ["Another article"] * 2
