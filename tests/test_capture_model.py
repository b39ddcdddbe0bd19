"""Captures against a model: random fetches (new, edited, reverted, 304, notice, drift).

Hypothesis drives random runs of batches through the isolating save the archive
worker uses, with the quality gate on, on SQLite and PostgreSQL. `CaptureModel`
knows the documented rules and nothing of SQL. After every batch: no capture is
lost (one a fetch, in order, each with the outcome, version and reason the
rules give), every version points at the capture it was read from, and no held
capture ever shows as a version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, select

from crawler.archive.gate import SiteSources
from crawler.archive.isolation import save_isolating
from crawler.archive.models import (
    ArticleRecord,
    ArticleVersion,
    Capture,
    CrawlRun,
    FailedFetch,
    ImageRecord,
    Payload,
    RelatedLinkRecord,
)
from crawler.archive.save import GateContext
from crawler.archive.store import ParsedPage
from crawler.items import Article, FetchedPage
from crawler.parsing.article import ParseResult, content_hash

SITE = "alalam_en"
IDS = ("1", "2", "3", "4")
TEXTS = ("One.", "One.\n\nTwo.", "Three.")
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
DATE = "2026-11-20T08:00:00+00:00"
NOTICE = "This page is temporarily unavailable."
ALL_RULES = frozenset({"title", "published", "body"})
CSS = {"title": "css", "published": "css", "body": "css"}
KINDS = ("page", "page", "page", "not_modified", "notice", "drift")


def article(article_id: str, kind: str, text: str) -> Article:
    """What the parser makes of the page a fetch brings (a 304 brings none)."""
    title, body, published, sources = "Talks resume", text, DATE, CSS
    if kind == "notice":  # the site's layout, an outage notice where the article was
        title, body, published = "Alalam", NOTICE, None
        sources = {"title": "title-tag", "body": "trafilatura"}
    elif kind == "drift":  # the date moved where the profile's rule no longer looks
        sources = {**CSS, "published": "htmldate"}
    return Article(
        site=SITE,
        article_id=article_id,
        url=f"https://en.alalam.ir/news/{article_id}",
        language="en",
        title=title,
        kind="article",
        published_at=published,
        published_local=None,
        lead=None,
        body=body,
        field_sources=sources,
        content_hash=content_hash(title, body),
    )


@dataclass
class ModelArticle:
    current: Article
    versions: dict[str, int] = field(default_factory=dict)
    """Each text's hash and its version number."""


class CaptureModel:
    """The documented rules: the gate over the run, then the versioning rule."""

    def __init__(self) -> None:
        self.articles: dict[str, ModelArticle] = {}
        self.captures: dict[str, list[tuple[str, int | None, str | None]]] = {}
        self.run_rules: set[str] = set()

    def new_run(self) -> None:
        self.run_rules = set()

    def fetch_batch(self, fetches: list[tuple[str, str, str]]) -> None:
        records = {
            aid: article(aid, kind, text) for aid, kind, text in fetches if kind != "not_modified"
        }
        for record in records.values():  # the run's tally counts the whole batch first
            self.run_rules |= {
                name for name, source in record.field_sources.items() if source == "css"
            }
        for article_id, _kind, _ in fetches:
            self.captures.setdefault(article_id, []).append(
                self._outcome(article_id, records.get(article_id))
            )

    def _outcome(
        self, article_id: str, record: Article | None
    ) -> tuple[str, int | None, str | None]:
        known = self.articles.get(article_id)
        if record is None:  # a 304
            if known is None:
                return ("dropped", None, "not_modified: the archive holds no version it confirms")
            return ("not_modified", known.versions[known.current.content_hash], None)
        read_by_rules = {name for name, source in record.field_sources.items() if source == "css"}
        if ALL_RULES - self.run_rules or not read_by_rules:
            return ("held", None, "layout_drift")
        if known is not None:
            lost = [
                name
                for name, had, has in (
                    ("published_at", known.current.published_at, record.published_at),
                    ("body", known.current.body, record.body),
                )
                if had and not has
            ]
            if lost:
                return ("held", None, f"lost_fields: {', '.join(lost)}")
        if known is None:
            self.articles[article_id] = ModelArticle(record, {record.content_hash: 1})
            return ("new", 1, None)
        if record.content_hash == known.current.content_hash:
            return ("unchanged", known.versions[record.content_hash], None)
        version = known.versions.setdefault(record.content_hash, max(known.versions.values()) + 1)
        known.current = record
        return ("version", version, None)


