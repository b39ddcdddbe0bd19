"""Migrations 0010 and 0012: an archive's raw pages become its articles' first captures,
then `raw_pages` goes (its bodies were kept twice), nothing lost.

Up and down on SQLite and PostgreSQL, from an archive as revision 0009 left it.
"""

from __future__ import annotations

import gzip

from sqlalchemy import inspect, text

from crawler.archive.database import create_archive_engine
from crawler.archive.payloads import payload_digest
from tests.test_migrations import alembic

PAGE = b"<html><head><title>Talks</title></head><body><p>Officials met.</p></body></html>"
DROPPED = b"<html><body>Not an article</body></html>"


def archive_at_0009(url: str, *, damaged: bool = False) -> None:
    """Two fetched pages as 0009's crawler kept them: one archived (version 2), one dropped;
    with `damaged`, a third whose stored gzip is cut short."""
    assert alembic(url, "upgrade", "0009").returncode == 0
    engine = create_archive_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO articles (site, article_id, url, language, title, kind, body, "
                "subheadings, related_complete, word_count, content_hash, version, "
                "first_seen_at, fetched_at, changed_at) VALUES ('alalam_en', '1', "
                "'https://en.alalam.ir/news/1', 'en', 'Talks', 'article', 'Officials met.', "
                "'[]', TRUE, 2, 'h2', 2, '2026-01-01 00:00:00', '2026-01-03 00:00:00', "
                "'2026-01-03 00:00:00')"
            )
        )
        pk = conn.execute(text("SELECT id FROM articles")).scalar_one()
        for version, digest in ((1, "h1"), (2, "h2")):
            conn.execute(
                text(
                    "INSERT INTO article_versions (article_pk, version, content_hash, title, "
                    "body, first_seen_at, last_seen_at) VALUES (:pk, :version, :digest, "
                    "'Talks', 'Officials met.', '2026-01-01 00:00:00', '2026-01-03 00:00:00')"
                ),
                {"pk": pk, "version": version, "digest": digest},
            )
        pages = [("1", PAGE, "archived", None), ("2", DROPPED, "dropped", "no_title")]
        if damaged:
            pages.append(("3", None, "dropped", "no_title"))
        for article_id, body, outcome, reason in pages:
            conn.execute(
                text(
                    "INSERT INTO raw_pages (site, article_id, url, final_url, http_status, "
                    "content_type, encoding, fetched_at, body_gz, outcome, drop_reason, "
                    "warnings) VALUES ('alalam_en', :id, :url, :url, 200, "
                    "'text/html; charset=utf-8', 'utf-8', '2026-01-03 00:00:00', :body, "
                    ":outcome, :reason, '[]')"
                ),
                {
                    "id": article_id,
                    "url": f"https://en.alalam.ir/news/{article_id}",
                    "body": gzip.compress(body) if body else gzip.compress(PAGE)[:-6],
                    "outcome": outcome,
                    "reason": reason,
                },
            )
    engine.dispose()


def has_table(url: str, name: str) -> bool:
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        found = inspect(conn).has_table(name)
    engine.dispose()
    return found


def rows(url: str, query: str) -> list[tuple]:
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        found = [tuple(row) for row in conn.execute(text(query))]
    engine.dispose()
    return found


CAPTURES = (
    "SELECT article_id, http_status, http_reason, content_type, payload_digest, size, "
    "outcome, version, reason FROM captures ORDER BY article_id"
)


