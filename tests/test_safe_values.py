"""The record's boundary: every value made storable by rule, whatever field holds it."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, Integer, String

from crawler.archive.models import ArticleRecord, Capture, FailedFetch, RelatedLinkRecord
from crawler.archive.store import ParsedPage
from crawler.items import (
    ARTICLE_ID_MAX_LENGTH,
    Article,
    FetchedPage,
    FetchFailure,
    IntegerBits,
    MaxLength,
    RelatedLink,
    Timestamp,
)
from crawler.parsing.article import ParseResult, content_hash
from crawler.parsing.safe_values import InvalidRecord, make_safe, safe_text


def article(**fields) -> Article:
    values = {
        "site": "alalam_en",
        "article_id": "1851093",
        "url": "https://en.alalam.ir/news/1851093",
        "language": "en",
        "title": "A title",
        "kind": "article",
        "published_at": "2016-08-16T13:22:15+00:00",
        "published_local": "2016-08-16T17:52:15+04:30",
        "lead": "Lead.",
        "body": "Lead.",
    }
    return Article(**{**values, **fields})


def link(**fields) -> RelatedLink:
    values = {
        "article_id": "1808639",
        "title": "t",
        "sort": 1,
        "content_type_id": 21,
        "media_url": None,
        "kind": "article",
        "position": 0,
    }
    return RelatedLink(**{**values, **fields})


def codes(warnings: list[str]) -> list[str]:
    return [warning.split(":", 1)[0] for warning in warnings]


def test_nul_goes_and_lone_surrogates_become_replacement_characters():
    assert safe_text("a\x00b") == "ab"
    assert safe_text("a\ud800b") == "a\ufffdb"
    assert safe_text("\ud83d\ude00 \udc00") == "😀 \ufffd"  # a pair is its character
    assert safe_text("plain text") == "plain text"


def test_text_is_made_safe_wherever_it_is_in_the_record():
    record = article(
        title="Ti\x00tle",
        subheadings=["ok", "bad\ud800"],
        related=[link(title="related\x00 \ud800title")],
    )

    warnings = make_safe(record)

    assert (record.title, record.subheadings, record.related[0].title) == (
        "Title",
        ["ok", "bad\ufffd"],
        "related \ufffdtitle",
    )
    assert codes(warnings) == ["unsafe_text"] * 3
    assert "related[0].title" in warnings[2]


def test_numbers_that_do_not_fit_their_column_are_not_kept():
    record = article(
        related=[
            link(sort=10**20, content_type_id=2**31),
            link(article_id="2", sort=2**63 - 1, content_type_id=-(2**31), position=1),
        ],
        word_count=10**12,
    )

    warnings = make_safe(record)

    assert (record.related[0].sort, record.related[0].content_type_id) == (None, None)
    assert (record.related[1].sort, record.related[1].content_type_id) == (2**63 - 1, -(2**31))
    assert record.word_count == 2**31 - 1  # not nullable: the nearest value it can hold
    assert codes(warnings) == ["number_out_of_range"] * 3


@pytest.mark.parametrize(
    "published",
    ["0001-01-01T00:00:00+00:00", "1066-10-14T09:00:00+00:00", "2300-01-01T00:00:00+00:00", "soon"],
)
def test_dates_outside_the_plausible_range_are_not_kept(published):
    record = article(published_at=published)

    warnings = make_safe(record)

    assert record.published_at is None
    assert codes(warnings) == ["implausible_date"]


def test_an_over_long_related_id_is_left_out_and_the_records_own_makes_it_invalid():
    too_long = "1" * (ARTICLE_ID_MAX_LENGTH + 1)
    record = article(related=[link(article_id=too_long), link(article_id="7", position=1)])

    warnings = make_safe(record)

    assert [r.article_id for r in record.related] == ["7"]
    assert codes(warnings) == ["invalid_id"]
    with pytest.raises(InvalidRecord):
        make_safe(article(article_id=too_long))


def test_text_longer_than_its_column_is_cut():
    record = article(language="en-" + "x" * 100)

    warnings = make_safe(record)

    assert len(record.language) == 35
    assert codes(warnings) == ["text_too_long"]


def test_a_field_added_later_is_covered_by_its_type_alone():
    @dataclass
    class LaterArticle(Article):
        updated_at: Timestamp | None = None
        reads: int | None = None

    # authors and field_sources came later too, with no rule of their own.
    given = asdict(article()) | {
        "authors": ["A\x00uthor"],
        "field_sources": {"ti\ud800tle": "json\x00ld"},
    }
    record = LaterArticle(**given, updated_at="0001-01-01T00:00:00+00:00", reads=2**40)

    warnings = make_safe(record)

    assert record.authors == ["Author"]
    assert record.field_sources == {"ti\ufffdtle": "jsonld"}
    assert (record.updated_at, record.reads) == (None, None)
    assert codes(warnings) == ["unsafe_text"] * 3 + ["implausible_date", "number_out_of_range"]


def test_a_safe_record_is_left_as_it_is():
    record = article(related=[link()])
    before = asdict(record)

    assert make_safe(record) == []
    assert asdict(record) == before


RECORD_COLUMNS = [
    (Article, ArticleRecord, {}),
    (RelatedLink, RelatedLinkRecord, {"article_id": "target_id"}),
    (FetchedPage, Capture, {"status": "http_status"}),
    (FetchFailure, FailedFetch, {}),
]


@pytest.mark.parametrize(("record", "model", "renamed"), RECORD_COLUMNS)
def test_the_records_bounds_are_its_columns_bounds(record, model, renamed):
    """A column narrowed or widened without its record field (or the reverse) fails here."""
    import typing

    hints = typing.get_type_hints(record, include_extras=True)
    columns = model.__table__.c
    checked = 0
    for item in dataclasses.fields(record):
        name = renamed.get(item.name, item.name)
        if name not in columns or name in ("published_at",):
            continue
        column_type = columns[name].type
        marks = [m for arg in _annotated(hints[item.name]) for m in arg]
        if isinstance(column_type, String) and column_type.length:
            assert MaxLength(column_type.length) in marks, item.name
            checked += 1
        elif isinstance(column_type, BigInteger):
            assert IntegerBits(64) in marks, item.name
            checked += 1
        elif isinstance(column_type, Integer):
            assert not any(isinstance(m, IntegerBits) for m in marks), item.name
            checked += 1
    assert checked >= 3


def _annotated(hint) -> list[tuple]:
    import typing

    if typing.get_origin(hint) is typing.Annotated:
        return [typing.get_args(hint)[1:]]
    return [m for arg in typing.get_args(hint) for m in _annotated(arg)]


# -- whatever a page holds, once made safe, the archive takes it ---------------------------

anything = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)
any_integer = st.integers(-(2**80), 2**80)


@st.composite
def hostile_articles(draw: st.DrawFn) -> Article:
    title, body = draw(anything), draw(anything)
    return article(
        title=title,
        body=body,
        lead=draw(anything),
        language=draw(anything),
        desk_code=draw(anything),
        subheadings=draw(st.lists(anything, max_size=3)),
        published_at=draw(
            st.sampled_from(
                ["0001-01-01T00:00:00+00:00", "2016-08-16T13:22:15+00:00", "9999-01-01T00:00Z"]
            )
        ),
        related=[
            link(
                article_id=draw(st.sampled_from(["5", "1" * 256, "\x00", "x" * 300])),
                title=draw(anything),
                sort=draw(any_integer),
                content_type_id=draw(any_integer),
                media_url=draw(anything),
                kind=draw(anything),
                position=n,
            )
            for n in range(draw(st.integers(0, 3)))
        ],
        word_count=draw(any_integer),
        content_hash=content_hash(title, body),
    )


def test_any_record_made_safe_is_stored_and_reads_back_as_it_was_made(store):
    at = datetime(2026, 11, 24, tzinfo=UTC).isoformat()

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(hostile_articles())
    def stored_as_made(record: Article) -> None:
        make_safe(record)
        page = FetchedPage(
            "alalam_en", "1851093", record.url, record.url, 200, None, "utf-8", b"", at
        )
        [outcome] = store.save([ParsedPage(page, ParseResult(record))])
        assert outcome.article is not None
        assert asdict(store.article("alalam_en", "1851093")) == asdict(outcome.article)

    stored_as_made()