class CaptureMachine(RuleBasedStateMachine):
    def __init__(self, store) -> None:
        super().__init__()
        self.store = store
        self.model = CaptureModel()
        self.clock = START
        self.gate = GateContext({SITE: SiteSources(ruled=ALL_RULES, recent=ALL_RULES)})
        self.fetched = 0
        with store.engine.begin() as conn:
            for table in (
                RelatedLinkRecord,
                ImageRecord,
                ArticleVersion,
                ArticleRecord,
                Capture,
                Payload,
                FailedFetch,
                CrawlRun,
            ):
                conn.execute(delete(table))

    @rule()
    def a_new_run_starts(self) -> None:
        self.gate.runs.clear()
        self.model.new_run()

    @rule(
        fetches=st.lists(
            st.tuples(st.sampled_from(IDS), st.sampled_from(KINDS), st.sampled_from(TEXTS)),
            min_size=1,
            max_size=4,
            unique_by=lambda fetch: fetch[0],
        )
    )
    def a_batch_of_fetches_is_stored(self, fetches: list[tuple[str, str, str]]) -> None:
        pages = []
        for article_id, kind, text in fetches:
            self.clock += timedelta(minutes=1)
            url = f"https://en.alalam.ir/news/{article_id}"
            not_modified = kind == "not_modified"
            body = b"" if not_modified else f"<html>{kind} {text}</html>".encode()
            page = FetchedPage(
                SITE,
                article_id,
                url,
                url,
                304 if not_modified else 200,
                None if not_modified else "text/html",
                "utf-8",
                body,
                self.clock.isoformat(),
            )
            record = None if not_modified else article(article_id, kind, text)
            pages.append(ParsedPage(page, ParseResult(record)))
        self.model.fetch_batch(fetches)
        save_isolating(self.store, pages, retry_budget=0, gate=self.gate)
        self.fetched += len(fetches)

    def _captures(self) -> list[Capture]:
        with self.store.engine.connect() as conn:
            return list(conn.execute(select(Capture).order_by(Capture.id)))

    @invariant()
    def no_capture_is_lost_and_each_has_the_outcome_the_rules_give(self) -> None:
        rows = self._captures()
        assert len(rows) == self.fetched
        stored: dict[str, list[tuple[str, int | None, str | None]]] = {}
        for row in rows:
            stored.setdefault(row.article_id, []).append((row.outcome, row.version, row.reason))
        assert stored == self.model.captures

    @invariant()
    def every_version_points_at_the_capture_it_was_read_from(self) -> None:
        captures = {row.id: row for row in self._captures()}
        with self.store.engine.connect() as conn:
            versions = conn.execute(
                select(
                    ArticleRecord.article_id, ArticleVersion.version, ArticleVersion.capture_id
                ).join(ArticleRecord, ArticleRecord.id == ArticleVersion.article_pk)
            ).all()
        for article_id, version, capture_id in versions:
            capture = captures[capture_id]
            assert (capture.article_id, capture.version) == (article_id, version)
            assert capture.outcome in ("new", "version")
        expected = {
            (aid, n) for aid, known in self.model.articles.items() for n in known.versions.values()
        }
        assert {(aid, n) for aid, n, _ in versions} == expected

    @invariant()
    def no_held_capture_ever_shows_as_a_version(self) -> None:
        held = {row.id for row in self._captures() if row.outcome == "held"}
        with self.store.engine.connect() as conn:
            linked = set(conn.execute(select(ArticleVersion.capture_id)).scalars())
            texts = set(conn.execute(select(ArticleRecord.body)).scalars())
            texts |= set(conn.execute(select(ArticleVersion.body)).scalars())
        assert not held & linked
        assert NOTICE not in texts


def test_random_fetches_keep_every_capture_as_the_model_says(store):
    run_state_machine_as_test(
        lambda: CaptureMachine(store),
        settings=settings(
            max_examples=25,
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