def test_raw_pages_become_first_captures_and_the_current_version_names_its_own(empty_database_url):
    archive_at_0009(empty_database_url)

    upgraded = alembic(empty_database_url, "upgrade", "head")

    assert upgraded.returncode == 0, upgraded.stderr
    assert rows(empty_database_url, CAPTURES) == [
        (
            "1",
            200,
            "OK",
            "text/html; charset=utf-8",
            payload_digest(PAGE),
            len(PAGE),
            "version",
            2,
            None,
        ),
        (
            "2",
            200,
            "OK",
            "text/html; charset=utf-8",
            payload_digest(DROPPED),
            len(DROPPED),
            "dropped",
            None,
            "no_title",
        ),
    ]
    linked = rows(
        empty_database_url,
        "SELECT v.version, c.article_id FROM article_versions v "
        "LEFT JOIN captures c ON c.id = v.capture_id ORDER BY v.version",
    )
    assert linked == [(1, None), (2, "1")]  # version 1's page was never kept
    [(body_gz,)] = rows(
        empty_database_url, f"SELECT body_gz FROM payloads WHERE digest = '{payload_digest(PAGE)}'"
    )
    assert gzip.decompress(body_gz) == PAGE
    assert not has_table(empty_database_url, "raw_pages")  # each body is kept once, as a payload
    assert not has_table(empty_database_url, "unreadable_raw_pages")


def test_down_and_up_again_keeps_the_captures_once(empty_database_url):
    archive_at_0009(empty_database_url)
    assert alembic(empty_database_url, "upgrade", "head").returncode == 0
    before = rows(empty_database_url, CAPTURES)

    downgraded = alembic(empty_database_url, "downgrade", "0009")

    assert downgraded.returncode == 0, downgraded.stderr
    assert rows(empty_database_url, CAPTURES) == before  # 0009 holds captures as they are
    assert alembic(empty_database_url, "upgrade", "head").returncode == 0
    assert rows(empty_database_url, CAPTURES) == before
    assert rows(empty_database_url, "SELECT count(*) FROM payloads") == [(2,)]
    check = alembic(empty_database_url, "check")
    assert check.returncode == 0, check.stderr


RAW_PAGES = (
    "SELECT article_id, http_status, content_type, encoding, body_gz, outcome, drop_reason "
    "FROM raw_pages ORDER BY article_id"
)


def test_a_raw_page_too_damaged_to_become_a_capture_is_kept_apart_not_dropped(empty_database_url):
    archive_at_0009(empty_database_url, damaged=True)

    upgraded = alembic(empty_database_url, "upgrade", "head")

    assert upgraded.returncode == 0, upgraded.stderr
    assert "raw page alalam_en/3 is damaged and cannot become a capture" in upgraded.stderr
    assert not has_table(empty_database_url, "raw_pages")
    assert rows(empty_database_url, "SELECT article_id FROM unreadable_raw_pages") == [("3",)]
    assert [r[0] for r in rows(empty_database_url, CAPTURES)] == ["1", "2"]


def test_down_to_0010_gives_back_each_pages_last_read_as_a_raw_page(empty_database_url):
    archive_at_0009(empty_database_url)
    assert alembic(empty_database_url, "upgrade", "0010").returncode == 0
    before = [
        (*row[:4], gzip.decompress(row[4]), *row[5:]) for row in rows(empty_database_url, RAW_PAGES)
    ]
    assert alembic(empty_database_url, "upgrade", "head").returncode == 0

    downgraded = alembic(empty_database_url, "downgrade", "0010")

    assert downgraded.returncode == 0, downgraded.stderr
    after = [
        (*row[:4], gzip.decompress(row[4]), *row[5:]) for row in rows(empty_database_url, RAW_PAGES)
    ]
    assert after == before
    assert alembic(empty_database_url, "upgrade", "head").returncode == 0
    assert not has_table(empty_database_url, "raw_pages")


def test_down_to_0010_keeps_a_damaged_raw_page_as_it_was(empty_database_url):
    archive_at_0009(empty_database_url, damaged=True)
    assert alembic(empty_database_url, "upgrade", "head").returncode == 0

    downgraded = alembic(empty_database_url, "downgrade", "0010")

    assert downgraded.returncode == 0, downgraded.stderr
    assert [r[0] for r in rows(empty_database_url, RAW_PAGES)] == ["1", "2", "3"]
    assert not has_table(empty_database_url, "unreadable_raw_pages")
