"""Scrapy's own tools in the project, run as users run them in the checkout.

`scrapy shell` and `scrapy parse` look at a page without touching the archive,
`scrapy parse` shows the record the archive stores, `-o out.csv` writes what
`export --format csv` writes, a misspelt `-a` stops the crawl, and `scrapy
bench` measures Scrapy, not the project's politeness.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from crawler.archive.database import create_archive_engine
from crawler.archive.store import ArchiveStore
from crawler.export.records import write_csv
from crawler.spiders.arguments import UnknownArgumentError, refuse_unknown
from localcopy.crawls import LOCAL_COPY_SETTINGS
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.archive_db import runs
from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BOOKKEEPING = ("version", "first_seen_at", "fetched_at", "changed_at")


def scrapy(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """A scrapy command in the checkout, with the archive at `database_url`."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_DB": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Crawled:
    base_url: str
    database_url: str
    feed: Path

    def store(self) -> ArchiveStore:
        return ArchiveStore(create_archive_engine(self.database_url))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """The local copy, crawled once with `-o out.csv`; the server stays up for the tools."""
    work = tmp_path_factory.mktemp("crawled")
    database_url = f"sqlite:///{work / 'archive.sqlite3'}"
    with ServerThread(LocalSite(pages=30, orphans=2)) as base_url:
        settings = [arg for setting in LOCAL_COPY_SETTINGS for arg in ("-s", setting)]
        run = scrapy(
            "crawl", "related", "-a", f"start={SEED_ID}", "-a", f"base_url={base_url}",
            *settings, "-o", str(work / "out.csv"), database_url=database_url,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        yield Crawled(base_url, database_url, work / "out.csv")


def test_a_csv_feed_writes_the_list_fields_as_json_as_export_does(crawled):
    exported = io.StringIO()
    write_csv(crawled.store().iter_articles(), exported)

    feed = list(csv.DictReader(crawled.feed.read_text("utf-8").splitlines()))
    expected = list(csv.DictReader(exported.getvalue().splitlines()))
    assert sorted(feed, key=lambda row: row["article_id"]) == sorted(
        expected, key=lambda row: row["article_id"]
    )
    seed = next(row for row in feed if row["article_id"] == SEED_ID)
    assert isinstance(json.loads(seed["related"])[0], dict)
    assert isinstance(json.loads(seed["images"])[0], dict)
    assert json.loads(seed["subheadings"])


def test_scrapy_parse_shows_the_record_the_archive_stores_and_records_no_run(crawled, tmp_path):
    parsed = tmp_path / "parsed.jsonl"

    done = scrapy(
        "parse", "--spider", "related", "-a", f"base_url={crawled.base_url}",
        f"{crawled.base_url}/news/{SEED_ID}", "-o", str(parsed),
        database_url=crawled.database_url,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    [record] = [json.loads(line) for line in parsed.read_text("utf-8").splitlines()]
    stored = dataclasses.asdict(crawled.store().article("alalam_en", SEED_ID))
    assert {k: v for k, v in record.items() if k not in BOOKKEEPING} == {
        k: v for k, v in stored.items() if k not in BOOKKEEPING
    }
    assert "# Requests" in done.stdout  # the related articles it would follow
    assert [run.status for run in runs(crawled.database_url)] == ["finished"]


def test_scrapy_shell_looks_at_a_page_without_creating_an_archive(crawled, tmp_path):
    database = tmp_path / "never.sqlite3"

    done = scrapy(
        "shell", f"{crawled.base_url}/news/{SEED_ID}", "-c", "response.css('h1::text').get()",
        database_url=f"sqlite:///{database}",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "Strategic Cooperation" in done.stdout
    assert not database.exists()


def test_an_unknown_spider_argument_stops_the_crawl_with_a_did_you_mean(crawled, tmp_path):
    database = tmp_path / "never.sqlite3"

    done = scrapy(
        "crawl", "related", "-a", f"start={SEED_ID}", "-a", f"base-url={crawled.base_url}",
        database_url=f"sqlite:///{database}",
    )  # fmt: skip

    assert done.returncode == 2
    assert (
        "Error: the related spider has no argument 'base-url' (did you mean base_url?); "
        "it takes start, ids, site, base_url"
    ) in done.stderr
    assert not database.exists()


def test_scrapyd_job_ids_and_only_they_pass_the_argument_check():
    refuse_unknown("related", ["start", "_job", "_version"], ["start", "ids"])
    with pytest.raises(UnknownArgumentError, match=r"'Start' \(did you mean start\?\)"):
        refuse_unknown("related", ["Start"], ["start", "ids"])


def test_scrapy_bench_prints_its_rate_as_plain_scrapy_does(tmp_path):
    database = tmp_path / "never.sqlite3"

    done = scrapy("bench", "-s", "CLOSESPIDER_TIMEOUT=2", database_url=f"sqlite:///{database}")

    assert done.returncode == 0, done.stderr
    rates = re.findall(r"Crawled (\d+) pages \(at (\d+) pages/min\)", done.stderr)
    assert rates
    assert int(rates[-1][0]) > 0
    assert "(bot: scrapybot)" in done.stderr
    assert not database.exists()
