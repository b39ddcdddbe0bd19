"""`news-archive datasette`: a real Datasette on 127.0.0.1 over a SQLite archive, and a browser.

The archive is the local copy, and two Arabic pages of a site profiled for
the tests (tests/fixtures/profiles/beirut_akhbar), parsed and stored
in-process (the crawl is not what is tested here); Datasette runs as the
user starts it, in a process of its own.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.html
import pytest

from crawler.sites.loader import load_profile
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import ROOT
from tests.local_archive import archive_local_copy, archive_saved_pages

if TYPE_CHECKING:
    from collections.abc import Iterator

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


PROFILES = Path(__file__).parent / "fixtures" / "profiles"
ARABIC_SITE, ARABIC_ID = "beirut_akhbar", "898682"
ARABIC_PAGES = {
    "https://www.beirut-akhbar.test/article/898682/%D8%B4%D8%B9%D8%B1": "levantine.html",
    "https://www.beirut-akhbar.test/article/898700": "egyptian.html",
}


@dataclass
class Browsed:
    url: str
    """The archive's database URL."""
    base: str
    """Where Datasette answers."""
    site: LocalSite

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as reply:
                return reply.status, dict(reply.headers), reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def json(self, path: str) -> Any:
        status, _, body = self.get(path)
        assert status == 200, body
        return json.loads(body)

    def html(self, path: str) -> lxml.html.HtmlElement:
        status, _, body = self.get(path)
        assert status == 200, body
        return lxml.html.fromstring(body)

    def redirect(self, path: str) -> tuple[int, str | None]:
        """The status of one request and where it sends the browser, redirects not followed."""
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(self.base).netloc, timeout=30)
        try:
            connection.request("GET", path)
            reply = connection.getresponse()
            return reply.status, reply.getheader("Location")
        finally:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_answering(base: str, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"datasette exited: {process.communicate()[0]}")
        try:
            with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"datasette did not answer at {base} within {timeout} s")


