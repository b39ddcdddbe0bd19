"""The query commands as people use them: one rule for times, history as JSON, the raw page,
progress on a terminal and silence in a pipe."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from localcopy.site import SEED_ID, LocalSite
from tests.local_archive import archive_local_copy, fetched
from tests.terminal import on_terminal

if TYPE_CHECKING:
    from pathlib import Path

    from click.testing import Result

TEHRAN = "+03:30"  # Iran's offset since it gave up daylight saving in 2022
EDITED_AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CP1252_ID = "1700001"
CP1252_PAGE = "<html><head></head><body><p>Iran’s page, with no title to archive</p></body></html>"


@dataclass
class Archive:
    url: str
    site: LocalSite
    path: Path

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "crawler", *args, "--db", self.url]

    def run(self, *args: str) -> Result:
        """The command in-process, its output not a terminal (as in a pipe)."""
        return CliRunner().invoke(cli, [*args, "--db", self.url], catch_exceptions=False)

    def on_terminal(self, *args: str, stdout_too: bool = True) -> str:
        """What a person at a terminal sees: stderr (and stdout, unless redirected) on a pty."""
        seen = on_terminal(self.command(*args), stdout_too=stdout_too)
        return seen.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Archive:
    """The local copy archived, the seed edited once, and a page in windows-1252 dropped."""
    site = LocalSite(pages=60)
    path = tmp_path_factory.mktemp("people") / "archive.sqlite3"
    url = f"sqlite:///{path}"
    archive_local_copy(url, site)
    from crawler.archive.database import create_archive_engine
    from crawler.archive.store import ArchiveStore

    engine = create_archive_engine(url, writer=True)
    seed = site.reply(SEED_ID).body.replace(b"air base", b"airbase")
    cp1252 = CP1252_PAGE.encode("cp1252")
    ArchiveStore(engine).save(
        [
            fetched(SEED_ID, seed, at=EDITED_AT),
            fetched(CP1252_ID, cp1252, encoding="cp1252", at=EDITED_AT),
        ]
    )
    engine.dispose()
    return Archive(url, site, path)


# -- times --------------------------------------------------------------------------------------


def test_history_as_json_gives_every_version_with_utc_times(archive):
    done = archive.run("history", SEED_ID, "--json")

    versions = [json.loads(line) for line in done.stdout.splitlines()]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[1]["first_seen_at"] == EDITED_AT.isoformat()
    assert all(v["last_seen_at"].endswith("+00:00") for v in versions)
    assert "air base" in versions[0]["body"] and "airbase" in versions[1]["body"]
    assert {v["site"] for v in versions} == {"alalam_en"}


def test_history_for_people_is_in_site_time_and_says_so(archive):
    text = archive.run("history", SEED_ID, "--human").stdout

    assert "2 versions (times: site time, Asia/Tehran)" in text
    assert f"version 2: first seen 2026-11-24 15:30 {TEHRAN}" in text
    assert "UTC" not in text  # one clock per output
    lines = text.splitlines()
    assert any(line.startswith("-") and "air base" in line for line in lines)
    assert any(line.startswith("+") and "airbase" in line for line in lines)


def test_stats_for_people_gives_the_publication_span_in_site_time(archive):
    text = archive.run("stats", "--human").stdout

    assert "to 2016-08-16 17:52 +04:30 (site time, Asia/Tehran)" in text


def test_the_site_clock_is_looked_up_once_for_all_the_rows_printed(monkeypatch):
    from crawler.cli import output as cli_output

    lookups = []
    real = cli_output.get_profile
    monkeypatch.setattr(cli_output, "get_profile", lambda *a: lookups.append(a) or real(*a))
    cli_output._site_zone.cache_clear()
    # No archive's profiles from a command an earlier test ran in this process.
    monkeypatch.setattr(cli_output, "_archive_profiles", {})
    moment = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    rows = [cli_output.local_time(moment, "alalam_en") for _ in range(3)]

    assert rows == [f"2026-11-24 15:30 {TEHRAN}"] * 3
    assert cli_output.clock("alalam_en") == "site time, Asia/Tehran"
    assert len(lookups) == 1


def test_stats_as_json_gives_utc(archive):
    [stats] = [json.loads(line) for line in archive.run("stats", "--json").stdout.splitlines()]

    assert stats["published_to"] == "2016-08-16T13:22:15+00:00"
    assert stats["runs"] == []


# -- the raw page -------------------------------------------------------------------------------


def test_show_raw_piped_gives_the_page_byte_for_byte(archive):
    done = archive.run("show", CP1252_ID, "--raw")

    assert done.exit_code == 0, done.stderr
    assert done.stdout_bytes == CP1252_PAGE.encode("cp1252")


def test_show_raw_on_a_terminal_decodes_the_page_in_its_recorded_charset(archive):
    seen = archive.on_terminal("show", CP1252_ID, "--raw")

    assert "<p>Iran’s page, with no title to archive</p>" in seen


def test_show_raw_of_a_page_no_site_fetched_says_so(archive):
    done = archive.run("show", "999", "--raw")

    assert done.exit_code == 1
    assert "999 is not in the archive" in done.stderr


def test_show_raw_with_json_is_refused(archive):
    done = archive.run("show", SEED_ID, "--raw", "--json")

    assert done.exit_code == 2
    assert "leave out --json" in done.stderr


# -- progress -----------------------------------------------------------------------------------


def test_export_to_a_file_shows_progress_on_a_terminal(archive, tmp_path):
    target = tmp_path / "all.jsonl"
    seen = archive.on_terminal("export", "-o", str(target))

    total = archive.site.pages
    assert f"{total}/{total}" in seen and "articles/s" in seen
    assert f"{total} articles written to {target}" in seen


def test_export_piped_prints_no_progress(archive, tmp_path):
    target = tmp_path / "all.jsonl"
    done = archive.run("export", "-o", str(target))

    assert done.stderr == f"{archive.site.pages} articles written to {target}\n"


def test_export_to_the_terminal_itself_shows_the_records_only(archive):
    seen = archive.on_terminal("export", "--kind", "video")

    assert '"kind": "video"' in seen
    assert "articles/s" not in seen


def test_graph_and_reparse_show_progress_on_a_terminal(archive, tmp_path):
    graph = archive.on_terminal("graph", "-o", str(tmp_path / "edges.csv"))
    reparsed = archive.on_terminal("reparse", stdout_too=False)

    assert "edges/s" in graph
    pages = archive.site.pages + 1  # and the dropped page
    assert f"{pages}/{pages}" in reparsed and "pages/s" in reparsed


# -- the storage reads behind them, on both databases -------------------------------------------


def test_a_captured_page_reads_back_as_fetched_and_an_id_never_fetched_has_no_capture(store):
    from crawler.archive.captures_read import article_captures, captured_page

    stored = fetched(CP1252_ID, CP1252_PAGE.encode("cp1252"), encoding="cp1252")
    store.save([stored])

    captures = article_captures(store.engine, "alalam_en", CP1252_ID)
    page = captured_page(store.engine, captures, captures[-1])

    assert (page.body, page.encoding, captures[-1].http_status) == (
        stored.page.body,
        "cp1252",
        200,
    )
    assert article_captures(store.engine, "alalam_en", "999") == []


def test_counts_match_what_the_streams_give(store):
    from crawler.archive.reparse import count_stored_pages, stored_pages

    site = LocalSite(pages=20)
    store.save([fetched(a, site.reply(a).body) for a in sorted(site.reachable())])
    since = datetime(2016, 8, 1, tzinfo=UTC)
    later = datetime.now(UTC) + timedelta(days=1)

    assert store.count_articles() == len(list(store.iter_articles())) == site.pages
    assert store.count_articles(kind="video", since=since) == len(
        list(store.iter_articles(kind="video", since=since))
    )
    read = list(stored_pages(store, "alalam_en", None, held=False))
    assert count_stored_pages(store, "alalam_en", None) == len(read) == site.pages
    assert count_stored_pages(store, None, later) == 0
