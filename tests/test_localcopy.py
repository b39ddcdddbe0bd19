"""The local copy serves the real seed page and a consistent site around it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from crawler.parsing.article import parse_article
from crawler.parsing.related import extract_related
from localcopy import publish
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import ROOT, seed_html


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def test_the_seed_page_is_served_byte_for_byte(site_url):
    assert fetch(f"{site_url}/news/{SEED_ID}") == seed_html().encode()


def test_an_id_the_site_lacks_answers_404(site_url, local_site):
    missing = sorted(local_site.missing())[0]

    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(f"{site_url}/news/{missing}")
    assert error.value.code == 404


def test_robots_txt_allows_the_crawl(site_url):
    assert b"Allow: /" in fetch(f"{site_url}/robots.txt")


def test_the_seeds_related_ids_are_served_with_the_titles_the_seed_lists(local_site, profile):
    for link in extract_related(seed_html(), profile).links:
        page = local_site.render(link.article_id).decode()
        article = parse_article(
            page, f"https://en.alalam.ir/news/{link.article_id}", profile
        ).article
        assert (article.title, article.kind) == (link.title, link.kind)


def test_generated_pages_parse_cleanly_with_a_dump_of_the_right_length(local_site, profile):
    for article_id in list(local_site.related)[1:40]:
        html = local_site.render(article_id).decode()
        result = parse_article(html, f"https://en.alalam.ir/news/{article_id}", profile)
        related = extract_related(html, profile)
        assert result.drop_reason is None
        assert related.complete and related.article_ids == local_site.related[article_id]
        assert not [w for w in related.warnings if w.startswith("related_")]


def test_the_same_size_gives_the_same_site():
    assert LocalSite(pages=500).related == LocalSite(pages=500).related


def test_every_page_but_the_orphans_is_reachable_from_the_seed():
    site = LocalSite(pages=300, orphans=3)

    assert len(site.reachable()) == 300
    assert len(site.related) == 303


@pytest.fixture
def served_copy():
    """`python -m localcopy --admin` in its own process, as the benchmark runs it."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "localcopy", "--admin", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    waited = subprocess.run([sys.executable, "-m", "localcopy", "--wait", f"{base_url}/"], cwd=ROOT)
    assert waited.returncode == 0
    yield base_url
    process.terminate()
    process.wait(10)


def test_publishing_over_http_adds_new_articles_at_the_top_of_the_listing(served_copy):
    request = urllib.request.Request(f"{served_copy}/admin/publish?count=3", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        added = json.loads(response.read())

    assert len(added) == 3
    listing = fetch(f"{served_copy}/news").decode()
    assert all(f"/news/{article_id}" in listing for article_id in added)
    assert fetch(f"{served_copy}/news/{added[0]}")


def test_the_publish_endpoint_is_absent_unless_asked_for(site_url):
    request = urllib.request.Request(f"{site_url}/admin/publish?count=3", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code in (404, 405)


def test_the_command_and_the_benchmark_publish_alike(served_copy):
    by_function = publish(served_copy, 2)
    command = subprocess.run(
        [sys.executable, "-m", "localcopy", "--publish", "1", served_copy],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    by_command = command.stdout.removeprefix("local copy: published ").strip().split(", ")
    assert len(by_function) == 2 and len(by_command) == 1
    listing = fetch(f"{served_copy}/news").decode()
    assert all(f"/news/{article_id}" in listing for article_id in by_function + by_command)
