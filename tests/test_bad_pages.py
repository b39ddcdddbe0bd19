"""Bad pages: the crawl goes on, each page's fate is recorded with a reason, good pages are stored.

Every case below is a page of the local copy, linked from one hub page and
crawled in one real crawl (on SQLite and on PostgreSQL):

| case                               | what happens                                              |
|------------------------------------|-----------------------------------------------------------|
| malformed HTML (unclosed tags)     | archived: lxml reads it as a browser would                |
| an empty 200 page                  | dropped, reason `empty_page`; raw page kept               |
| no title                           | dropped, reason `no_title`; no article row, raw page kept |
| no date                            | archived, date null, warning `no_date`                    |
| a date that does not parse         | archived, date null, warning `unparseable_date`           |
| a date far in the future           | archived, date null, warning `implausible_date`           |
| larger than DOWNLOAD_MAXSIZE       | not archived, reason `too_large` (retried after days)     |
| charset in the HTTP header         | archived, decoded as declared (windows-1256 Arabic)       |
| charset only in a meta tag         | archived, decoded as declared (windows-1251 Cyrillic)     |
| charset not declared at all        | archived, detected (charset-normalizer), with a warning   |
| UTF-8 served as ISO-8859-1         | archived as UTF-8, warning `charset_mislabelled`          |
| a related list of 10,000 entries   | archived with its 10,000 edges                            |
| a broken related list, bad ids     | archived, `related_complete` false, bad ids not requested |
| an id with leading zeros           | fetched and archived once, under its canonical id         |
| a page that links to itself        | archived once, the self-link kept as an edge              |
| a redirect to a longer URL         | archived under the first URL's id, `final_url` recorded   |
| a redirect loop                    | not archived, reason `redirect_loop`                      |
| a redirect to another host         | refused, reason `offsite_redirect`                        |
| a PDF, an image                    | not archived, reason `not_html`                           |
| NUL, a lone surrogate in text      | archived, NUL removed, surrogate replaced, `unsafe_text`  |
| a sort or contenttypeid too large  | archived, the number null, `number_out_of_range`          |
| a related id of 256 digits         | archived, the link left out and not followed              |
| a date in year 0001                | archived, date null, `implausible_date`                   |
| 100,000 nested `<div>`s            | archived (lxml keeps 2,000 levels; body from a fallback)  |
| a related list nested 100,000 deep | archived, the entries before it kept, `related_cut_short` |
| a text over PostgreSQL's tsvector  | archived; on PostgreSQL only its start is searchable      |

A second full run over the same pages ends the same way.

Garbage in the embedded JSON is covered case by case in test_related_list.py,
hostile values field by field in test_safe_values.py.
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice, product
from typing import NamedTuple

import pytest
from sqlalchemy import func, select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, Capture, FailedFetch, RelatedLinkRecord
from crawler.archive.search import SearchFilters
from crawler.archive.search_query import parse_query
from crawler.archive.store import ArchiveStore
from localcopy.server import ServerThread
from localcopy.site import LocalSite, Reply, var_dump
from tests.archive_db import last_reads
from tests.conftest import CrawlRun, crawl, crawled_ids, fresh_postgresql_database

HUB = "1900000"
ARABIC = (
    "قال المجلس الأعلى للأمن القومي الإيراني إن التعاون بين طهران وموسكو في مكافحة الإرهاب "
    "في سوريا استراتيجي. وأضاف أن القاذفات الروسية أقلعت من قاعدة همدان الجوية لضرب أهداف."
)
CYRILLIC = (
    "Секретарь Высшего совета национальной безопасности Ирана заявил, что сотрудничество "
    "Тегерана и Москвы в борьбе с терроризмом в Сирии носит стратегический характер."  # noqa: RUF001
)
TYPOGRAPHIC = "Iran’s “strategic” cooperation — says Ali Shamkhani, café owner in Hamedān"


def page(
    title: str = "A headline",
    body: str = "<p>Text.</p>",
    date: str = "Tue Aug 16, 2016 17:52:15",
    head: str = "",
) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head>{head}<title>t</title></head><body>'
        f'<div class="news-detail"><h1 class="news-title">{title}</h1>'
        f'<div class="news-date">{date}</div><div class="news-text">{body}</div></div>'
        "</body></html>"
    )


def html(status: int, text: str | bytes, content_type: str = "text/html; charset=utf-8") -> Reply:
    body = text if isinstance(text, bytes) else text.encode()
    return Reply(status, body, {"Content-Type": content_type})


def dump(entries: list[dict]) -> str:
    return var_dump(json.dumps(entries, separators=(",", ":")))


def related(title: str = "A related article", **entry: object) -> dict:
    return {"id": "1808639", "title": title, "sort": "3605769", "contenttypeid": "21", **entry}


def _tsvector_buster() -> str:
    """460 kB of text whose PostgreSQL tsvector is over its 1 MB limit.

    Hyphenated compounds of distinct four-letter parts: each part and each
    compound is a lexeme of its own, about 2.6 bytes of tsvector a character.
    """
    parts = ("".join(letters) for letters in product("bcdfghjklmnpqrstvwxz", repeat=4))
    words = ("-".join(islice(parts, 200)) for _ in range(460))
    return " ".join(words)


TSVECTOR_BUSTER = _tsvector_buster()


@dataclass
class Case:
    article_id: str
    reply: Reply | list[Reply]


def bad_site() -> tuple[LocalSite, dict[str, Case]]:
    site = LocalSite(pages=13)
    base = 1900000
    cases = {
        "malformed": html(200, page(body="<p>One <b>bold <i>unclosed</p></div></span><p>Two.")),
        "empty": html(200, b""),
        # Not in the rule's <h1>, nor in metadata, nor in <title>: no fallback has one.
        "no_title": html(200, page(title="").replace("<title>t</title>", "")),
        "no_date": html(200, page(date="")),
        "bad_date": html(200, page(date="sometime in August")),
        "future_date": html(200, page(date="Tue Aug 16, 2061 17:52:15")),
        "too_large": html(200, page(body="<p>" + "x" * 2_100_000 + "</p>")),
        "header_charset": html(
            200,
            page(title=ARABIC[:40], body=f"<p>{ARABIC}</p>").encode("cp1256"),
            "text/html; charset=windows-1256",
        ),
        "meta_charset": html(
            200,
            page(
                title=CYRILLIC[:40], body=f"<p>{CYRILLIC}</p>", head='<meta charset="windows-1251">'
            ).encode("cp1251"),
            "text/html",
        ),
        "no_charset": html(
            200,
            page(title=ARABIC[:40], body=f"<p>{ARABIC}</p><p>{ARABIC}</p>").encode("cp1256"),
            "text/html",
        ),
        "mislabelled": html(
            200,
            page(title=TYPOGRAPHIC, body=f"<p>{TYPOGRAPHIC}</p>"),
            "text/html; charset=iso-8859-1",
        ),
        "ten_thousand": html(
            200,
            page(
                body="<p>Text.</p>"
                + dump([{"id": str(5_000_000 + n), "title": f"t{n}"} for n in range(10_000)])
            ),
        ),
        "broken_list": html(
            200,
            page(
                body="<p>Text.</p>"
                + 'string(900) "[{"id":"1808639","title":"ok"} ,{"id":"abc","title":"x"} ,{"id":"18'
            ),
        ),
        "self_link": None,
        "slug_redirect": None,
        "redirect_loop": None,
        "offsite_redirect": None,  # needs the server's port: set in the fixture
        "pdf": html(
            200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n%%EOF", "application/pdf"
        ),
        "image": html(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
        "leading_zeros": html(200, page(title="Zero-padded id")),
        # Hostile values (issue 10): each once made every batch holding it fail.
        "surrogate_title": html(200, page(body="<p>Text.</p>" + dump([related("a \ud800 b")]))),
        "nul_title": html(200, page(body="<p>Text.</p>" + dump([related("a \x00 b")]))),
        "nul_text": html(200, page(title="NUL\x00 in the title", body="<p>NUL\x00 in text.</p>")),
        "huge_sort": html(200, page(body="<p>Text.</p>" + dump([related(sort=str(10**20))]))),
        "huge_content_type": html(
            200, page(body="<p>Text.</p>" + dump([related(contenttypeid=2**31 + 1)]))
        ),
        "long_related_id": html(
            200,
            page(
                body="<p>Text.</p>"
                + dump([related(id="1" * 256), related(id=10**300), related(id="1808639")])
            ),
        ),
        "year_one": html(200, page(date="Mon Jan 01, 0001 00:00:00")),
        "deep_divs": html(200, page(body="<div>" * 100_000 + "deep" + "</div>" * 100_000)),
        "tsvector_body": html(200, page(body=f"<p>{TSVECTOR_BUSTER}</p>")),
        "deep_related_list": None,
    }
    ids = {name: str(base + n + 1) for n, name in enumerate(cases)}
    cases["self_link"] = html(
        200, page(body="<p>Text.</p>" + dump([{"id": ids["self_link"], "title": "me"}]))
    )
    cases["slug_redirect"] = [
        Reply(301, b"", {"Location": f"/news/{ids['slug_redirect']}/a-longer-url"}),
        html(200, page(title="Moved here")),
    ]
    cases["redirect_loop"] = Reply(302, b"", {"Location": f"/news/{ids['redirect_loop']}/again"})
    deep = "[" * 100_000 + "]" * 100_000
    nested = f'[{{"id":"{ids["malformed"]}","title":"ok"}} ,{{"id":"1","title":{deep}}}]'
    cases["deep_related_list"] = html(200, page(body="<p>Text.</p>" + var_dump(nested)))
    site.related[HUB] = [
        "000" + ids[name] if name == "leading_zeros" else ids[name] for name in cases
    ]
    for article_id in ids.values():
        site.related[article_id] = []
    return site, {name: Case(ids[name], reply) for name, reply in cases.items()}


class Crawled(NamedTuple):
    url: str
    cases: dict[str, Case]
    run: CrawlRun
    site: LocalSite
    base_url: str

    def crawl(self, *settings: str) -> CrawlRun:
        """The hub and every case, served afresh (replies given in turn start again)."""
        for case in self.cases.values():
            reply = case.reply
            self.site.overrides[case.article_id] = list(reply) if isinstance(reply, list) else reply
        return crawl(
            self.url,
            start=HUB,
            base_url=self.base_url,
            settings=("DEPTH_LIMIT=1", "DOWNLOAD_MAXSIZE=2000000", "LOG_LEVEL=DEBUG", *settings),
        )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crawled(request, tmp_path_factory):
    """The bad site crawled once into each database, for every test of this module."""
    site, cases = bad_site()
    if request.param == "sqlite":
        database = nullcontext(f"sqlite:///{tmp_path_factory.mktemp('bad') / 'archive.sqlite3'}")
    else:
        database = fresh_postgresql_database()
    with database as database_url, ServerThread(site) as base_url:
        port = base_url.rsplit(":", 1)[1]
        cases["offsite_redirect"].reply = Reply(
            302, b"", {"Location": f"http://localhost:{port}/news/1"}
        )
        crawled = Crawled(database_url, cases, None, site, base_url)  # type: ignore[arg-type]
        yield crawled._replace(run=crawled.crawl())


def fates(url: str) -> dict[str, tuple]:
    """Each page's fate: (archived, warnings), (dropped, reason, warnings) or (failed, reason)."""
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        result: dict[str, tuple] = {}
        for (_, article_id), read in last_reads(conn).items():
            warnings = [w.split(":")[0] for w in read.capture.warnings]
            if read.outcome == "archived":
                result[article_id] = ("archived", warnings)
            else:
                result[article_id] = ("dropped", read.capture.reason, warnings)
        for row in conn.execute(select(FailedFetch)):
            result.setdefault(row.article_id, ("failed", row.reason))
    engine.dispose()
    return result


