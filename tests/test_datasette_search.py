"""Datasette's ``?_search=`` finds what `news-archive search` finds, in Arabic and Persian too.

A real Datasette, started as a user starts it, over a SQLite archive of the
articles `test_search_languages` stores.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

import pytest

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.store import ArchiveStore
from tests.test_datasette import Browsed, datasette_serving, search_command
from tests.test_search_languages import ARTICLES, QUERIES, _page

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def browsed(tmp_path_factory) -> Iterator[Browsed]:
    url = f"sqlite:///{tmp_path_factory.mktemp('languages') / 'archive.sqlite3'}"
    ensure_current(url)
    engine = create_archive_engine(url, writer=True)
    ArchiveStore(engine).save([_page(key, *values) for key, values in ARTICLES.items()])
    engine.dispose()
    with datasette_serving(url) as base:
        yield Browsed(url, base, None)  # type: ignore[arg-type]


def listed(browsed: Browsed, table: str, query: str) -> set[str]:
    search = urllib.parse.quote(query)
    rows = browsed.json(f"/archive/{table}.json?_search={search}&_shape=array&_size=max")
    return {row["article_id"] for row in rows}  # type: ignore[index]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_the_article_list_search_finds_what_the_search_command_finds(browsed, query, expected):
    found = listed(browsed, "article_list", query)

    assert found == expected
    assert found == set(search_command(browsed.url, query))


def test_the_articles_table_is_searched_through_the_same_index(browsed):
    assert listed(browsed, "articles", "ايران") == {"hamza-below", "hamza-above", "persian-yeh"}
