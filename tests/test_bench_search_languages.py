"""The benchmark's search-per-language figures: measured on a real archive, named in the table."""

from __future__ import annotations

from bench.report import table
from bench.search_languages import QUERIES, measure


def test_every_languages_queries_find_articles_and_are_timed_against_english(sqlite_url):
    figures = measure({"sqlite": sqlite_url}, per_language=20)

    for language, queries in QUERIES.items():
        assert figures["sqlite"][language]["queries_with_hits"] == len(queries), language
    assert set(figures["sqlite"]["ar"]) >= {"median_ms", "max_ms", "ratio_to_en"}
    assert set(figures["normalising"]) == {"en", "ar", "fa"}


def test_the_table_gives_a_row_a_database_and_the_index_texts_cost():
    by_language = {
        "en": {"median_ms": 2.0},
        "ar": {"median_ms": 3.0, "ratio_to_en": 1.5},
        "fa": {"median_ms": 5.0, "ratio_to_en": 2.5},
    }
    cost = {
        "en": {"us": 100},
        "ar": {"us": 300, "ratio_to_en": 3.0},
        "fa": {"us": 150, "ratio_to_en": 1.5},
    }
    results = {
        "search_languages": {
            "articles_per_language": 5000,
            "sqlite": by_language,
            "normalising": cost,
        }
    }

    lines = table(results).splitlines()

    [sqlite] = [line for line in lines if "search per language, sqlite" in line]
    assert "ar 1.50 x, fa 2.50 x" in sqlite and "MISSED" in sqlite
    assert any("100 / 300 / 150 us CPU" in line for line in lines)
