"""The one real page we hold gives exactly the record the spec expects."""

from __future__ import annotations

import dataclasses

from crawler.parsing.article import parse_article
from tests.conftest import SEED_URL, seed_expected, seed_html

BOOKKEEPING = {"version", "first_seen_at", "fetched_at", "changed_at"}


def test_seed_article_gives_the_expected_record(profile):
    result = parse_article(seed_html(), SEED_URL, profile)

    assert result.drop_reason is None
    record = dataclasses.asdict(result.article)
    assert {k: v for k, v in record.items() if k not in BOOKKEEPING} == seed_expected()


def test_seed_article_parses_without_warnings(profile):
    assert parse_article(seed_html(), SEED_URL, profile).warnings == []


def test_record_fields_are_in_schema_order(profile):
    record = dataclasses.asdict(parse_article(seed_html(), SEED_URL, profile).article)

    assert [k for k in record if k not in BOOKKEEPING] == list(seed_expected())
