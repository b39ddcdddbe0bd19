"""robots.txt larger than the page cap is read to its bound and obeyed as read."""

from __future__ import annotations

import gzip

import pytest

from crawler.middlewares.robots_bound import inflated, within
from localcopy.site import SEED_ID, Reply
from tests import archive_db
from tests.conftest import crawl, crawled_ids

PADDING = b"# " + b"x" * 97 + b"\n"  # a 100-byte comment line
TWELVE_MB = 12 * 1024 * 1024 // len(PADDING)


def robots_txt(disallowed: str) -> bytes:
    return b"User-agent: *\nDisallow: /news/" + disallowed.encode() + b"\n" + PADDING * TWELVE_MB


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_robots_txt_over_the_page_cap_is_obeyed_as_far_as_it_is_read(
    sqlite_url, local_site, site_url, encoding
):
    forbidden = local_site.related[SEED_ID][0]
    body = robots_txt(forbidden)
    headers = {"Content-Type": "text/plain"}
    if encoding == "gzip":
        body, headers = gzip.compress(body), {**headers, "Content-Encoding": "gzip"}
    local_site.sources["/robots.txt"] = Reply(200, body, headers)

    run = crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=("LOG_LEVEL=DEBUG",))

    assert run.returncode == 0, run.log
    assert forbidden not in crawled_ids(run.log)
    assert archive_db.failures(sqlite_url)[forbidden].reason == "robots"
    assert "robotstxt/truncated" in run.log


def test_a_rule_within_the_bound_is_kept_whole():
    text = b"User-agent: *\nDisallow: /private\n"

    assert within(text, 1000) == text


def test_a_line_the_bound_cuts_in_two_is_left_out():
    text = b"User-agent: *\nDisallow: /private\nAllow: /admin\n"

    assert within(text, len(text) - 5) == b"User-agent: *\nDisallow: /private\n"


@pytest.mark.parametrize("compress", [gzip.compress, __import__("zlib").compress])
def test_a_compressed_robots_txt_is_inflated_no_further_than_the_bound(compress):
    bomb = compress(b"# nothing\n" * 10_000_000)  # 100 MB inflated, 100 KB sent

    assert len(inflated(bomb, 500 * 1024)) == 500 * 1024 + 1


def test_a_compressed_robots_txt_cut_short_gives_what_it_holds():
    whole = gzip.compress(b"User-agent: *\nDisallow: /a\n" + PADDING * 1000)

    assert inflated(whole[: len(whole) // 2], 10_000).startswith(b"User-agent: *\nDisallow: /a\n")
