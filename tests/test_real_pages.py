"""Real pages of ten sites, read with the `generic` profile: every field from the fallbacks.

The pages and their hand-checked text are in fixtures/real_pages (see its
README for their sources). The body is compared with the hand-checked text
as the F1 of word 4-grams, next to plain trafilatura on the same pages; the
title and the day of publication next to trafilatura's metadata and htmldate.
"""

from __future__ import annotations

import statistics

import pytest

from bench.extraction import fields, ngram_f1, quality, real_pages
from crawler.parsing.article import parse_article
from crawler.sites import get_profile

PAGES = {page.name: page for page in real_pages()}


@pytest.fixture(scope="module")
def parsed():
    generic = get_profile("generic")
    return {
        name: parse_article(page.html, page.expected["url"], generic).article
        for name, page in PAGES.items()
    }


def test_there_are_real_pages_from_at_least_five_sites_in_several_languages():
    assert len(PAGES) >= 5
    assert len({page.expected["language"] for page in PAGES.values()}) >= 3


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_headline_is_found_on_every_page(parsed, name):
    assert parsed[name].title == PAGES[name].expected["title"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_date_the_page_states_is_found(parsed, name):
    expected = PAGES[name].expected["published_date"]
    published = parsed[name].published_local

    assert (published or "")[:10] == (expected or "")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_body_matches_the_hand_checked_text(parsed, name):
    assert ngram_f1(parsed[name].body, PAGES[name].expected_text) >= 0.85


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_field_says_it_came_from_a_fallback(parsed, name):
    sources = parsed[name].field_sources

    assert sources["title"] in ("json-ld", "opengraph", "title-tag", "h1")
    assert sources["body"] in ("trafilatura", "json-ld")
    assert "css" not in sources.values()


def test_the_bodies_match_at_least_as_well_as_plain_trafilatura():
    rows = quality(list(PAGES.values()))
    ours = statistics.mean(row["f1"] for row in rows)
    plain = statistics.mean(row["f1_trafilatura"] for row in rows)

    assert ours >= 0.93
    assert ours >= plain - 0.01


def test_titles_and_days_are_right_at_least_as_often_as_trafilatura_and_htmldate():
    rows = fields(list(PAGES.values()))

    def right(key: str) -> int:
        return sum(bool(row[key]) for row in rows)

    assert right("title") >= right("title_trafilatura")
    assert right("date") >= max(right("date_trafilatura"), right("date_htmldate"))
