"""The storage API against a model of what the archive must hold, on SQLite and PostgreSQL.

Hypothesis drives random sequences of batches (new, unchanged, changed,
reverted and dropped pages, the same page twice in a batch, failed fetches,
re-parses, pages holding a value no database can store, in any order, two
sites sharing article ids) through `ArchiveStore.save`, by way of the
isolating save the archive worker uses. After every batch the whole archive
is read back through the same API and compared with
`ArchiveModel`, which knows the rules of ARTICLE-SCHEMA.md and the README
and nothing of SQL: every field of every record (generically, so fields
added later are covered), every link and image on its own article, every
version, raw page and failed fetch, and every JSON column as readable UTF-8.

One generator makes the pages; a `Variation` says what they are made of:

- ``general``: number ids and a few texts of several scripts;
- ``utf8_json``: texts of quotes, dashes, Persian, Arabic, an emoji, JSON's
  own specials, a backslash before a "u" and control characters, and
  warnings that may quote a lone surrogate (the record's boundary replaces
  one in an article, but a warning may still hold one);
- ``slugs_sources``: slug ids up to the id column's bound, some behind a
  date path, so that authors and field sources travel with long keys.
"""

from __future__ import annotations

import copy
import json
import random
import string
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select, text

from crawler.archive.isolation import save_isolating
from crawler.archive.models import (
    ArticleRecord,
    ArticleVersion,
    Capture,
    FailedFetch,
    ImageRecord,
    Payload,
    RelatedLinkRecord,
)
from crawler.archive.store import ArchiveStore, ParsedPage
from crawler.items import (
    ARTICLE_ID_MAX_LENGTH,
    Article,
    FetchedPage,
    FetchFailure,
    Image,
    RelatedLink,
)
from crawler.parsing.article import ParseResult, content_hash
from tests.archive_db import last_reads

if TYPE_CHECKING:
    from collections.abc import Callable

SITES = ("alalam_en", "other_site")
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TEHRAN = ZoneInfo("Asia/Tehran")
Key = tuple[str, str]

# A few texts, so that pages often repeat, change and flip back to an earlier text.
titles = st.sampled_from(("Talks resume", "Talks resume in Tehran", "Ministers meet"))
bodies = st.sampled_from(("One.", "One.\n\nTwo.", "Ein Text: ÄÖÜ — ‘quoted’ 😀"))
WORDS = (
    "Tehran",
    "“Quoted” ministers’ talks",
    "مجلس شورای",
    "Москва",
    "café 😀",
    "x" * 300,
    "Ana Pérez",
    "李雷",
    "J. Smith",
    "Συντάκτης",
)
WARNING_CODES = ("no_date", "charset_detected", "related_missing")
# Quotes and dashes of news text, Persian and Arabic, an emoji, JSON's own
# specials, a backslash before a "u" and a control character.
PIECES = (
    "Iran",
    "’s",
    "“air base”",
    "\u2013",  # an en dash
    "تهران",
    "العالم",
    "🚀",
    '"',
    "\\u2019",
    "\\",
    "\t",
    "\x01",
    " ",
)
# A lone surrogate cannot be UTF-8 (nor stored as text): the record's boundary
# replaces it in the article, but a warning may still quote one.
WARNING_PIECES = (*PIECES, "\ud800")
SOURCES = ("css", "json-ld", "opengraph", "title-tag", "trafilatura", "htmldate")
FIELDS = ("title", "published", "body", "authors", "images", "language")
POISON = 10**20
STORE_ERROR = "store_error"


def pieces(rng: random.Random, choices: tuple[str, ...] = PIECES) -> str:
    return "".join(rng.choice(choices) for _ in range(rng.randint(0, 6)))


def slug(size: int, *, dated: bool = False) -> str:
    """A slug id of exactly `size` characters, behind a date path if `dated`."""
    rng = random.Random(size * 2 + dated)
    alphabet = string.ascii_lowercase + string.digits + "-"
    text = rng.choice(string.ascii_lowercase) + "".join(
        rng.choice(alphabet) for _ in range(size - 1)
    )
    return "2024/05/12/" + text[: size - 11] if dated else text


@dataclass(frozen=True)
class Variation:
    """What the generated pages are made of; the model and its rules are the same for all."""

    name: str
    ids: tuple[str, ...]
    """The ids pages are drawn from: few, so that pages repeat."""
    unknown_ids: tuple[str, ...]
    """More ids related links may name, never fetched: the archive's missing ids."""
    text: Callable[[random.Random], str]
    """Subheadings, captions, link titles and authors."""
    warning: Callable[[random.Random], str]