def article(url: str, article_id: str):
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            select(ArticleRecord).where(ArticleRecord.article_id == article_id)
        ).one_or_none()
        links = conn.execute(
            select(func.count())
            .select_from(RelatedLinkRecord)
            .where(RelatedLinkRecord.source_pk == (row.id if row else -1))
        ).scalar_one()
    engine.dispose()
    return row, links


def test_the_crawl_goes_on_and_every_page_has_a_recorded_fate(crawled):
    url, cases, run = crawled[:3]

    assert run.returncode in (0, 3), run.log  # a run this broken may well be judged degraded
    recorded = fates(url)
    assert {case.article_id for case in cases.values()} <= set(recorded)
    assert recorded[HUB][0] == "archived"


@pytest.mark.parametrize(
    ("case", "fate"),
    [
        ("malformed", ("archived", [])),
        ("empty", ("dropped", "empty_page", [])),
        ("no_title", ("dropped", "no_title", [])),
        ("no_date", ("archived", ["no_date", "related_missing"])),
        ("bad_date", ("archived", ["unparseable_date", "related_missing"])),
        ("future_date", ("archived", ["implausible_date", "related_missing"])),
        ("too_large", ("failed", "too_large")),
        ("no_charset", ("archived", ["charset_detected", "related_missing"])),
        ("mislabelled", ("archived", ["charset_mislabelled", "related_missing"])),
        ("redirect_loop", ("failed", "redirect_loop")),
        ("offsite_redirect", ("failed", "offsite_redirect")),
        ("pdf", ("failed", "not_html")),
        ("image", ("failed", "not_html")),
        ("surrogate_title", ("archived", ["unsafe_text"])),
        ("nul_title", ("archived", ["unsafe_text"])),
        ("nul_text", ("archived", ["related_missing"])),
        ("huge_sort", ("archived", ["number_out_of_range"])),
        ("huge_content_type", ("archived", ["number_out_of_range"])),
        ("long_related_id", ("archived", ["related_invalid_id", "related_invalid_id"])),
        ("year_one", ("archived", ["implausible_date", "related_missing"])),
        ("deep_divs", ("archived", ["body_rule_missed", "related_missing"])),
        ("deep_related_list", ("archived", ["related_cut_short"])),
    ],
)
def test_each_bad_page_meets_its_fate(crawled, case, fate):
    url, cases, _ = crawled[:3]
    recorded = fates(url)[cases[case].article_id]

    if fate[0] == "archived" and not fate[1]:
        assert recorded[0] == "archived"
    else:
        assert recorded == fate


