"""`python -m crawler export` and `stats` on an archive, on both databases."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING

from crawler.archive.store import ParsedPage
from crawler.items import FetchedPage
from crawler.parsing.article import parse_article
from tests.conftest import ROOT, SEED_URL, seed_expected, seed_html
from tests.forked import run_module

if TYPE_CHECKING:
    import subprocess

BOOKKEEPING = ("version", "first_seen_at", "fetched_at", "changed_at")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`news-archive ARGS` in a process of its own (a fork: tests/forked.py)."""
    command = [sys.executable, "-m", "crawler", *args]
    return run_module(command, cwd=ROOT, env=dict(os.environ), timeout=120)


def archive_seed(store, profile) -> None:
    body = seed_html().encode()
    page = FetchedPage(
        "alalam_en",
        "1851093",
        SEED_URL,
        SEED_URL,
        200,
        "text/html",
        "utf-8",
        body,
        "2026-11-24T10:00:00+00:00",
    )
    store.save([ParsedPage(page, parse_article(seed_html(), SEED_URL, profile))])


def test_export_writes_the_schema_record_one_a_line(store, profile, database_url):
    archive_seed(store, profile)

    done = run("export", "--format", "jsonl", "--db", database_url)

    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    record = json.loads(line)
    assert {k: record[k] for k in seed_expected()} == seed_expected()
    assert (record["authors"], record["field_sources"]["body"]) == ([], "css")
    assert (record["version"], record["fetched_at"]) == (1, "2026-11-24T10:00:00+00:00")


def test_export_to_a_file_replaces_it_whole(store, profile, database_url, tmp_path):
    archive_seed(store, profile)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "archive.jsonl"
    target.write_text("old contents\n")

    done = run("export", "--db", database_url, "-o", str(target))

    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text("utf-8"))["article_id"] == "1851093"
    assert [p.name for p in target.parent.iterdir()] == ["archive.jsonl"]


def test_stats_counts_the_archive(store, profile, database_url):
    archive_seed(store, profile)

    done = run("stats", "--human", "--db", database_url)

    assert done.returncode == 0, done.stderr
    assert "1 articles archived" in done.stdout
    assert "12 related links, 12 linked ids not archived" in done.stdout


def test_commands_on_a_missing_archive_fail_with_a_clear_message(tmp_path):
    done = run("export", "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}")

    assert done.returncode == 1
    assert "no archive at" in done.stderr
    assert "Traceback" not in done.stderr