VARIATIONS = [
    Variation(
        "general",
        ids=("11", "12", "13", "14", "15"),
        unknown_ids=("99", "1851093"),
        text=lambda rng: rng.choice(WORDS),
        warning=lambda rng: rng.choice(WARNING_CODES),
    ),
    Variation(
        "utf8_json",
        ids=("11", "12", "13", "14", "15"),
        unknown_ids=("99",),
        text=pieces,
        warning=lambda rng: rng.choice(
            (rng.choice(WARNING_CODES), f"note: {pieces(rng, WARNING_PIECES)}")
        ),
    ),
    Variation(
        "slugs_sources",
        # Up to the id column's bound, and as long again behind a date path.
        ids=(
            slug(1),
            slug(12),
            slug(60),
            slug(60, dated=True),
            slug(ARTICLE_ID_MAX_LENGTH),
            slug(ARTICLE_ID_MAX_LENGTH, dated=True),
        ),
        unknown_ids=("never-fetched", slug(ARTICLE_ID_MAX_LENGTH - 1, dated=True)),
        text=lambda rng: rng.choice(WORDS),
        warning=lambda rng: rng.choice(WARNING_CODES),
    ),
]


def maybe(rng: random.Random, value: Any) -> Any:
    return value if rng.random() < 0.7 else None


def related_links(rng: random.Random, variation: Variation) -> list[RelatedLink]:
    targets = (*variation.ids, *variation.unknown_ids)
    return [
        RelatedLink(
            article_id=target,
            title=maybe(rng, variation.text(rng)),
            sort=maybe(rng, rng.randint(-(2**63), 2**63 - 1)),
            content_type_id=maybe(rng, rng.randint(-(2**31), 2**31 - 1)),
            media_url=maybe(rng, f"https://media.example/{target}.jpg"),
            kind=rng.choice(("article", "video", "gallery")),
            position=position,
        )
        for position, target in enumerate(rng.sample(targets, rng.randint(0, 4)))
    ]


@st.composite
def articles(draw: st.DrawFn, variation: Variation, site: str, article_id: str) -> Article:
    """What decides the archive's course (the text) is drawn; the rest comes from one seed.

    Drawing a seed instead of each field keeps generation cheap, so that the
    examples go to sequences of batches rather than to drawing.
    """
    title, body = draw(titles), draw(bodies)
    rng = random.Random(draw(st.integers(0, 2**32)))
    published = maybe(
        rng, datetime(2000, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 10**9))
    )
    local = published.astimezone(TEHRAN).isoformat() if published else None
    return Article(
        site=site,
        article_id=article_id,
        url=f"https://{site}.example/news/{article_id}",
        language=rng.choice(("en", "en-GB", "fa", "de")),
        title=title,
        kind=rng.choice(("article", "video")),
        published_at=published.isoformat() if published else None,
        # A page may give a bare date, with or without an instant elsewhere.
        published_local=rng.choice((local, local, "2024-05-12")),
        lead=body.split("\n\n")[0],
        body=body,
        subheadings=[variation.text(rng) for _ in range(rng.randint(0, 3))],
        desk_code=maybe(rng, rng.choice(("FB/SH 1", "A/MR 22"))),
        images=[
            Image(
                rng.choice(("https://media.example/a.jpg", "https://m.example/b")),
                maybe(rng, variation.text(rng)),
            )
            for _ in range(rng.randint(0, 3))
        ],
        related=related_links(rng, variation),
        related_complete=rng.random() < 0.8,
        word_count=len(body.split()),
        content_hash=content_hash(title, body),
        authors=[variation.text(rng) for _ in range(rng.randint(0, 3))],
        field_sources={f: rng.choice(SOURCES) for f in rng.sample(FIELDS, rng.randint(0, 6))},
    )


@dataclass
class Fetch:
    """One page of a batch, as drawn: where, and what the parser made of it."""

    site: str
    article_id: str
    article: Article | None
    drop_reason: str | None
    warnings: list[str]
    body: bytes


@st.composite
def fetches(draw: st.DrawFn, variation: Variation) -> Fetch:
    site, article_id = draw(st.sampled_from(SITES)), draw(st.sampled_from(variation.ids))
    dropped = draw(st.integers(0, 5)) == 0
    article = None if dropped else draw(articles(variation, site, article_id))
    rng = random.Random(draw(st.integers(0, 2**32)))
    if article is not None and draw(st.integers(0, 7)) == 0:
        # A value past the record's boundary that neither database can store:
        # the page must be isolated, the rest of its batch stored.
        article.word_count = POISON
    return Fetch(
        site,
        article_id,
        article,
        draw(st.sampled_from(("no_title", "empty_page"))) if dropped else None,
        [variation.warning(rng) for _ in range(rng.randint(0, 3))],
        f"<html>{site} {article_id}</html>".encode(),
    )


