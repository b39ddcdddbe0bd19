"""Migration 0011: an archive's existing articles are searched by their language's reading.

Up from an archive as revision 0010 left it, and down again, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import text

from crawler.archive.database import create_archive_engine
from crawler.archive.search import SearchFilters
from crawler.archive.search_query import parse_query
from crawler.archive.store import ArchiveStore
from tests.test_capture_migration import rows
from tests.test_migrations import alembic

ARTICLES = [
    # (article_id, language, title, body)
    ("1", "ar", "الرَّئِيس في طهران", "وصل الرئيـــس إلى إيران عام ٢٠١٦."),
    ("2", "fa", "کتابخانه", "کتابخانه ملی ایران باز شد."),
    ("3", "en", "Russian bombers", "Russian bombers flew from Hamedan."),
]


def archive_at_0010(url: str) -> None:
    assert alembic(url, "upgrade", "0010").returncode == 0
    engine = create_archive_engine(url)
    with engine.begin() as conn:
        for article_id, language, title, body in ARTICLES:
            conn.execute(
                text(
                    "INSERT INTO articles (site, article_id, url, language, title, kind, body, "
                    "subheadings, related_complete, word_count, content_hash, version, "
                    "first_seen_at, fetched_at, changed_at) VALUES ('s', :id, :url, :language, "
                    ":title, 'article', :body, '[]', TRUE, 3, :id, 1, '2026-01-01 00:00:00', "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ),
                {"id": article_id, "url": f"https://news.test/{article_id}", "language": language,
                 "title": title, "body": body},
            )  # fmt: skip
    engine.dispose()


def found(url: str, query: str) -> list[str]:
    engine = create_archive_engine(url)
    try:
        hits = ArchiveStore(engine).search(parse_query(query), SearchFilters())
    finally:
        engine.dispose()
    return sorted(hit.article_id for hit in hits)


def indexed(url: str, word: str) -> list[str]:
    """The articles the index finds `word` in, asked in SQL (as any revision can be)."""
    if url.startswith("sqlite"):
        query = (
            "SELECT a.article_id FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH :word ORDER BY 1"
        )
    else:
        query = (
            "SELECT article_id FROM articles "
            "WHERE search_vector @@ plainto_tsquery('english', :word) ORDER BY 1"
        )
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        rows = [row[0] for row in conn.execute(text(query), {"word": f'"{word}"'})]
    engine.dispose()
    return rows


def test_the_upgrade_finds_existing_articles_as_their_readers_search(empty_database_url):
    archive_at_0010(empty_database_url)
    assert indexed(empty_database_url, "رييس") == []  # as 0010 indexed it: the text as written

    assert alembic(empty_database_url, "upgrade", "0011").returncode == 0

    assert found(empty_database_url, "رئيس") == ["1"]
    assert found(empty_database_url, "ايران") == ["1", "2"]
    assert found(empty_database_url, "2016") == ["1"]
    assert found(empty_database_url, "كتابخانه") == ["2"]
    assert found(empty_database_url, "bomber") == ["3"]


def test_the_upgrade_stores_a_normalised_text_only_where_it_differs(empty_database_url):
    archive_at_0010(empty_database_url)

    assert alembic(empty_database_url, "upgrade", "0011").returncode == 0

    assert rows(
        empty_database_url, "SELECT article_id, search_title, search_body FROM articles ORDER BY 1"
    ) == [
        ("1", "رييس في طهران", "وصل رييس ال ايران عام 2016."),
        ("2", "كتابخانه", "كتابخانه ملي ايران باز شد."),
        ("3", None, None),
    ]


def test_the_downgrade_restores_the_index_of_the_raw_text(empty_database_url):
    archive_at_0010(empty_database_url)
    assert alembic(empty_database_url, "upgrade", "0011").returncode == 0

    assert alembic(empty_database_url, "downgrade", "0010").returncode == 0

    assert indexed(empty_database_url, "bomber") == ["3"]
    assert indexed(empty_database_url, "رييس") == []
    assert indexed(empty_database_url, "الرئيـــس") == ["1"]  # the text as written
    assert alembic(empty_database_url, "upgrade", "head").returncode == 0
    assert found(empty_database_url, "رئيس") == ["1"]