@contextmanager
def datasette_serving(url: str) -> Iterator[str]:
    """`news-archive datasette` over the archive at `url`, started as a user starts it;
    yields its base address, and stops it as Ctrl-C would."""
    port = free_port()
    command = [sys.executable, "-m", "crawler", "datasette", "--db", url, "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base, process)
        yield base
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: the process is Datasette itself
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def browsed(tmp_path_factory) -> Iterator[Browsed]:
    site = LocalSite(pages=60)
    url = f"sqlite:///{tmp_path_factory.mktemp('browse') / 'archive.sqlite3'}"
    archive_local_copy(url, site)
    archive_saved_pages(
        url,
        load_profile(PROFILES / f"{ARABIC_SITE}.toml"),
        {page: (PROFILES / ARABIC_SITE / name).read_bytes() for page, name in ARABIC_PAGES.items()},
    )
    _keep_only_the_date(url, date_only_id(site))
    with datasette_serving(url) as base:
        yield Browsed(url, base, site)


def date_only_id(site: LocalSite) -> str:
    return min(site.reachable() - {SEED_ID})


def _keep_only_the_date(url: str, article_id: str) -> None:
    """As a page that gives a date without a time is stored (see the README's schema)."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute(
            "UPDATE articles SET published_at = NULL, published_local = '2016-08-16' "
            "WHERE site = 'alalam_en' AND article_id = ?",
            (article_id,),
        )


def search_command(url: str, word: str) -> list[str]:
    """The ids `news-archive search` finds, best first."""
    return [hit["article_id"] for hit in search_hits(url, word)]


def search_hits(url: str, word: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "search", word, "--limit", "1000", "--json", "--db", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize("word", ["Hamedan", "Iran", "bomber"])
def test_datasette_search_finds_the_same_articles_as_the_search_command(browsed, word):
    rows = browsed.json(f"/archive/articles.json?_search={word}&_shape=array&_size=max")

    found = sorted(row["article_id"] for row in rows)
    assert found == sorted(search_command(browsed.url, word))
    assert found  # a word of the archive, not an empty comparison


def test_the_article_list_is_searched_and_faceted_by_site_kind_and_month(browsed):
    listed = browsed.json("/archive/article_list.json?_search=Iran&_size=max")

    assert set(listed["facet_results"]) == {"site", "kind", "month"}
    months = {f["value"] for f in listed["facet_results"]["month"]["results"]}
    assert "2016-08" in months
    columns = listed["columns"]
    ids = sorted(row[columns.index("article_id")] for row in listed["rows"])
    assert ids == sorted(search_command(browsed.url, "Iran"))


def test_the_search_page_ranks_the_matches_as_the_search_command_does(browsed):
    found = browsed.json("/-/search/archive.json?q=ISIS")

    ids = [row["article_id"] for row in found["rows"]]
    assert ids == search_command(browsed.url, "ISIS")
    newest_first = sorted(found["rows"], key=lambda row: row["published_at"], reverse=True)
    assert ids != [row["article_id"] for row in newest_first]  # a ranking, not the date order
    assert [row["score"] for row in found["rows"]] == sorted(
        (row["score"] for row in found["rows"]), reverse=True
    )


def test_the_search_page_goes_on_to_the_next_best_matches_page_by_page(browsed):
    first = browsed.json("/-/search/archive.json?q=Russia")
    second = browsed.json(first["next_url"])

    ids = [row["article_id"] for row in first["rows"] + second["rows"]]
    assert len(first["rows"]) == 50
    assert ids == search_command(browsed.url, "Russia")
    assert second["next_url"] is None


def test_search_counts_its_matches_by_month_and_a_chosen_month_by_day(browsed):
    found = browsed.json("/-/search/archive.json?q=Iran")
    months = {f["value"]: f["count"] for f in found["facets"]["date"]}
    in_august = browsed.json("/-/search/archive.json?q=Iran&month=2016-08")
    days = {f["value"]: f["count"] for f in in_august["facets"]["date"]}

    assert sum(months.values()) == found["total"] == len(search_command(browsed.url, "Iran"))
    assert list(months) == sorted(months, reverse=True)  # dates in order, the latest first
    assert in_august["total"] == months["2016-08"] == sum(days.values())
    assert all(day.startswith("2016-08-") for day in days)
    assert {row["published_local"][:7] for row in in_august["rows"]} == {"2016-08"}


def test_search_facets_by_site_and_kind_narrow_the_matches(browsed):
    found = browsed.json("/-/search/archive.json?q=Iran")
    kinds = {f["value"]: f["count"] for f in found["facets"]["kind"]}
    photos = browsed.json("/-/search/archive.json?q=Iran&kind=photos")

    assert {f["value"] for f in found["facets"]["site"]} == {"alalam_en"}
    assert photos["total"] == kinds["photos"] == len(photos["rows"])
    assert {row["kind"] for row in photos["rows"]} == {"photos"}


def test_the_search_page_links_each_facet_value_and_each_match(browsed):
    page = browsed.html("/-/search/archive?q=Iran")

    [month] = page.cssselect(".facet-date a[data-facet-value='2016-08']")
    assert month.get("href") == "/-/search/archive?q=Iran&month=2016-08"
    first = page.cssselect("ol.news-results a.news-title")[0]
    assert first.get("href").startswith("/-/article/archive/alalam_en/")
    assert page.cssselect("ol.news-results .news-snippet mark")


def test_searching_arabic_finds_the_arabic_article(browsed):
    found = browsed.json("/-/search/archive.json?q=%D9%85%D9%88%D8%B3%D9%83%D9%88")  # موسكو

    assert [(row["site"], row["article_id"]) for row in found["rows"]] == [(ARABIC_SITE, ARABIC_ID)]


def test_a_query_with_nothing_to_search_for_is_refused_with_a_reason(browsed):
    status, _, body = browsed.get("/-/search/archive.json?q=%21%21%21")

    assert status == 400
    assert json.loads(body)["error"].startswith("Nothing to search for:")


@pytest.mark.parametrize("table", ["article_list", "articles"])
def test_a_search_of_an_article_table_opens_the_search_page(browsed, table):
    assert browsed.redirect(f"/archive/{table}?_search=Hamedan") == (
        302,
        "/-/search/archive?q=Hamedan",
    )


def test_a_search_from_the_table_form_opens_the_search_page_with_its_narrowing(browsed):
    form = (
        "/archive/article_list?_search=Iran+Russia&site__exact=alalam_en&_sort=published_utc"
        "&_sort_by_desc=on&_filter_column=&_filter_op=exact&_filter_value="
    )

    assert browsed.redirect(form) == (302, "/-/search/archive?q=Iran+Russia&site=alalam_en")


def test_a_search_in_arabic_script_keeps_its_words_on_the_way(browsed):
    word = urllib.parse.quote("الرئيس")

    assert browsed.redirect(f"/archive/article_list?_search={word}") == (
        302,
        f"/-/search/archive?q={word}",
    )


@pytest.mark.parametrize(
    "asked",
    [
        "_search=Iran&_rank=off",  # the table's order, asked for
        "_search=Iran&_sort=title",  # another order
        "_search=Iran&word_count__gt=500",  # a filter the search page has not
    ],
)
def test_a_table_search_asking_for_more_stays_in_the_table(browsed, asked):
    assert browsed.redirect(f"/archive/article_list?{asked}") == (200, None)


def test_body_cells_are_cut_short_in_the_table_and_whole_on_the_rows_page(browsed):
    with sqlite3.connect(browsed.url.removeprefix("sqlite:///")) as conn:
        pk, body = conn.execute(
            "SELECT id, body FROM articles WHERE article_id = ?", (SEED_ID,)
        ).fetchone()
    table = browsed.html(f"/archive/articles?article_id={SEED_ID}")
    row = browsed.html(f"/archive/articles/{pk}")

    assert table.cssselect("td.col-body div")[0].text_content() == body[:300] + "…"
    assert row.cssselect("td.col-body div")[0].text_content() == body


def test_json_columns_read_as_text_with_their_own_characters(browsed):
    [row] = browsed.json(
        f"/archive/articles.json?article_id={SEED_ID}&_shape=array&_col=subheadings"
    )

    assert "Iran’s Continues Helping Terror-Hit Countries" in row["subheadings"]
    assert "\\u2019" not in row["subheadings"]


def test_times_are_labelled_utc_and_titles_open_the_article(browsed):
    status, _, html = browsed.get(f"/archive/article_list?article_id={SEED_ID}")

    assert status == 200
    assert "2016-08-16 13:22:15 UTC" in html
    assert f'href="/-/article/archive/alalam_en/{SEED_ID}"' in html


def test_the_article_page_reads_as_the_article(browsed):
    page = browsed.html(f"/-/article/archive/alalam_en/{SEED_ID}")

    [title] = page.cssselect("article h1")
    assert title.text_content().startswith("Iran, Russia Engaged in Strategic Cooperation")
    meta = page.cssselect("article .news-meta")[0].text_content()
    assert "published 2016-08-16 17:52 +04:30 (site time), 2016-08-16 13:22 UTC" in " ".join(
        meta.split()
    )
    subheadings = [h.text_content() for h in page.cssselect("article .news-text h3")]
    assert "Iran’s Continues Helping Terror-Hit Countries" in subheadings
    assert [h.text_content() for h in page.cssselect("article h2")] == ["Related"]


def test_the_home_page_leads_to_the_article_list_and_the_search(browsed):
    home = browsed.html("/")

    [articles] = home.xpath("//a[starts-with(normalize-space(), 'Read the articles')]")
    assert articles.get("href") == "/archive/article_list"
    [search] = home.cssselect("form.news-start-search")
    assert search.get("action") == "/-/search/archive"
    assert search.cssselect("input[name=q]")


def test_the_database_page_opens_with_the_article_list_and_the_search(browsed):
    page = browsed.html("/archive")

    assert page.xpath("//a[@href='/archive/article_list']")
    assert page.cssselect("form.news-start-search[action='/-/search/archive']")


def test_the_menu_leads_to_the_article_list_and_the_search(browsed):
    menu = browsed.html(f"/-/article/archive/alalam_en/{SEED_ID}").cssselect("details.nav-menu a")

    links = {a.text_content().strip(): a.get("href") for a in menu}
    assert links["Articles"] == "/archive/article_list"
    assert links["Search"] == "/-/search/archive"


def test_the_article_page_shows_its_authors(browsed):
    page = browsed.html(f"/-/article/archive/{ARABIC_SITE}/{ARABIC_ID}")

    authors = [a.text_content() for a in page.cssselect(".news-byline .news-author")]
    assert authors == ["سارة خليل", "ليلى سعيد"]
    assert page.cssselect(".news-byline")[0].text_content() == "By سارة خليل and ليلى سعيد"


def test_an_article_without_authors_has_no_byline(browsed):
    page = browsed.html(f"/-/article/archive/alalam_en/{SEED_ID}")

    assert not page.cssselect(".news-byline")


def test_the_article_page_shows_its_images_with_their_captions(browsed):
    with sqlite3.connect(browsed.url.removeprefix("sqlite:///")) as conn:
        stored = conn.execute(
            "SELECT i.url, i.caption FROM images i JOIN articles a ON a.id = i.article_pk "
            "WHERE a.article_id = ? ORDER BY i.position",
            (SEED_ID,),
        ).fetchall()
    page = browsed.html(f"/-/article/archive/alalam_en/{SEED_ID}")

    shown = [
        (f.cssselect("img")[0].get("src"), f.cssselect("figcaption")[0].text_content())
        for f in page.cssselect("article figure.news-image")
    ]
    assert shown == stored
    assert "Two Russian Sukhoi Su-25 bombers" in shown[0][1]


def test_related_articles_are_listed_by_title_linked_when_archived(browsed):
    page = browsed.html(f"/-/article/archive/alalam_en/{SEED_ID}")

    [first] = page.cssselect("ol.news-related li")[:1]
    [link] = first.cssselect("a")
    assert link.text_content() == "Iran and Russia Reject General Soleimani's Visit to Moscow"
    assert link.get("href") == "/-/article/archive/alalam_en/1808639"


def test_a_related_article_not_archived_is_shown_with_its_title_and_id(browsed):
    missing = browsed.site.missing()
    source = min(a for a in browsed.site.reachable() if set(browsed.site.related[a]) & missing)
    target = next(t for t in browsed.site.related[source] if t in missing)
    page = browsed.html(f"/-/article/archive/alalam_en/{source}")

    [item] = [
        li
        for li in page.cssselect("ol.news-related li")
        if f"({target}, not archived)" in li.text_content()
    ]
    assert not item.cssselect("a")
    assert item.text_content().startswith(browsed.site.title(target))


def test_an_article_dated_without_a_time_shows_its_date_alone(browsed):
    status, _, html = browsed.get(f"/-/article/archive/alalam_en/{date_only_id(browsed.site)}")

    assert status == 200
    assert "published 2016-08-16 (site time) ·" in html
    assert "None" not in html


def test_a_raw_page_opens_as_fetched_in_plain_text(browsed):
    status, headers, text = browsed.get(f"/-/raw-page/archive/alalam_en/{SEED_ID}")

    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert text == browsed.site.reply(SEED_ID).body.decode()
    missing = browsed.get("/-/raw-page/archive/alalam_en/999")
    assert missing[0] == 404


def test_a_raw_page_of_a_chosen_capture_opens_that_capture(browsed):
    [(capture_id,)] = captures_of(browsed, SEED_ID)

    status, _, text = browsed.get(f"/-/raw-page/archive/alalam_en/{SEED_ID}?capture={capture_id}")

    assert status == 200
    assert text == browsed.site.reply(SEED_ID).body.decode()
    assert browsed.get(f"/-/raw-page/archive/alalam_en/{SEED_ID}?capture=999999")[0] == 404
    assert browsed.get(f"/-/raw-page/archive/alalam_en/{SEED_ID}?capture=x")[0] == 404


def test_the_captures_table_links_each_capture_to_its_page_as_fetched(browsed):
    [(capture_id,)] = captures_of(browsed, SEED_ID)

    status, _, html = browsed.get(f"/archive/captures?article_id={SEED_ID}")

    assert status == 200
    link = (
        f'href="/-/raw-page/archive/alalam_en/{SEED_ID}?capture={capture_id}">page as fetched</a>'
    )
    assert link in html


def test_sql_reads_a_captured_page_with_raw_page_text(browsed):
    sql = (
        "select raw_page_text(p.body_gz, c.encoding, c.response_headers) as html "
        "from captures c join payloads p on p.id = c.payload_id where c.article_id = :id"
    )
    query = urllib.parse.urlencode({"sql": sql, "id": SEED_ID, "_shape": "array"})
    [row] = browsed.json(f"/archive.json?{query}")

    assert row["html"] == browsed.site.reply(SEED_ID).body.decode()


def test_raw_page_text_decodes_as_show_raw_does_so_a_bom_wins():
    from crawler.browsing.plugin import page_text

    assert page_text(gzip.compress("\ufeffcafé".encode()), "cp1252") == "café"
    assert page_text(b"not gzip", "utf-8") is None
    assert page_text(gzip.compress(b"cut short")[:-6], "utf-8") is None
    assert page_text(None, "utf-8") is None


def test_raw_page_text_undoes_the_content_encoding_a_capture_kept():
    from crawler.browsing.plugin import page_text

    wire = gzip.compress("café".encode())
    headers = json.dumps([["Content-Encoding", "gzip"]])

    assert page_text(gzip.compress(wire), "utf-8", headers) == "café"
    assert page_text(gzip.compress(b"not gzip"), "utf-8", headers) is None
    assert page_text(gzip.compress(wire), "utf-8", "not json") is None


def captures_of(browsed: Browsed, article_id: str) -> list[tuple[int]]:
    with sqlite3.connect(browsed.url.removeprefix("sqlite:///")) as conn:
        return conn.execute("select id from captures where article_id = ?", [article_id]).fetchall()


def test_both_pages_write_times_one_way_utc_labelled_and_the_sites_with_its_offset():
    from crawler.browsing import times

    assert times.utc("2016-08-16 13:22:15.000000", seconds=True) == "2016-08-16 13:22:15 UTC"
    assert times.utc("2016-08-16 13:22:15.000000") == "2016-08-16 13:22 UTC"
    assert times.utc("2016-08-16T17:52:15+04:30") == "2016-08-16 13:22 UTC"
    local = "2016-08-16T17:52:15.250000+04:30"
    assert times.site_time(local, seconds=True) == "2016-08-16 17:52:15 +04:30"
    assert times.site_time(local) == "2016-08-16 17:52 +04:30"
    assert times.site_time("1900-01-01T00:00:00+03:25:44") == "1900-01-01 00:00 +03:25:44"
    assert times.site_time("2016-08-16T17:52:15") == "2016-08-16 17:52"
    assert times.site_time("2016-08-16") is times.utc("2016-08-16") is None
    assert times.utc("not a time at all") is times.site_time(None) is None


@pytest.mark.parametrize("language", ["ar", "fa", "ur", "he", "ps", "ar-LB", "fa_IR", "ckb"])
def test_an_article_in_a_language_written_right_to_left_is_set_right_to_left(language):
    from crawler.browsing.direction import text_direction

    assert text_direction(language) == "rtl"


@pytest.mark.parametrize("language", ["en", "de", "zh-Hant", "und", "", None, "no such language"])
def test_any_other_text_takes_the_direction_of_its_first_letter(language):
    from crawler.browsing.direction import text_direction

    assert text_direction(language) == "auto"


def test_a_snippet_is_escaped_and_its_matched_words_marked():
    from crawler.browsing.search_page import _marked

    snippet = "…a <b>bold</b> \x02bombers\x03 &\n\nthe \x02Iran\x03…"

    assert _marked(snippet) == (
        "…a &lt;b&gt;bold&lt;/b&gt; <mark>bombers</mark> &amp; the <mark>Iran</mark>…"
    )


def test_datasette_refuses_a_postgresql_archive_with_a_reason():
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "datasette", "--db", "postgresql+psycopg://u:pw@h/db"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode == 1
    assert "Datasette reads SQLite files" in done.stderr
    assert "pw" not in done.stderr


# -- in a browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, installed with apt-get when missing (as root); never a downloaded one."""
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        install = ["apt-get", "install", "-y", "-q", "chromium"]
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (install, ["apt-get", "update", "-q"], install):  # lists may be stale
            subprocess.run(command, env=environment, capture_output=True, timeout=900, check=False)
            if CHROMIUM.exists():
                break
    if not CHROMIUM.exists():
        reason = f"no chromium at {CHROMIUM}, and apt-get could not install it (needs root)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the browser test")
        pytest.skip(reason)
    return CHROMIUM


