"""A second site in another layout, archived from its profile file alone.

The Harbour Courier (localcopy/storysite.py) embeds each story as
application JSON, dates it in JSON-LD in Sydney's time, and names stories by
slug. Its profile (fixtures/profiles/harbour_courier.toml) was written from
the README's description of the format; a real `scrapy crawl` with
``-a profile=`` must archive every story, field for field as the site holds it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from crawler.archive.database import create_archive_engine
from crawler.archive.models import CrawlRun
from crawler.archive.store import ArchiveStore
from crawler.cli import cli
from localcopy.server import ServerThread
from localcopy.storysite import StorySite
from tests.archive_db import runs
from tests.conftest import FIXTURES, crawl

PROFILE = FIXTURES / "profiles" / "harbour_courier.toml"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The whole site, crawled from its first story with its profile file."""
    site = StorySite(pages=30)
    url = f"sqlite:///{tmp_path_factory.mktemp('courier') / 'archive.sqlite3'}"
    with ServerThread(site) as base_url:
        run = crawl(url, "-a", f"profile={PROFILE}", start=site.first, base_url=base_url)
    assert run.returncode == 0, run.log
    return site, base_url, url


def test_the_second_site_is_archived_completely_and_correctly_from_its_profile(crawled):
    site, base_url, url = crawled

    engine = create_archive_engine(url)
    archived = {a.article_id: a for a in ArchiveStore(engine).iter_articles()}
    engine.dispose()

    assert set(archived) == set(site.stories)
    for slug, story in site.stories.items():
        article = archived[slug]
        assert article.site == "harbour_courier"
        assert article.url == f"{base_url}/stories/{slug}"
        assert article.title == story.headline
        assert article.published_at == story.published.astimezone(UTC).isoformat()
        assert article.published_local == story.published.isoformat()
        assert article.body.split("\n\n") == story.paragraphs
        assert article.authors == story.authors
        assert [link.article_id for link in article.related] == story.related
        assert article.field_sources["published"] == "json-ld"
        assert article.field_sources["title"] == article.field_sources["body"] == "css"


def test_show_names_the_authors_and_where_each_field_came_from(crawled):
    site, _, url = crawled
    story = site.stories[site.first]

    done = CliRunner().invoke(
        cli, ["show", story.slug, "--site", "harbour_courier", "--db", url, "--human"]
    )

    assert done.exit_code == 0, done.output
    assert f"by {', '.join(story.authors)}" in done.output
    assert "Field sources: title css, published json-ld, body css" in done.output


def test_the_second_sites_profile_passes_its_own_tests():
    done = CliRunner().invoke(cli, ["profile", "check", str(PROFILE)])

    assert done.exit_code == 0, done.output
    assert "1 pages, 0 with mismatches" in done.output


def test_parse_prints_the_record_as_json_with_sources_and_warnings():
    page = next((FIXTURES / "profiles" / "harbour_courier").glob("*.html"))
    url = "https://www.harbour-courier.test/stories/" + page.stem

    done = CliRunner().invoke(
        cli, ["parse", str(page), "--url", url, "--profile", str(PROFILE), "--json"]
    )

    assert done.exit_code == 0, done.output
    record = json.loads(done.output)
    assert record["article_id"] == page.stem
    assert record["field_sources"]["published"] == "json-ld"
    assert record["warnings"] == []
    assert "version" not in record


def test_profile_check_reports_a_mismatch_field_by_field_and_fails(tmp_path):
    expect = tmp_path / "expect.json"
    expect.write_text('{"title": "Not the headline", "language": "en-AU"}', encoding="utf-8")
    page = next((FIXTURES / "profiles" / "harbour_courier").glob("*.html"))
    profile = tmp_path / "courier.toml"
    profile.write_text(
        PROFILE.read_text(encoding="utf-8").split("[[tests]]")[0]
        + f'[[tests]]\nfile = "{page}"\nexpect = "{expect}"\n'
        f'url = "https://www.harbour-courier.test/stories/{page.stem}"\n',
        encoding="utf-8",
    )

    done = CliRunner().invoke(cli, ["profile", "check", str(profile)])

    assert done.exit_code == 1
    assert "MISMATCH  title" in done.output
    assert "ok        language" in done.output
    assert '"Not the headline"' in done.output


def test_sites_names_the_profile_file_and_the_last_run(crawled):
    site, _, url = crawled

    done = CliRunner().invoke(cli, ["sites", "--json", "--db", url])

    assert done.exit_code == 0, done.output
    [listed] = [json.loads(line) for line in done.output.splitlines()]
    assert listed["site"] == "harbour_courier"
    assert listed["articles"] == len(site.stories)
    assert listed["profile"] == str(PROFILE.resolve())
    assert listed["profile_sha256"] == hashlib.sha256(PROFILE.read_bytes()).hexdigest()
    assert listed["last_run"]["status"] == "finished"


def test_the_run_keeps_a_copy_of_the_profile_it_crawled_with(crawled):
    _, _, url = crawled

    [run] = runs(url)

    assert run.arguments["profile"]["text"] == PROFILE.read_text(encoding="utf-8")


def _recorded_profile_becomes(url: str, **changes: str) -> None:
    """The last run's record of its profile, as if the file had moved or been edited."""
    engine = create_archive_engine(url, writer=True)
    with engine.begin() as conn:
        [(run_id, arguments)] = conn.execute(select(CrawlRun.id, CrawlRun.arguments)).all()
        arguments["profile"] = {**arguments["profile"], **changes}
        conn.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(arguments=arguments))
    engine.dispose()


def test_show_reads_times_in_the_zone_of_the_profile_file_without_flags(crawled):
    site, _, url = crawled

    done = CliRunner().invoke(cli, ["show", site.first, "--db", url, "--human"])

    assert done.exit_code == 0, done.output
    assert "(Australia/Sydney)" in done.output


def test_a_profile_file_gone_is_read_from_the_archives_copy(crawled, tmp_path):
    site, _, url = crawled
    copy = tmp_path / "archive.sqlite3"
    copy.write_bytes(Path(url.removeprefix("sqlite:///")).read_bytes())
    _recorded_profile_becomes(f"sqlite:///{copy}", source=str(tmp_path / "gone.toml"))

    done = CliRunner().invoke(cli, ["show", site.first, "--db", f"sqlite:///{copy}", "--human"])

    assert done.exit_code == 0, done.output
    assert "(Australia/Sydney)" in done.output


def test_a_profile_file_changed_since_the_crawl_is_said_on_stderr(crawled, tmp_path):
    site, _, url = crawled
    copy = tmp_path / "archive.sqlite3"
    copy.write_bytes(Path(url.removeprefix("sqlite:///")).read_bytes())
    _recorded_profile_becomes(f"sqlite:///{copy}", sha256="0" * 64)

    done = CliRunner().invoke(cli, ["show", site.first, "--db", f"sqlite:///{copy}", "--human"])

    assert done.exit_code == 0, done.output
    assert f"profile {PROFILE.resolve()} differs from the one harbour_courier" in done.stderr


def test_reparse_uses_the_profile_the_site_was_crawled_with_without_a_sites_dir(crawled, tmp_path):
    site, _, url = crawled
    copy = tmp_path / "archive.sqlite3"
    copy.write_bytes(Path(url.removeprefix("sqlite:///")).read_bytes())

    done = CliRunner().invoke(cli, ["reparse", "--db", f"sqlite:///{copy}"])

    assert done.exit_code == 0, done.output
    assert f"{len(site.stories)} stored pages parsed again" in done.output
