"""`news-archive datasette`: a real Datasette on 127.0.0.1 over a SQLite archive, and a browser.

The archive is the local copy, parsed and stored in-process (the crawl is
not what is tested here); Datasette runs as the user starts it, in a process
of its own.
"""

from __future__ import annotations

import gzip
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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from localcopy.site import SEED_ID, LocalSite
from tests.conftest import ROOT
from tests.local_archive import archive_local_copy

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

    def json(self, path: str) -> object:
        status, _, body = self.get(path)
        assert status == 200, body
        return json.loads(body)


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


@pytest.fixture(scope="module")
def browsed(tmp_path_factory) -> Iterator[Browsed]:
    site = LocalSite(pages=60)
    url = f"sqlite:///{tmp_path_factory.mktemp('browse') / 'archive.sqlite3'}"
    archive_local_copy(url, site)
    _keep_only_the_date(url, date_only_id(site))
    port = free_port()
    command = [sys.executable, "-m", "crawler", "datasette", "--db", url, "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base, process)
        yield Browsed(url, base, site)
    finally:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: the process is Datasette itself
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def date_only_id(site: LocalSite) -> str:
    return min(site.reachable() - {SEED_ID})


def _keep_only_the_date(url: str, article_id: str) -> None:
    """As a page that gives a date without a time is stored (see the README's schema)."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute(
            "UPDATE articles SET published_at = NULL, published_local = '2016-08-16' "
            "WHERE article_id = ?",
            (article_id,),
        )


def search_command(url: str, word: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "search", word, "--limit", "1000", "--json", "--db", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [json.loads(line)["article_id"] for line in done.stdout.splitlines()]


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
    status, _, html = browsed.get(f"/-/article/archive/alalam_en/{SEED_ID}")

    assert status == 200
    assert "<h1>Iran, Russia Engaged in Strategic Cooperation" in html
    assert "published 2016-08-16 17:52 +04:30 (site time), 2016-08-16 13:22 UTC" in html
    assert "<h3>Iran’s Continues Helping Terror-Hit Countries</h3>" in html
    assert "<h2>Related</h2>" in html


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
            page.fill("input[name=_search]", "bomber")
            page.press("input[name=_search]", "Enter")
            page.wait_for_url("**_search=bomber**")
            screenshot = tmp_path / "article_list-search.png"
            page.screenshot(path=str(screenshot))
            heading = page.inner_text("h3")
            titles = page.locator("td.col-title a").all_inner_texts()
            page.click("td.col-title a >> nth=0")
            page.wait_for_url("**/-/article/**")
            article = page.inner_text("article")
            page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
        finally:
            browser.close()

    expected = search_command(browsed.url, "bomber")
    assert heading.startswith(f"{len(expected)} row")
    assert len(titles) == len(expected)
    assert "(site time)" in article and "UTC" in article
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    print(f"screenshots in {tmp_path}")