def test_a_page_without_a_title_leaves_no_half_record(crawled):
    url, cases, _ = crawled[:3]

    row, links = article(url, cases["no_title"].article_id)

    assert row is None and links == 0


def test_malformed_html_is_read_as_a_browser_would(crawled):
    url, cases, _ = crawled[:3]

    row, _ = article(url, cases["malformed"].article_id)

    assert row.body.startswith("One bold unclosed")


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("header_charset", ARABIC),
        ("meta_charset", CYRILLIC),
        ("no_charset", ARABIC),
        ("mislabelled", TYPOGRAPHIC),
    ],
)
def test_text_in_any_charset_is_archived_as_written(crawled, case, text):
    url, cases, _ = crawled[:3]

    row, _ = article(url, cases[case].article_id)

    assert text in row.body


def test_a_ten_thousand_entry_related_list_is_stored_whole(crawled):
    url, cases, run = crawled[:3]

    row, links = article(url, cases["ten_thousand"].article_id)

    assert links == 10_000 and row.related_complete
    assert "5000000" not in crawled_ids(run.log)  # beyond DEPTH_LIMIT, as asked


def test_a_broken_related_list_keeps_its_whole_entries_and_never_follows_garbage(crawled):
    url, cases, run = crawled[:3]

    row, links = article(url, cases["broken_list"].article_id)

    assert links == 1 and not row.related_complete
    assert "related_invalid_id" in fates(url)[cases["broken_list"].article_id][1]
    assert "/news/abc" not in run.log


