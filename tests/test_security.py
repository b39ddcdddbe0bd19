"""Only the site's hosts are fetched, SQL never carries user text, files are written atomically."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from crawler.discovery.listings import listing_entries
from crawler.discovery.report import SourceReport
from crawler.middlewares.redirects import same_port
from crawler.parsing.related import extract_related
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, Reply, var_dump
from tests import archive_db
from tests.conftest import ROOT, crawl, crawled_ids
from tests.local_archive import archive_local_copy


def test_related_entries_never_choose_a_host(profile):
    payload = (
        '[{"id":"https://evil.example/news/1","title":"a URL as id"} ,'
        '{"id":"1808639","pic":"https://evil.example/x.jpg","title":"media elsewhere"}]'
    )
    related = extract_related(var_dump(payload), profile)

    assert related.article_ids == ["1808639"]
    assert profile.article_url("1808639") == "https://en.alalam.ir/news/1808639"
    assert related.links[0].media_url == "https://evil.example/x.jpg"  # recorded, never fetched


def test_a_listing_never_sends_the_crawl_to_another_host(profile):
    listing = '<a href="/news/1">ours</a><a href="https://evil.example/news/2">theirs</a>'

    report = SourceReport("https://en.alalam.ir/news", "listing")
    entries = listing_entries(listing, "https://en.alalam.ir/news", profile, report)

    assert [entry.article_id for entry in entries] == ["1"]
    assert report.offsite == 1


def test_the_crawl_requests_nothing_but_the_sites_own_urls(sqlite_url, local_site, site_url):
    to_another_host, to_another_port = local_site.related[SEED_ID][:2]
    local_site.overrides[to_another_host] = Reply(
        302, b"", {"Location": "http://localhost:9/news/1"}
    )
    # The same site answers on another port of the same host: another origin all the same.
    with ServerThread(local_site) as elsewhere:
        local_site.overrides[to_another_port] = Reply(
            302, b"", {"Location": f"{elsewhere}/news/{to_another_port}"}
        )
        run = crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=("LOG_LEVEL=DEBUG",))

    hosts = set(re.findall(r"Crawled \(\d+\) <GET (https?://[^/]+)/", run.log))
    assert hosts == {site_url}
    failures = archive_db.failures(sqlite_url)
    assert failures[to_another_host].reason == "offsite_redirect"
    assert failures[to_another_port].reason == "offsite_redirect"
    assert crawled_ids(run.log)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("http://example.org/news/1", "http://example.org:8080/news/1", False),
        ("http://example.org:8000/news/1", "http://example.org:8001/news/1", False),
        ("http://example.org:8000/news/1", "https://example.org/news/1", False),
        ("http://example.org/news/1", "https://example.org/news/1", True),
        ("https://example.org/news/1", "https://example.org:443/news/2", True),
        ("http://example.org:8000/news/1", "http://example.org:8000/news/2", True),
        ("http://example.org/news/1", "http://example.org:0/news/1", False),
    ],
)
def test_a_redirect_keeps_to_its_port_save_from_http_to_https(source, target, allowed):
    assert same_port(source, target) is allowed


def test_search_text_never_becomes_sql(sqlite_url, local_site):
    archive_local_copy(sqlite_url, local_site)  # what is searched, not how it came
    before = archive_db.archived_ids(sqlite_url)

    for attack in ("'; DROP TABLE articles; --", '" OR 1=1 --', "Hamedan) OR (1=1"):
        done = subprocess.run(
            [sys.executable, "-m", "crawler", "search", attack, "--json", "--db", sqlite_url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "Traceback" not in done.stderr

    assert archive_db.archived_ids(sqlite_url) == before


def test_an_export_replaces_a_symlink_rather_than_writing_through_it(
    sqlite_url, local_site, tmp_path
):
    archive_local_copy(sqlite_url, local_site)  # what is exported, not how it came
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch")
    link = tmp_path / "export.jsonl"
    link.symlink_to(precious)

    subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--db", sqlite_url, "-o", str(link)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    assert precious.read_text() == "do not touch"
    assert not link.is_symlink() and len(link.read_text().splitlines()) == local_site.pages