@st.composite
def failures(draw: st.DrawFn, variation: Variation) -> tuple[str, str, int | None, str]:
    status = draw(st.sampled_from((404, 503, None)))
    reason = {404: "http_404", 503: "http_503", None: "timeout"}[status]
    return draw(st.sampled_from(SITES)), draw(st.sampled_from(variation.ids)), status, reason


def _poisoned(unit: ParsedPage | FetchFailure) -> bool:
    return (
        isinstance(unit, ParsedPage)
        and bool(unit.result.article)
        and (
            unit.result.article.word_count == POISON  # type: ignore[union-attr]
        )
    )


def _reason(stored: str | None) -> str | None:
    """A drop reason, with the database's own words after ``store_error:`` left out."""
    return STORE_ERROR if stored and stored.startswith(f"{STORE_ERROR}:") else stored


JSON_COLUMNS = {"articles": ("subheadings", "authors", "field_sources")}


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (key, *strings(item))]
    return []


def has_lone_surrogate(value: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def assert_readable(stored: str, expected: Any) -> None:
    """The same JSON, with every character UTF-8 can hold written as itself, not escaped."""
    assert json.loads(stored) == expected
    texts = strings(expected)
    if any(has_lone_surrogate(s) for s in texts):
        return  # not UTF-8: kept as JSON escapes, which lose nothing
    for character in {c for s in texts for c in s if ord(c) >= 0x80}:
        assert character in stored, (character, stored)


@dataclass
class ModelArticle:
    record: dict[str, Any]
    fetch_count: int
    versions: dict[int, dict[str, Any]] = field(default_factory=dict)


class ArchiveModel:
    """What the archive must hold after each save, by the documented rules alone."""

    def __init__(self) -> None:
        self.articles: dict[Key, ModelArticle] = {}
        self.raw: dict[Key, dict[str, Any]] = {}
        self.failed: dict[Key, dict[str, Any]] = {}

    def save_isolating(
        self, units: list[ParsedPage | FetchFailure], *, reparse: bool
    ) -> list[tuple[str, dict[str, Any] | None]]:
        """A batch stored whole if it can be; else its halves, down to the page at fault."""
        if not any(_poisoned(unit) for unit in units):  # every fetch is stored, in order
            pages = [unit for unit in units if isinstance(unit, ParsedPage)]
            failed = [unit for unit in units if isinstance(unit, FetchFailure)]
            return self.save(pages, failed, reparse=reparse)
        if len(units) > 1:
            half = len(units) // 2
            return self.save_isolating(units[:half], reparse=reparse) + self.save_isolating(
                units[half:], reparse=reparse
            )
        [page] = units
        assert isinstance(page, ParsedPage)
        dropped = ParsedPage(page.page, ParseResult(None, STORE_ERROR, list(page.result.warnings)))
        return self.save([dropped], [], reparse=reparse)

    def save(
        self, pages: list[ParsedPage], failed: list[FetchFailure], *, reparse: bool
    ) -> list[tuple[str, dict[str, Any] | None]]:
        """Apply a batch; return each page's and failure's (status, record)."""
        # Every fetch of a batch is stored, in the batch's order (each is a capture).
        answers: list[tuple[str, dict[str, Any] | None]] = []
        for parsed in pages:
            key = (parsed.page.site, parsed.page.article_id)
            self._raw(key, parsed, reparse=reparse)
            if parsed.result.article is not None:
                status, record = self._article(key, parsed, reparse=reparse)
                answers.append((status, copy.deepcopy(record)))
            else:
                answers.append(("dropped", None))
            if not reparse:
                self.failed.pop(key, None)
        for key, failure in {(f.site, f.article_id): f for f in failed}.items():
            at = datetime.fromisoformat(failure.failed_at)
            before = self.failed.get(key)
            self.failed[key] = {
                "url": failure.url,
                "http_status": failure.http_status,
                "reason": failure.reason,
                "error": failure.error,
                "attempts": before["attempts"] + 1 if before else 1,
                "first_failed_at": before["first_failed_at"] if before else at,
                "last_failed_at": at,
            }
        return answers + [("failed", None)] * len(failed)

    def _raw(self, key: Key, parsed: ParsedPage, *, reparse: bool) -> None:
        page, result = parsed.page, parsed.result
        outcome = {
            "outcome": "archived" if result.article else "dropped",
            "drop_reason": result.drop_reason,
            "warnings": list(result.warnings),
        }
        if reparse:  # a page re-read from no capture of its own leaves the captures be
            return
        self.raw[key] = {
            "url": page.url,
            "final_url": page.final_url,
            "http_status": page.status,
            "content_type": page.content_type,
            "encoding": page.encoding,
            "fetched_at": datetime.fromisoformat(page.fetched_at),
            "body": page.body,
            **outcome,
        }

    def _article(self, key: Key, parsed: ParsedPage, *, reparse: bool) -> tuple[str, dict]:
        article = parsed.result.article
        assert article is not None
        seen = datetime.fromisoformat(parsed.page.fetched_at)
        text = {"content_hash": article.content_hash, "title": article.title, "body": article.body}
        known = self.articles.get(key)
        if known is None:
            status, version, first_seen, changed = "new", 1, seen, seen
            known = self.articles[key] = ModelArticle({}, fetch_count=1)
        else:
            known.fetch_count += 0 if reparse else 1
            first_seen = datetime.fromisoformat(known.record["first_seen_at"])
            by_hash = {v["content_hash"]: n for n, v in known.versions.items()}
            if article.content_hash == known.record["content_hash"]:
                status, version = "unchanged", known.record["version"]
                changed = datetime.fromisoformat(known.record["changed_at"])
            elif article.content_hash in by_hash:
                status, version, changed = "reverted", by_hash[article.content_hash], seen
            else:
                status, version, changed = "changed", max(known.versions) + 1, seen
        if version in known.versions:
            known.versions[version]["last_seen_at"] = seen
        else:
            known.versions[version] = {**text, "first_seen_at": seen, "last_seen_at": seen}
        known.record = {
            **asdict(article),
            "version": version,
            "first_seen_at": first_seen.isoformat(),
            "fetched_at": seen.isoformat(),
            "changed_at": changed.isoformat(),
        }
        return status, known.record

    def missing(self) -> set[Key]:
        return {
            (site, link["article_id"])
            for (site, _), known in self.articles.items()
            for link in known.record["related"]
            if (site, link["article_id"]) not in self.articles
        }


class ArchiveMachine(RuleBasedStateMachine):
    """Random batches through the storage API, the archive checked against the model."""

    def __init__(self, store: ArchiveStore, variation: Variation) -> None:
        super().__init__()
        self.store = store
        self.variation = variation
        self.model = ArchiveModel()
        self.clock = START
        with store.engine.begin() as conn:
            for model in (RelatedLinkRecord, ImageRecord, ArticleVersion, ArticleRecord):
                conn.execute(delete(model))
            conn.execute(delete(FailedFetch))
            conn.execute(delete(Capture))
            conn.execute(delete(Payload))

    def _tick(self, micros: int) -> str:
        self.clock += timedelta(seconds=1, microseconds=micros)
        return self.clock.isoformat()

    @rule(data=st.data())
    def save_a_batch(self, data: st.DataObject) -> None:
        batch = data.draw(
            st.lists(st.tuples(fetches(self.variation), st.integers(0, 999_999)), max_size=7)
        )
        failed = data.draw(st.lists(failures(self.variation), max_size=2))
        pages = []
        for fetch, micros in batch:
            url = f"https://{fetch.site}.example/news/{fetch.article_id}"
            page = FetchedPage(
                fetch.site,
                fetch.article_id,
                url,
                url + "/slug",
                200,
                "text/html; charset=utf-8",
                "utf-8",
                fetch.body,
                self._tick(micros),
                [],
            )
            result = ParseResult(copy.deepcopy(fetch.article), fetch.drop_reason, fetch.warnings)
            pages.append(ParsedPage(page, result))
        failures_ = [
            FetchFailure(
                site, i, f"https://{site}.example/news/{i}", status, reason, "e", self._tick(0)
            )
            for site, i, status, reason in failed
        ]
        self._save(pages, failures_, reparse=False)

    @precondition(lambda self: bool(self.model.raw))
    @rule(data=st.data())
    def reparse_stored_pages(self, data: st.DataObject) -> None:
        keys = data.draw(st.lists(st.sampled_from(sorted(self.model.raw)), min_size=1, max_size=4))
        pages = []
        for site, article_id in keys:
            raw = self.model.raw[site, article_id]
            page = FetchedPage(
                site,
                article_id,
                raw["url"],
                raw["final_url"],
                raw["http_status"],
                raw["content_type"],
                raw["encoding"],
                raw["body"],
                raw["fetched_at"].isoformat(),
                [],
            )
            drawn = data.draw(fetches(self.variation))
            article = drawn.article and data.draw(articles(self.variation, site, article_id))
            pages.append(ParsedPage(page, ParseResult(article, drawn.drop_reason, drawn.warnings)))
        self._save(pages, [], reparse=True)

    def _save(self, pages: list[ParsedPage], failed: list[FetchFailure], *, reparse: bool) -> None:
        """Through the isolating save the archive worker uses, which calls ArchiveStore.save."""
        expected = self.model.save_isolating([*copy.deepcopy(pages), *failed], reparse=reparse)
        outcomes = save_isolating(self.store, pages, failed, retry_budget=0, reparse=reparse)
        assert [(o.status, o.article and asdict(o.article)) for o in outcomes] == expected

    @invariant()
    def every_article_holds_its_own_fields_links_and_images(self) -> None:
        archived = {(a.site, a.article_id): asdict(a) for a in self.store.iter_articles()}
        assert archived == {key: known.record for key, known in self.model.articles.items()}

    @invariant()
    def every_article_keeps_its_own_versions_and_fetch_count(self) -> None:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(ArticleRecord.site, ArticleRecord.article_id, ArticleVersion).join(
                    ArticleVersion, ArticleVersion.article_pk == ArticleRecord.id
                )
            ).all()
            counts = dict(
                conn.execute(
                    select(
                        ArticleRecord.site + "/" + ArticleRecord.article_id,
                        ArticleRecord.fetch_count,
                    )
                ).all()
            )
        versions: dict[Key, dict[int, dict[str, Any]]] = {}
        for row in rows:
            versions.setdefault((row.site, row.article_id), {})[row.version] = {
                "content_hash": row.content_hash,
                "title": row.title,
                "body": row.body,
                "first_seen_at": row.first_seen_at,
                "last_seen_at": row.last_seen_at,
            }
        assert versions == {key: known.versions for key, known in self.model.articles.items()}
        assert counts == {
            f"{site}/{article_id}": known.fetch_count
            for (site, article_id), known in self.model.articles.items()
        }

    @invariant()
    def every_pages_last_read_and_failure_is_as_last_recorded(self) -> None:
        with self.store.engine.connect() as conn:
            reads = last_reads(conn)
            raw = {
                key: {
                    "url": read.capture.url,
                    "final_url": read.capture.final_url,
                    "http_status": read.capture.http_status,
                    "content_type": read.capture.content_type,
                    "encoding": read.capture.encoding,
                    "fetched_at": read.capture.fetched_at,
                    "body": read.body,
                    "outcome": read.outcome,
                    "drop_reason": _reason(read.capture.reason)
                    if read.outcome == "dropped"
                    else None,
                    "warnings": read.capture.warnings,
                }
                for key, read in reads.items()
            }
            failed = {
                (row.site, row.article_id): {
                    "url": row.url,
                    "http_status": row.http_status,
                    "reason": row.reason,
                    "error": row.error,
                    "attempts": row.attempts,
                    "first_failed_at": row.first_failed_at,
                    "last_failed_at": row.last_failed_at,
                }
                for row in conn.execute(select(FailedFetch))
            }
        assert raw == self.model.raw
        assert failed == self.model.failed
        assert set(self.store.missing_ids()) == self.model.missing()

    @invariant()
    def every_json_column_holds_readable_utf8(self) -> None:
        with self.store.engine.connect() as conn:
            stored = {
                (table, column, site, article_id): value
                for table, columns in JSON_COLUMNS.items()
                for column in columns
                for site, article_id, value in conn.execute(
                    text(f"SELECT site, article_id, CAST({column} AS TEXT) FROM {table}")
                )
            }
            reads = {key: read.capture.id for key, read in last_reads(conn).items()}
            stored |= {
                ("captures", "warnings", site, article_id): value
                for capture_id, site, article_id, value in conn.execute(
                    text("SELECT id, site, article_id, CAST(warnings AS TEXT) FROM captures")
                )
                if reads.get((site, article_id)) == capture_id
            }
        expected = {
            ("articles", column, *key): known.record[column]
            for key, known in self.model.articles.items()
            for column in JSON_COLUMNS["articles"]
        } | {("captures", "warnings", *key): raw["warnings"] for key, raw in self.model.raw.items()}
        assert set(stored) == set(expected)
        for place, value in expected.items():
            assert_readable(stored[place], value)


@pytest.mark.parametrize("variation", VARIATIONS, ids=lambda variation: variation.name)
def test_random_batches_leave_the_archive_exactly_as_the_model_says(store, variation):
    run_state_machine_as_test(
        lambda: ArchiveMachine(store, variation),
        settings=settings(
            max_examples=12,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