def test_a_researcher_searches_the_articles_in_a_browser(browsed, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{browsed.base}/archive/article_list")
            page.fill("input[name=_search]", "ISIS")
            page.press("input[name=_search]", "Enter")
            page.wait_for_url("**/-/search/archive?q=ISIS")
            screenshot = tmp_path / "search.png"
            page.screenshot(path=str(screenshot))
            heading = page.inner_text("h2.news-count")
            titles = page.locator("ol.news-results a.news-title").all_inner_texts()
            page.click("ol.news-results a.news-title >> nth=0")
            page.wait_for_url("**/-/article/**")
            article = page.inner_text("article")
            page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
        finally:
            browser.close()

    expected = [hit["title"] for hit in search_hits(browsed.url, "ISIS")]
    assert heading == f"{len(expected)} articles match, best first"
    assert titles == expected
    assert "(site time)" in article and "UTC" in article
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    print(f"screenshots in {tmp_path}")


def test_a_researcher_opens_the_articles_from_the_home_page_in_a_browser(browsed, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{browsed.base}/")
            page.click("text=Read the articles of archive")
            page.wait_for_url("**/archive/article_list")
            listed = page.inner_text("h3")
            page.goto(f"{browsed.base}/")
            page.fill("form.news-start-search input[name=q]", "Hamedan")
            page.press("form.news-start-search input[name=q]", "Enter")
            page.wait_for_url("**/-/search/archive?q=Hamedan")
            found = page.locator("ol.news-results a.news-title").all_inner_texts()
        finally:
            browser.close()

    assert listed.startswith(f"{len(browsed.site.reachable()) + len(ARABIC_PAGES)} rows")
    assert found == [hit["title"] for hit in search_hits(browsed.url, "Hamedan")]


# What a reader's browser makes of a text's direction: the dir attributes and what they inherit.
DIRECTION = (
    "selector => [...document.querySelectorAll(selector)].map(e => getComputedStyle(e).direction)"
)


def test_arabic_reads_right_to_left_and_english_left_to_right_in_a_browser(
    browsed, chromium, tmp_path
):
    from playwright.sync_api import sync_playwright

    arabic_page = f"{browsed.base}/-/article/archive/{ARABIC_SITE}/{ARABIC_ID}"
    seen: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.goto(arabic_page)
            page.screenshot(path=str(tmp_path / "arabic-article.png"))
            for part in ("h1", ".news-text p", ".news-author", ".news-meta"):
                seen[f"arabic {part}"] = page.evaluate(DIRECTION, f"article {part}")
            page.goto(f"{browsed.base}/-/article/archive/alalam_en/{SEED_ID}")
            for part in ("h1", ".news-text p", "figcaption"):
                seen[f"english {part}"] = page.evaluate(DIRECTION, f"article {part}")
            page.goto(f"{browsed.base}/archive/article_list?_sort=article_id&_size=100")
            page.screenshot(path=str(tmp_path / "article_list.png"))
            seen["list titles"] = page.evaluate(DIRECTION, "td.col-title a")
            page.goto(f"{browsed.base}/archive/articles?site={ARABIC_SITE}")
            seen["arabic bodies"] = page.evaluate(DIRECTION, "td.col-body div")
            seen["arabic table titles"] = page.evaluate(DIRECTION, "td.col-title div")
            page.goto(f"{browsed.base}/-/search/archive?q=%D8%A7%D9%84%D8%B1%D8%A6%D9%8A%D8%B3")
            seen["arabic matches"] = page.evaluate(DIRECTION, ".news-results .news-title")
        finally:
            browser.close()

    assert set(seen["arabic h1"]) == set(seen["arabic .news-text p"]) == {"rtl"}
    assert seen["arabic .news-author"] == ["rtl", "rtl"]
    assert set(seen["arabic .news-meta"]) == {"ltr"}  # the page's own words
    assert {d for key, ds in seen.items() if key.startswith("english") for d in ds} == {"ltr"}
    # The list sorted by article_id: the local copy's ids (17…, 18…) before the Arabic 898…
    assert seen["list titles"][-2:] == ["rtl", "rtl"]
    assert set(seen["list titles"][:-2]) == {"ltr"}
    assert seen["arabic bodies"] == seen["arabic table titles"] == ["rtl", "rtl"]
    assert seen["arabic matches"] == ["rtl"]