def test_an_id_with_leading_zeros_is_one_article_under_its_canonical_id(crawled):
    url, cases, run = crawled[:3]
    article_id = cases["leading_zeros"].article_id

    assert fates(url)[article_id][0] == "archived"
    assert crawled_ids(run.log).count(article_id) == 1
    assert f"/news/000{article_id}" not in run.log


def test_a_self_link_is_an_edge_and_not_a_second_fetch(crawled):
    url, cases, run = crawled[:3]
    article_id = cases["self_link"].article_id

    _, links = article(url, article_id)

    assert links == 1
    assert crawled_ids(run.log).count(article_id) == 1


def test_a_redirect_to_a_longer_url_keeps_the_first_urls_id(crawled):
    url, cases, _ = crawled[:3]
    article_id = cases["slug_redirect"].article_id

    engine = create_archive_engine(url)
    with engine.connect() as conn:
        raw = conn.execute(select(Capture).where(Capture.article_id == article_id)).one()
    engine.dispose()
    assert raw.url.endswith(f"/news/{article_id}")
    assert raw.final_url.endswith(f"/news/{article_id}/a-longer-url")
    assert article(url, article_id)[0].title == "Moved here"


def record(url: str, article_id: str):
    store = ArchiveStore(create_archive_engine(url))
    try:
        return store.article("alalam_en", article_id)
    finally:
        store.engine.dispose()


