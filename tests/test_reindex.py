"""`news-archive db reindex`: the search text read again by the running code's normalisation.

What a release that changes crawler/archive/search_text.py asks its users to run; an
older reading is made here by writing the search text by hand, as another version of the
code would have.
"""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import text

from crawler.archive.search import SearchFilters
from crawler.archive.search_query import parse_query
from crawler.cli import cli
from tests.test_capture_migration import rows
from tests.test_search_languages import _page


def found(store, query: str) -> set[str]:
    return {hit.article_id for hit in store.search(parse_query(query), SearchFilters())}


def read_as_written(store, article_id: str) -> None:
    """The article's search text as a version of the code that did not fold Arabic left it."""
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE articles SET search_title = NULL, search_body = NULL WHERE article_id = :id"
            ),
            {"id": article_id},
        )


def test_an_article_read_by_an_older_normalisation_is_found_again_after_reindex(
    store, database_url
):
    store.save([_page("tatweel", "ar", "خبر", "استقبل الرئيـــس الوفد في القصر.")])
    read_as_written(store, "tatweel")
    assert found(store, "رئيس") == set()

    result = CliRunner().invoke(cli, ["db", "reindex", "--db", database_url])

    assert result.exit_code == 0, result.output
    assert result.output == "1 articles indexed again\n"
    assert found(store, "رئيس") == {"tatweel"}


def test_an_archive_read_by_this_code_has_no_row_written_again(store, database_url):
    store.save(
        [
            _page("tatweel", "ar", "خبر", "استقبل الرئيـــس الوفد في القصر."),
            _page("talks", "en", "Talks resumed", "Officials met in Geneva and talks resumed."),
        ]
    )
    before = rows(database_url, "SELECT article_id, search_title, search_body FROM articles")

    result = CliRunner().invoke(cli, ["db", "reindex", "--db", database_url])

    assert result.output == "0 articles indexed again\n"
    assert rows(database_url, "SELECT article_id, search_title, search_body FROM articles") == (
        before
    )
