"""The one real page we hold gives exactly the record the spec expects.

The golden record (spec/seed-article.expected.json) predates `authors` and
`field_sources`: every field it names must be unchanged, and the fields
added since are checked here on their own.
"""

from __future__ import annotations

import dataclasses

from crawler.parsing.article import parse_article
from tests.conftest import SEED_URL, seed_expected, seed_html

BOOKKEEPING = {"version", "first_seen_at", "fetched_at", "changed_at"}
ADDED_SINCE_THE_SPEC = {"authors", "field_sources"}


def test_seed_article_gives_the_expected_record(profile):
    result = parse_article(seed_html(), SEED_URL, profile)

    assert result.drop_reason is None
    record = dataclasses.asdict(result.article)
    golden = seed_expected()
    assert {k: record[k] for k in golden} == golden
    assert set(record) - BOOKKEEPING - set(golden) == ADDED_SINCE_THE_SPEC


def test_seed_article_says_every_field_came_from_the_profiles_rules(profile):
    article = parse_article(seed_html(), SEED_URL, profile).article

    assert article.field_sources == {
        "title": "css",
        "published": "css",
        "body": "css",
        "images": "css",
        "language": "html",
    }
    assert article.authors == []  # the seed names no author


def test_seed_article_parses_without_warnings(profile):
    assert parse_article(seed_html(), SEED_URL, profile).warnings == []


def test_record_fields_are_in_schema_order(profile):
    record = dataclasses.asdict(parse_article(seed_html(), SEED_URL, profile).article)

    assert [k for k in record if k in seed_expected()] == list(seed_expected())