def test_hostile_values_are_archived_made_safe(crawled):
    url, cases, _ = crawled[:3]

    def related_of(case: str) -> list:
        return record(url, cases[case].article_id).related

    assert [link.title for link in related_of("surrogate_title")] == ["a \ufffd b"]
    assert [link.title for link in related_of("nul_title")] == ["a  b"]
    nul_text = record(url, cases["nul_text"].article_id)
    assert (nul_text.title, nul_text.body) == ("NUL in the title", "NUL in text.")
    assert [(link.sort, link.content_type_id) for link in related_of("huge_sort")] == [(None, 21)]
    assert [link.content_type_id for link in related_of("huge_content_type")] == [None]
    assert record(url, cases["year_one"].article_id).published_at is None
    assert record(url, cases["deep_divs"].article_id).title == "A headline"


def test_an_over_long_related_id_is_never_followed(crawled):
    url, cases, run = crawled[:3]

    assert [
        link.article_id for link in record(url, cases["long_related_id"].article_id).related
    ] == ["1808639"]
    assert "/news/111111111111111111111111111111111" not in run.log
    assert "/news/10000000000" not in run.log


def test_a_related_list_nested_too_deep_keeps_the_page_and_the_entries_before_it(crawled):
    url, cases, run = crawled[:3]

    deep = record(url, cases["deep_related_list"].article_id)

    assert [link.article_id for link in deep.related] == [cases["malformed"].article_id]
    assert not deep.related_complete
    assert "RecursionError" not in run.log


def test_a_text_past_the_tsvector_limit_is_archived_and_searchable_from_its_start(crawled):
    url, cases, _ = crawled[:3]
    article_id = cases["tsvector_body"].article_id

    assert record(url, article_id).body == TSVECTOR_BUSTER
    store = ArchiveStore(create_archive_engine(url))
    try:
        [hit] = store.search(parse_query("bbbb"), SearchFilters())
    finally:
        store.engine.dispose()
    assert hit.article_id == article_id
    warnings = fates(url)[article_id][1]
    assert ("search_text_truncated" in warnings) is url.startswith("postgresql")


def test_a_second_full_run_over_the_same_pages_ends_the_same_way(crawled):
    """Last in the module: it crawls every page again into the same archive."""
    url, _, first = crawled[:3]
    before = fates(url)

    again = crawled.crawl("ARCHIVE_INCREMENTAL=False")

    assert first.returncode in (0, 3), first.log
    assert again.returncode in (0, 3), again.log
    assert fates(url) == before
    assert "Traceback" not in again.log
