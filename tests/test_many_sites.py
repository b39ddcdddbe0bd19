"""An archive of several sites: no command assumes one of them.

An id held by one site needs no ``--site``; an id several sites use is
refused, naming them, until ``--site`` says which is meant.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.models import ArticleRecord
from crawler.archive.sites import months_in_site_time
from crawler.archive.store import ArchiveStore, ParsedPage
from crawler.cli import cli
from crawler.parsing.fetched import parse_fetched
from crawler.sites import get_profile, load_profile
from localcopy.site import SEED_ID, LocalSite
from tests.local_archive import fetched

if TYPE_CHECKING:
    from pathlib import Path

    from crawler.sites.profile import SiteProfile

ONLY_MIRRORED = "1850998"  # a page of the mirror alone


def mirror_profile(directory: Path) -> SiteProfile:
    """A second site in the first one's layout, under another name."""
    text = get_profile("alalam_en").source.read_text(encoding="utf-8")
    path = directory / "mirror.toml"
    path.write_text(text.replace('name = "alalam_en"', 'name = "mirror"', 1), encoding="utf-8")
    return load_profile(path)


def _as_mirror(page: ParsedPage, mirror: SiteProfile, article_id: str | None = None) -> ParsedPage:
    """The same page as the second site archived it."""
    article_id = article_id or page.page.article_id
    url = page.page.url.replace(page.page.article_id, article_id)
    copy = replace(page.page, site="mirror", article_id=article_id, url=url, final_url=url)
    return ParsedPage(copy, parse_fetched(copy, mirror))


@pytest.fixture
def two_sites(database_url, tmp_path):
    """alalam_en holds the seed and its neighbours; a mirror holds the seed too, and one more."""
    site = LocalSite(pages=8)
    ensure_current(database_url)
    engine = create_archive_engine(database_url, writer=True)
    pages = [fetched(a, site.reply(a).body) for a in sorted(site.reachable())]
    ArchiveStore(engine).save(pages)
    [seed] = [p for p in pages if p.page.article_id == SEED_ID]
    mirror = mirror_profile(tmp_path)
    ArchiveStore(engine).save([_as_mirror(seed, mirror), _as_mirror(seed, mirror, ONLY_MIRRORED)])
    engine.dispose()
    only_local = next(a for a in sorted(site.reachable()) if a != SEED_ID)
    return database_url, only_local


def run(url: str, *args: str):
    return CliRunner().invoke(cli, [*args, "--db", url])


@pytest.mark.parametrize("command", ["show", "history"])
def test_an_id_one_site_holds_needs_no_site(two_sites, command):
    url, only_local = two_sites

    done = run(url, command, only_local, "--human")

    assert done.exit_code == 0, done.output
    assert f"alalam_en/{only_local}" in done.output


def test_an_id_of_another_site_than_the_first_is_found_without_site(two_sites):
    url, _ = two_sites

    done = run(url, "show", ONLY_MIRRORED, "--human")

    assert done.exit_code == 0, done.output
    assert f"mirror/{ONLY_MIRRORED}" in done.output


@pytest.mark.parametrize("command", ["show", "history"])
def test_an_id_several_sites_hold_is_refused_naming_them(two_sites, command):
    url, _ = two_sites

    done = run(url, command, SEED_ID, "--human")

    assert done.exit_code == 1
    assert f"{SEED_ID} is held by 2 sites (alalam_en, mirror)" in done.output
    assert "--site alalam_en" in done.output


def test_site_says_which_of_several_is_meant(two_sites):
    url, _ = two_sites

    done = run(url, "show", SEED_ID, "--site", "mirror", "--human")

    assert done.exit_code == 0, done.output
    assert f"mirror/{SEED_ID}" in done.output


def test_an_id_no_site_holds_is_not_in_the_archive(two_sites):
    url, _ = two_sites

    done = run(url, "show", "999", "--human")

    assert done.exit_code == 1
    assert "999 is not in the archive (no site holds it)" in done.output


def test_sites_lists_each_site_with_its_articles(two_sites):
    url, _ = two_sites

    done = run(url, "sites", "--json")

    assert done.exit_code == 0, done.output
    listed = [json.loads(line) for line in done.output.splitlines()]
    local = len(LocalSite(pages=8).reachable())
    assert [(s["site"], s["articles"]) for s in listed] == [("alalam_en", local), ("mirror", 2)]
    assert all(s["last_run"] is None for s in listed)  # stored without a crawl


def test_stats_counts_each_articles_month_on_its_own_sites_clock(database_url):
    site = LocalSite(pages=8)
    ensure_current(database_url)
    engine = create_archive_engine(database_url, writer=True)
    seed = fetched(SEED_ID, site.reply(SEED_ID).body)
    ArchiveStore(engine).save([seed])
    with engine.begin() as conn:  # 21:00 UTC on 31 July is 01:30 on 1 August in Tehran
        conn.execute(
            ArticleRecord.__table__.update().values(
                published_at=datetime(2016, 7, 31, 21, 0, tzinfo=UTC), published_local=None
            )
        )
    zones = {"alalam_en": ZoneInfo("Asia/Tehran")}

    assert months_in_site_time(engine, zones.__getitem__) == {"2016-08": 1}
    assert months_in_site_time(engine, lambda _: UTC) == {"2016-07": 1}
    engine.dispose()
