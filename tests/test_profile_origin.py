"""A profile never takes the crawl off its site: an article URL is a path on base_url's origin.

The loader refuses any template that could leave it; the request path refuses
an article request to another origin again, with a recorded reason.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler import settings
from crawler.middlewares.article_origin import ArticleOriginMiddleware
from crawler.plan.failures import classify, is_gone
from crawler.sites import ProfileError, load_profile
from localcopy.server import ServerThread
from localcopy.site import LocalSite
from tests.conftest import ROOT, crawl

# The profile: protocol-relative, to another port of the same host, with slug ids.
PROTOCOL_RELATIVE = "//127.0.0.1:39999/news/{id}"


def profile_text(url: str, base_url: str = "http://127.0.0.1:8765") -> str:
    return textwrap.dedent(
        f"""\
        name = "leaving"
        base_url = "{base_url}"
        [article]
        url = '{url}'
        id_pattern = '^/news/([^/]+)$'
        """
    )


def write_profile(tmp_path, url: str, **kwargs: str):
    path = tmp_path / "leaving.toml"
    path.write_text(profile_text(url, **kwargs), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (PROTOCOL_RELATIVE, "beginning with / (one, not //)"),
        ("//evil.example/news/{id}", "beginning with / (one, not //)"),
        ("http://evil.example/news/{id}", "names a scheme"),
        ("https:/news/{id}", "names a scheme"),
        ("/\\evil.example/news/{id}", "a backslash"),
        ("/news@evil.example/{id}", "an @"),
        ("/%2f%2fevil.example/news/{id}", "an encoded slash"),
        ("/news%5C{id}", "an encoded slash"),
        ("/\t/evil.example/news/{id}", "a blank or control character"),
        ("/news/{id!r}", "no other placeholder"),
        ("/news/{id:>40}", "no other placeholder"),
    ],
)
def test_a_template_that_could_leave_the_origin_is_refused_at_load_time(tmp_path, url, problem):
    path = write_profile(tmp_path, url)

    with pytest.raises(ProfileError) as raised:
        load_profile(path)

    assert raised.value.key == "article.url"
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("url", ["/news/{id}", "/world/{id}/", "/{id}", "/news/{id}?print=1"])
def test_a_template_that_is_a_path_on_the_origin_loads(tmp_path, url):
    profile = load_profile(write_profile(tmp_path, url))

    assert profile.article_url("a-slug").startswith("http://127.0.0.1:8765/")


def test_profile_check_reports_a_template_that_leaves_the_site(tmp_path):
    path = write_profile(tmp_path, PROTOCOL_RELATIVE)

    done = subprocess.run(
        [sys.executable, "-m", "crawler", "profile", "check", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode != 0
    assert "article.url" in done.stderr
    assert "beginning with / (one, not //)" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_crawl_with_a_profile_that_leaves_its_site_fetches_nothing_there(tmp_path, sqlite_url):
    elsewhere = LocalSite(pages=10)
    with ServerThread(elsewhere) as other:
        write_profile(tmp_path, f"//{other.removeprefix('http://')}/news/{{id}}")
        run = crawl(
            sqlite_url,
            "-a",
            "site=leaving",
            start="some-slug",
            settings=(f"ARCHIVE_SITES_DIR={tmp_path}",),
        )

    assert run.returncode == 2, run.log
    assert "article.url" in run.log
    assert elsewhere.requests == []


def middleware_for(base_url: str) -> ArticleOriginMiddleware:
    crawler = get_crawler()
    crawler.spider = type("Spider", (), {"base_url": base_url})()
    crawler.stats.open_spider()
    return ArticleOriginMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:39999/news/a",
        "https://127.0.0.1:8765/news/a",
        "http://evil.example:8765/news/a",
    ],
)
def test_an_article_request_to_another_origin_is_refused_as_offsite_article(url):
    middleware = middleware_for("http://127.0.0.1:8765")
    request = Request(url, cb_kwargs={"article_id": "a"})

    with pytest.raises(IgnoreRequest) as raised:
        middleware.process_request(request)

    reason, status, _ = classify(Failure(raised.value))
    assert (reason, status) == ("offsite_article", None)
    assert is_gone(reason)


def test_an_article_request_on_the_origin_passes():
    middleware = middleware_for("http://127.0.0.1:8765")

    request = Request("http://127.0.0.1:8765/news/a", cb_kwargs={"article_id": "a"})

    assert middleware.process_request(request) is None


def test_the_origin_check_comes_before_offsite_filtering_and_robots_txt():
    order = settings.DOWNLOADER_MIDDLEWARES

    # Scrapy's OffsiteMiddleware (50) would drop the request silently; robots.txt
    # (100) would fetch the other origin's robots.txt first.
    assert order["crawler.middlewares.article_origin.ArticleOriginMiddleware"] < 50
